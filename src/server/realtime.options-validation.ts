import { createPublicKey, createSecretKey, KeyObject } from 'node:crypto';
import { PRESENCE_METHODS } from './broker/presence-store.js';
import { BUS_METHODS } from './broker/realtime-bus.js';
import { REALTIME_DEFAULTS as D } from './realtime.defaults.js';
import type {
  JwtAlgorithm,
  RealtimeLimitOptions,
  RealtimeModuleOptions,
  ResolvedRealtimeOptions,
} from './realtime.options.js';
import { resolveAsyncApiOptions } from './asyncapi/asyncapi-options.js';
import { resolveMetricsOptions } from './metrics/metrics-options.js';
import { positiveInt, RealtimeConfigError } from './realtime.config-error.js';
import { resolveRedis } from './realtime.redis-options.js';
import { resolveRecovery } from './recovery/recovery-options.js';
import { SESSION_STORE_METHODS } from './recovery/session-store.js';
import { STREAM_LOG_METHODS } from './recovery/stream-log.js';

const HMAC: readonly JwtAlgorithm[] = ['HS256', 'HS384', 'HS512'];
const ASYMMETRIC: readonly JwtAlgorithm[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
];

export { RealtimeConfigError };

function resolveLimits(limits: RealtimeLimitOptions = {}): Required<RealtimeLimitOptions> {
  const int = (key: keyof RealtimeLimitOptions, min = 1) =>
    positiveInt(`limits.${key}`, limits[key], D.limits[key], min);
  return {
    messagesPerSecond: int('messagesPerSecond'),
    messageBurst: int('messageBurst'),
    rateLimitedBeforeClose: int('rateLimitedBeforeClose'),
    concurrentHandlers: int('concurrentHandlers'),
    queuedMessages: int('queuedMessages', 0),
    connectionsPerUser: int('connectionsPerUser'),
    connections: int('connections'),
    roomsPerConnection: int('roomsPerConnection'),
    pendingHandshakes: int('pendingHandshakes'),
    handshakeTimeoutMs: int('handshakeTimeoutMs'),
    headersTimeoutMs: int('headersTimeoutMs', 0),
    bufferedBytes: int('bufferedBytes'),
    retryAfterSec: int('retryAfterSec'),
  };
}

function toKey(value: string | Buffer | KeyObject, kind: 'secret' | 'public'): KeyObject {
  if (value instanceof KeyObject) return value;
  return kind === 'secret' ? createSecretKey(Buffer.from(value)) : createPublicKey(value);
}

function resolveJwt(options: RealtimeModuleOptions): ResolvedRealtimeOptions['jwt'] {
  const jwt = options.jwt ?? {};
  const usesJwtGuard = options.handshakeGuards === undefined;
  if (jwt.verify !== undefined && typeof jwt.verify !== 'function') {
    throw new RealtimeConfigError(
      '"jwt.verify" must be a function (token) => claims, e.g. (t) => jwtService.verify(t).',
    );
  }
  if (jwt.verify && (jwt.secret || jwt.publicKey)) {
    throw new RealtimeConfigError(
      'set "jwt.verify" or a key ("jwt.secret" / "jwt.publicKey"), not both: your verify function checks the signature.',
    );
  }
  if (usesJwtGuard && !jwt.secret && !jwt.publicKey && !jwt.verify) {
    throw new RealtimeConfigError(
      'no JWT key configured. Set "jwt.secret" (HS256) or "jwt.publicKey" (RS256/ES256), "jwt.verify" to verify with your own JwtService, or pass your own "handshakeGuards".',
    );
  }
  if (jwt.secret && jwt.publicKey) {
    throw new RealtimeConfigError('set either "jwt.secret" or "jwt.publicKey", not both.');
  }
  if (typeof jwt.secret === 'string' && jwt.secret.length < 32) {
    throw new RealtimeConfigError(
      '"jwt.secret" is shorter than 32 characters; HS256 needs at least 256 bits. Generate one with `openssl rand -base64 48`.',
    );
  }
  const algorithms = jwt.algorithms ?? [
    ...(jwt.publicKey ? D.jwt.asymmetricAlgorithms : D.jwt.algorithms),
  ];
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw new RealtimeConfigError('"jwt.algorithms" must be a non-empty list such as ["HS256"].');
  }
  const allowed = jwt.publicKey ? ASYMMETRIC : HMAC;
  const wrong = algorithms.filter((a) => !allowed.includes(a));
  if (wrong.length > 0 && (jwt.secret || jwt.publicKey)) {
    throw new RealtimeConfigError(
      `"jwt.algorithms" has ${wrong.join(', ')}, which do not fit a ${jwt.publicKey ? 'public key' : 'shared secret'}. Allowed here: ${allowed.join(', ')}.`,
    );
  }
  const clockToleranceSec = jwt.clockToleranceSec ?? D.jwt.clockToleranceSec;
  if (typeof clockToleranceSec !== 'number' || clockToleranceSec < 0 || clockToleranceSec > 30) {
    throw new RealtimeConfigError('"jwt.clockToleranceSec" must be between 0 and 30 seconds.');
  }
  return {
    ...jwt,
    secret: jwt.secret ? toKey(jwt.secret, 'secret') : undefined,
    publicKey: jwt.publicKey ? toKey(jwt.publicKey, 'public') : undefined,
    algorithms,
    clockToleranceSec,
  };
}

