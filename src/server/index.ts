export * from '../protocol/index.js';
export { AsyncApiDocument, buildAsyncApi } from './asyncapi/asyncapi-document.js';
export type { AsyncApiObject } from './asyncapi/asyncapi-builder.js';
export type {
  RealtimeAsyncApiOptions,
  RealtimeAsyncApiServer,
} from './asyncapi/asyncapi-options.js';
export {
  RealtimeDoc,
  type DescribedBy,
  type RealtimeDocOptions,
  type RealtimePushDocs,
} from './asyncapi/realtime-doc.decorator.js';
export type { HandshakeContext, HandshakeGuard } from './handshake/handshake-guard.js';
export { JwtHandshakeGuard } from './handshake/jwt-handshake.guard.js';
export type { RealtimePrincipal } from './auth/principal.js';
export { extractToken } from './auth/token-extractor.js';
export { InvalidTokenError, TokenVerifier } from './auth/token-verifier.js';
export type {
  Delivery,
  DeliveryTarget,
  DisconnectDelivery,
  MembershipDelivery,
  DeliveryPosition,
  MessageDelivery,
  RoomMember,
} from './broker/delivery.js';
export { InProcessHub } from './broker/in-process/in-process-hub.js';
export { InProcessBroker } from './broker/in-process/in-process.broker.js';
export { InProcessBus } from './broker/in-process/in-process.bus.js';
export { InProcessPresenceStore } from './broker/in-process/in-process.presence-store.js';
export type { Interest } from './broker/interest.js';
export {
  PresenceStore,
  type MembersPage,
  type PresenceSnapshot,
  type PresenceSource,
} from './broker/presence-store.js';
export { RealtimeBroker, type BrokerHealth } from './broker/realtime-broker.js';
export { RealtimeBus, type BusHealth, type BusReceiver } from './broker/realtime-bus.js';
export { RedisBroker, type RedisBrokerOptions } from './broker/redis/redis.broker.js';
export { RedisBus } from './broker/redis/redis.bus.js';
export { RedisPresenceStore } from './broker/redis/redis.presence-store.js';
export {
  contractHandlers,
  type ContractHandlers,
  type ContractPushDocs,
  type ReplyLike,
  type TypedMethodDecorator,
} from './contract/contract-handlers.js';
export { connectionOf } from './connection/connection-map.js';
export type {
  ConnectionCloseInfo,
  RealtimeConnection,
  SendOptions,
} from './connection/realtime-connection.js';
export { CurrentConnection } from './decorators/current-connection.decorator.js';
export { Principal } from './decorators/principal.decorator.js';
export { HandshakeException } from './errors/handshake.exception.js';
export { RealtimeException } from './errors/realtime.exception.js';
export type {
  ConnectionResumeInfo,
  OnConnectionClose,
  OnConnectionOpen,
  OnConnectionResume,
} from './gateway/connection-hooks.js';
export {
  RealtimeGateway,
  type RealtimeGatewayOptions,
} from './gateway/realtime-gateway.decorator.js';
export { RealtimeValidationPipe } from './pipes/realtime-validation.pipe.js';
export { InProcessSessionStore } from './recovery/in-process.session-store.js';
export { InProcessStreamLog } from './recovery/in-process.stream-log.js';
export type { RealtimeRecoveryOptions, RecoveryStreamRule } from './recovery/recovery-options.js';
export { RedisSessionStore } from './recovery/redis.session-store.js';
export { RedisStreamLog, type RedisStreamLogOptions } from './recovery/redis.stream-log.js';
export { SessionStore, type SessionRecord } from './recovery/session-store.js';
export {
  StreamLog,
  type HistoryRule,
  type PositionedDelivery,
  type PositionedReceiver,
  type StreamLogHealth,
  type StreamRead,
} from './recovery/stream-log.js';
export { RealtimeAdapter } from './realtime.adapter.js';
export { RealtimeModule } from './realtime.module.js';
export type {
  JwtAlgorithm,
  RealtimeBrokerOptions,
  RealtimeJwtOptions,
  RealtimeLimitOptions,
  RealtimeModuleOptions,
  RealtimePrincipalOptions,
  RealtimeRedisOptions,
  RealtimeShutdownOptions,
  RealtimeTokenSources,
  RealtimeValidationOptions,
} from './realtime.options.js';
export { RealtimeConfigError } from './realtime.options-validation.js';
export { BroadcastOperator, type EmitOptions } from './registry/broadcast-operator.js';
export { ConnectionRegistry } from './registry/connection-registry.js';
export {
  PresenceDiffs,
  type PresenceDiff,
  type PresenceDiffsOptions,
} from './registry/presence-diffs.js';
export { REALTIME_DEFAULTS } from './realtime.defaults.js';
export {
  RealtimeHealth,
  type LivenessReport,
  type NotReadyReason,
  type ReadinessReport,
} from './health/realtime-health.js';
export { RealtimeHealthController } from './health/realtime-health.controller.js';
export { RealtimeMetrics } from './metrics/realtime-metrics.js';
export type { MetricsRegistryLike, RealtimeMetricsOptions } from './metrics/metrics-options.js';
