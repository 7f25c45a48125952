/** DI token of the options after defaults and validation. */
export const RESOLVED_OPTIONS = Symbol('RealtimeResolvedOptions');

/** Metadata key set by `@RealtimeGateway()`. */
export const REALTIME_GATEWAY = 'realtime:gateway';

/** Metadata key of `@UseHandshakeGuards()`. */
export const HANDSHAKE_GUARDS = 'realtime:handshake-guards';