function resolvePrincipal(
  principal: RealtimeModuleOptions['principal'] = {},
): ResolvedRealtimeOptions['principal'] {
  const { userIdClaim = D.principal.userIdClaim, userId, requestUser } = principal;
  if (typeof userIdClaim !== 'string' || userIdClaim.length === 0) {
    throw new RealtimeConfigError(
      `"principal.userIdClaim" must be a claim name such as "sub" or "id", got ${JSON.stringify(userIdClaim)}.`,
    );
  }
  for (const [name, value] of [
    ['userId', userId],
    ['requestUser', requestUser],
  ] as const) {
    if (value !== undefined && typeof value !== 'function') {
      throw new RealtimeConfigError(`"principal.${name}" must be a function of the claims.`);
    }
  }
  return { userIdClaim, userId, requestUser: requestUser ?? ((p) => p.claims) };
}

function resolveOrigins(value: RealtimeModuleOptions['allowedOrigins']) {
  if (value === undefined) return D.allowedOrigins;
  if (value === 'same-origin' || value === '*') return value;
  if (!Array.isArray(value)) {
    throw new RealtimeConfigError(
      '"allowedOrigins" must be a list of origins, "same-origin" or "*".',
    );
  }
  for (const origin of value) {
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw new RealtimeConfigError(
        `"allowedOrigins" entry ${JSON.stringify(origin)} is not a URL; write it as scheme://host[:port], e.g. "https://app.example.com".`,
      );
    }
    if (parsed.origin !== origin) {
      throw new RealtimeConfigError(
        `"allowedOrigins" entry ${JSON.stringify(origin)} must be an exact origin without path or trailing slash: "${parsed.origin}".`,
      );
    }
  }
  return [...value];
}

function missingMethods(value: unknown, methods: readonly string[]): string[] {
  if (typeof value !== 'object' || value === null) return [...methods];
  const record = value as Record<string, unknown>;
  return methods.filter((method) => typeof record[method] !== 'function');
}

function resolveBroker(options: RealtimeModuleOptions): ResolvedRealtimeOptions['broker'] {
  const { broker } = options;
  if (broker === undefined) return undefined;
  if (options.redis !== undefined) {
    throw new RealtimeConfigError(
      'set "redis" or "broker", not both: "redis" configures the Redis broker; remove it to use your own.',
    );
  }
  const parts = [
    ['bus', 'RealtimeBus', BUS_METHODS],
    ['presence', 'PresenceStore', PRESENCE_METHODS],
  ] as const;
  const recovery = [
    ['log', 'StreamLog', STREAM_LOG_METHODS],
    ['sessions', 'SessionStore', SESSION_STORE_METHODS],
  ] as const;
  for (const [part, type, methods] of options.recovery === undefined ? [] : recovery) {
    const missing = missingMethods((broker as Partial<typeof broker> | null)?.[part], methods);
    if (missing.length === 0) continue;
    throw new RealtimeConfigError(
      `"recovery" needs "broker.${part}", a ${type} shared by every instance (${missing.map((m) => `${m}()`).join(', ')} missing). Pass { bus, presence, log, sessions }.`,
    );
  }
  for (const [part, type, methods] of parts) {
    const missing = missingMethods((broker as Partial<typeof broker> | null)?.[part], methods);
    if (missing.length === 0) continue;
    throw new RealtimeConfigError(
      `"broker.${part}" must be a ${type}, but it has no ${missing.map((m) => `${m}()`).join(', ')}. Pass { bus, presence }: classes that extend RealtimeBus and PresenceStore and implement every abstract method.`,
    );
  }
  return broker;
}

/** Applies defaults and checks every option; throws `RealtimeConfigError` with a fix. */
export function resolveRealtimeOptions(options: RealtimeModuleOptions): ResolvedRealtimeOptions {
  if (options === null || typeof options !== 'object') {
    throw new RealtimeConfigError('options must be an object, e.g. forRoot({ jwt: { secret } }).');
  }
  const sources = options.tokenSources ?? {};
  if (sources.cookie !== undefined && sources.cookie !== false && !sources.cookie) {
    throw new RealtimeConfigError('"tokenSources.cookie" must be a cookie name or false.');
  }
  return {
    jwt: resolveJwt(options),
    tokenSources: {
      header: sources.header ?? D.tokenSources.header,
      subprotocol: sources.subprotocol ?? D.tokenSources.subprotocol,
      query: sources.query ?? D.tokenSources.query,
      cookie: sources.cookie ?? D.tokenSources.cookie,
    },
    principal: resolvePrincipal(options.principal),
    allowedOrigins: resolveOrigins(options.allowedOrigins),
    handshakeGuards: options.handshakeGuards,
    maxPayload: positiveInt('maxPayload', options.maxPayload, D.maxPayload),
    maxDepth: positiveInt('maxDepth', options.maxDepth, D.maxDepth),
    maxBadMessages: positiveInt('maxBadMessages', options.maxBadMessages, D.maxBadMessages),
    badMessageWindowMs: positiveInt(
      'badMessageWindowMs',
      options.badMessageWindowMs,
      D.badMessageWindowMs,
    ),
    validation: {
      forbidUnknownFields:
        options.validation?.forbidUnknownFields ?? D.validation.forbidUnknownFields,
    },
    heartbeatIntervalMs: positiveInt(
      'heartbeatIntervalMs',
      options.heartbeatIntervalMs,
      D.heartbeatIntervalMs,
      0,
    ),
    limits: resolveLimits(options.limits),
    shutdown: {
      drainMs: positiveInt('shutdown.drainMs', options.shutdown?.drainMs, D.shutdown.drainMs, 0),
      batchSize: positiveInt(
        'shutdown.batchSize',
        options.shutdown?.batchSize,
        D.shutdown.batchSize,
      ),
    },
    redis: resolveRedis(options.redis),
    broker: resolveBroker(options),
    recovery: resolveRecovery(options.recovery),
    asyncapi: resolveAsyncApiOptions(options.asyncapi),
    metrics: resolveMetricsOptions(options.metrics),
  };
}
