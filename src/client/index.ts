export { CLOSE_WAIT_MS, RealtimeClient } from './realtime-client.js';
export {
  CLIENT_LIMITS_DEFAULTS,
  type ClientLimits,
  type RealtimeClientOptions,
  type RequestOptions,
} from './client.options.js';
export type { EmitResult } from './outbox.js';
export type { RecoveryInfo, RecoveryState } from './resume-reply.js';
export { RECOVERY_UNSUPPORTED } from './stream-recovery.js';
export type { DebugLogger } from './debug-log.js';
export { UnauthorizedError, isUnauthorized, type TokenProvider } from './unauthorized.js';
export {
  StateCode,
  type ClientState,
  type StateChange,
  type StateChangeCode,
  type StateCodeValue,
} from './client-state.js';
export {
  ClientErrorCode,
  RealtimeClientError,
  RequestError,
  type ClientErrorCodeValue,
  type RealtimeErrorCode,
} from './client.errors.js';
export { BACKOFF_DEFAULTS, type BackoffOptions, type RandomSource } from './backoff.js';
export type {
  SocketCloseEvent,
  SocketMessageEvent,
  TokenTransport,
  WebSocketConstructor,
  WebSocketConstructorOptions,
  WebSocketLike,
} from './web-socket.js';
export {
  CloseCode,
  ErrorCode,
  RecoveryReason,
  shouldReconnect,
  type AnyContract,
  type DefineContract,
  type EventName,
  type EventPayload,
  type PayloadArgs,
  type PushData,
  type PushName,
  type RequestName,
  type RequestPayload,
  type RequestReply,
  type ErrorPayload,
  type RealtimeContract,
  type RecoveryReasonCode,
  type StreamPosition,
  type ValidationDetail,
} from '../protocol/index.js';
