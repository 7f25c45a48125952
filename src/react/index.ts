export {
  createRealtimeHooks,
  type RealtimeHooks,
  type RealtimeProviderProps,
} from './create-realtime-hooks.js';
export type { ConnectionStatus } from './connection-store.js';
export type { RequestHandle } from './use-request.js';
