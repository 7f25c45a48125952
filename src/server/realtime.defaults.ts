import { DEFAULT_MESSAGE_LIMITS } from '../protocol/index.js';

/**
 * Every default of `RealtimeModule.forRoot()` in one place: the validation applies these, the
 * `@default` tags of `RealtimeModuleOptions` and the README's configuration table cite them.
 */
export const REALTIME_DEFAULTS = {
  jwt: {
    /** With `jwt.secret`; `['RS256']` with `jwt.publicKey`. */
    algorithms: ['HS256'],
    asymmetricAlgorithms: ['RS256'],
    clockToleranceSec: 5,
  },
  tokenSources: { header: true, subprotocol: true, query: true, cookie: false },
  principal: { userIdClaim: 'sub' },
  allowedOrigins: 'same-origin',
  maxPayload: 65536,
  maxDepth: 32,
  maxBadMessages: 20,
  badMessageWindowMs: 10000,
  validation: { forbidUnknownFields: false },
  heartbeatIntervalMs: 30000,
  limits: {
    messagesPerSecond: DEFAULT_MESSAGE_LIMITS.messagesPerSecond,
    messageBurst: DEFAULT_MESSAGE_LIMITS.messageBurst,
    rateLimitedBeforeClose: 20,
    concurrentHandlers: DEFAULT_MESSAGE_LIMITS.concurrentHandlers,
    queuedMessages: 64,
    connectionsPerUser: 10,
    connections: 10000,
    roomsPerConnection: 128,
    pendingHandshakes: 1000,
    handshakeTimeoutMs: 10000,
    headersTimeoutMs: 10000,
    bufferedBytes: 1024 * 1024,
    retryAfterSec: 5,
  },
  shutdown: { drainMs: 10000, batchSize: 500 },
  redis: {
    prefix: 'realtime',
    presenceTtlMs: 15000,
    commandTimeoutMs: 1000,
    maxMessageBytes: 1048576,
  },
} as const;
