import type { Type } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import type {
  RealtimeAsyncApiOptions,
  ResolvedAsyncApiOptions,
} from './asyncapi/asyncapi-options.js';
import type { RealtimePrincipal } from './auth/principal.js';
import type { PresenceStore } from './broker/presence-store.js';
import type { RealtimeBus } from './broker/realtime-bus.js';
import type { HandshakeGuard } from './handshake/handshake-guard.js';
import type { RealtimeMetricsOptions, ResolvedMetricsOptions } from './metrics/metrics-options.js';
import type { RealtimeRecoveryOptions, ResolvedRecovery } from './recovery/recovery-options.js';
import type { SessionStore } from './recovery/session-store.js';
import type { StreamLog } from './recovery/stream-log.js';

/** JWT algorithms that may be allowed. `none` is deliberately absent. */
export type JwtAlgorithm =
  | 'HS256'
  | 'HS384'
  | 'HS512'
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512';

export interface RealtimeJwtOptions {
  /** Shared secret for HS* algorithms. A string is turned into a `KeyObject` once (3x faster). */
  secret?: string | Buffer | KeyObject;
  /** Public key (PEM or `KeyObject`) for RS*, PS* and ES* algorithms. */
  publicKey?: string | Buffer | KeyObject;
  /**
   * Explicit allow-list; a token signed with anything else is refused.
   * @default ['HS256'] with `secret`, ['RS256'] with `publicKey`
   */
  algorithms?: JwtAlgorithm[];
  /** Required `iss`, when set. */
  issuer?: string | string[];
  /** Required `aud`, when set. */
  audience?: string | string[];
  /**
   * Clock skew tolerated on `exp` and `nbf`, in seconds.
   * @default 5
   */
  clockToleranceSec?: number;
  /**
   * Verify tokens your own way instead of `secret`/`publicKey`: return the verified claims (or
   * a promise of them), or throw to refuse with 401. For example your app's `JwtService`, with
   * `forRootAsync({ inject: [JwtService], useFactory: (jwt) => ({ jwt: { verify: (t) =>
   * jwt.verify(t) } }) })`. Used at the upgrade and by `$auth`.
   */
  verify?: (token: string) => Record<string, unknown> | Promise<Record<string, unknown>>;
}

/** How the verified claims of a token become the connection's principal. */
export interface RealtimePrincipalOptions {
  /**
   * The claim that holds the user id: a non-empty string, or a safe integer (kept as its text)
   * for any claim but `sub`, which RFC 7519 makes a string (accept a numeric `sub` with
   * `userId: (claims) => claims.sub`).
   * @default 'sub'
   */
  userIdClaim?: string;
  /**
   * Or the user id computed from the claims (a string or a safe integer); a missing one
   * refuses the token with 401. Takes precedence over `userIdClaim`.
   */
  userId?: (claims: Readonly<Record<string, unknown>>) => string | number | undefined;
  /**
   * What guards written for HTTP find as `request.user` (`context.switchToHttp().getRequest()`
   * and `context.switchToWs().getClient()` are the socket on a gateway).
   * @default the verified claims
   */
  requestUser?: (principal: RealtimePrincipal) => unknown;
}

export interface RealtimeTokenSources {
  /** `Authorization: Bearer <jwt>`. @default true */
  header?: boolean;
  /** A `bearer.<jwt>` entry of `Sec-WebSocket-Protocol` (browsers). @default true */
  subprotocol?: boolean;
  /** Query parameter `access_token` (proxies may log it). @default true */
  query?: boolean;
  /** Name of a cookie that holds the token; `false` to ignore cookies. @default false */
  cookie?: string | false;
}

export interface RealtimeValidationOptions {
  /** Reject payloads with fields the DTO does not declare, instead of stripping them. @default false */
  forbidUnknownFields?: boolean;
}

/** Options of `RealtimeModule.forRoot()`. */
export interface RealtimeModuleOptions {
  /** How tokens are verified during the HTTP Upgrade. Required unless `handshakeGuards` omits the JWT guard. */
  jwt?: RealtimeJwtOptions;
  /** Where the token may come from, first found wins in this order. */
  tokenSources?: RealtimeTokenSources;
  /** Which claim is the user id, and what HTTP-style guards see as `request.user`. */
  principal?: RealtimePrincipalOptions;
  /**
   * Exact origins allowed to open a socket (`https://app.example.com`). Requests without an
   * `Origin` header (non-browser clients) always pass. `'same-origin'` accepts an Origin whose
   * host equals the request's `Host`; `'*'` accepts any origin (not recommended).
   * @default 'same-origin'
   */
  allowedOrigins?: string[] | 'same-origin' | '*';
  /**
   * Handshake guards run for every gateway, in order, after the built-in checks.
   * @default [JwtHandshakeGuard]
   */
  handshakeGuards?: Type<HandshakeGuard>[];
  /**
   * Largest accepted message in bytes; larger ones close the socket with 1009.
   * @default 65536
   */
  maxPayload?: number;
  /**
   * Deepest accepted nesting of objects and arrays in a message; deeper ones get `BAD_MESSAGE`.
   * @default 32
   */
  maxDepth?: number;
  /**
   * Malformed messages (`BAD_MESSAGE`) tolerated per connection within `badMessageWindowMs`
   * before the socket is closed with 1008.
   * @default 20
   */
  maxBadMessages?: number;
  /** @default 10000 */
  badMessageWindowMs?: number;
  /** Payload validation by class-validator DTOs. */
  validation?: RealtimeValidationOptions;
  /**
   * Interval of WebSocket ping frames. A peer that sent nothing (no pong, no message) during a
   * whole interval is terminated: within two intervals, three when the server ran late. A peer
   * that answered is never terminated because the server was late (its event loop blocked): a
   * round judges only after reading what had arrived, a full interval after its pings were
   * written, and a round late by over a quarter interval spares the silent once. `0` turns the
   * heartbeat off.
   * @default 30000
   */
  heartbeatIntervalMs?: number;
  /** Per-connection and per-server limits. */
  limits?: RealtimeLimitOptions;
  /** Graceful shutdown (`app.close()`, SIGTERM). */
  shutdown?: RealtimeShutdownOptions;
  /**
   * Scale out on Redis pub/sub (needs the `ioredis` package). Unset: a single instance with the
   * in-process broker.
   */
  redis?: RealtimeRedisOptions;
  /**
   * Your own scale-out engine instead of `redis`: a bus between instances and a presence store
   * that meet their contracts (`RealtimeBus`, `PresenceStore`). A `RealtimeBroker` fits too, e.g.
   * `new InProcessBroker(hub)` for several apps of one process sharing one `InProcessHub`.
   * Unset: `redis` when set, else a single instance with the in-process broker.
   */
  broker?: RealtimeBrokerOptions;
  /**
   * Missed-message recovery: positions and history per stream, and sessions that a reconnecting
   * client resumes, on any instance (in memory, or in Redis with `redis`). Unset: off.
   */
  recovery?: RealtimeRecoveryOptions;
  /**
   * The AsyncAPI 3.0 document of the realtime API (`AsyncApiDocument`), served on
   * `asyncapi.path` (`/asyncapi.json` by default, off when `NODE_ENV` is `production`).
   */
  asyncapi?: RealtimeAsyncApiOptions;
  /** Prometheus metrics (`RealtimeMetrics`); `true` for the defaults. Needs `prom-client`. Off. */
  metrics?: RealtimeMetricsOptions | boolean;
}

/** The implementations of the `broker` option; the registry starts and stops them. */
export interface RealtimeBrokerOptions {
  bus: RealtimeBus;
  presence: PresenceStore;
  /** History of streams, needed with `recovery`. */
  log?: StreamLog;
  /** Closed sessions, needed with `recovery`. */
  sessions?: SessionStore;
}

/**
 * Redis 7 or newer: a standalone server (`url`) or a Redis Cluster (`cluster`), exactly one.
 * Deliveries go over sharded pub/sub, a channel per room, per user and one for everyone.
 */
export interface RealtimeRedisOptions {
  /** A standalone Redis: `redis://[:password@]host:port[/db]` (`rediss://` for TLS). */
  url?: string;
  /**
   * A Redis Cluster: seed nodes as `redis://[:password@]host:port`; one reachable node is
   * enough, the rest is discovered. The credentials of the first seed apply to every node.
   */
  cluster?: readonly string[];
  /** Prefix of the channels and keys, to share one Redis between apps. @default 'realtime' */
  prefix?: string;
  /** An instance silent for this long is considered dead and its presence purged. @default 15000 */
  presenceTtlMs?: number;
  /** A Redis command slower than this fails fast (and is counted). @default 1000 */
  commandTimeoutMs?: number;
  /**
   * Largest publication on the channels, in bytes. A bigger one is not sent (counted in
   * `publishFailures`) nor delivered when read (counted in `ignored`); set it alike on every
   * instance. @default 1048576
   */
  maxMessageBytes?: number;
}

/** The `redis` option with its defaults: `url` or `cluster` is set. */
export type ResolvedRedisOptions = Required<Omit<RealtimeRedisOptions, 'url' | 'cluster'>> &
  Pick<RealtimeRedisOptions, 'url' | 'cluster'>;

export interface RealtimeLimitOptions {
  /** Sustained messages per second per connection (token bucket refill). @default 50 */
  messagesPerSecond?: number;
  /** Messages a connection may send in a burst (bucket size). @default 100 */
  messageBurst?: number;
  /**
   * `RATE_LIMITED` answers tolerated within `badMessageWindowMs` before the socket is closed
   * with 4429. @default 20
   */
  rateLimitedBeforeClose?: number;
  /** Handlers running at once per connection; more messages wait in a queue. @default 16 */
  concurrentHandlers?: number;
  /** Messages waiting for a handler slot per connection; more get `RATE_LIMITED`. @default 64 */
  queuedMessages?: number;
  /** Open connections per user (`sub`); more get HTTP 429. @default 10 */
  connectionsPerUser?: number;
  /** Open connections on this instance; more get HTTP 503. @default 10000 */
  connections?: number;
  /**
   * Rooms one connection may be in at once; `join()` beyond it throws a `RealtimeException`
   * `TOO_MANY_ROOMS` (the handler's reply). Bounds memory and, with Redis, the channels an
   * instance subscribes to. @default 128
   */
  roomsPerConnection?: number;
  /** Upgrades waiting on an asynchronous handshake guard at once; more get HTTP 503. @default 1000 */
  pendingHandshakes?: number;
  /** Time the handshake guards have to decide; then HTTP 503. @default 10000 */
  handshakeTimeoutMs?: number;
  /**
   * Time a client has, from connecting, to send the headers of its first request (the upgrade,
   * or any HTTP request of the app's server); then the socket is destroyed. Bounds slow writers
   * (slowloris), which Node's own `headersTimeout` lets hold a descriptor up to 90 s. `0`: off.
   * @default 10000
   */
  headersTimeoutMs?: number;
  /**
   * Bytes queued for a connection that is not reading. Over it, volatile sends are skipped and
   * any other send closes the socket with 4408. @default 1048576
   */
  bufferedBytes?: number;
  /** `Retry-After` of 429 and 503 answers, in seconds. @default 5 */
  retryAfterSec?: number;
}

export interface RealtimeShutdownOptions {
  /** Budget to close every socket with 1001 before the rest are terminated. @default 10000 */
  drainMs?: number;
  /** Sockets closed per batch during the drain. @default 500 */
  batchSize?: number;
}

/** Options after defaults, as the server uses them. */
export interface ResolvedRealtimeOptions {
  jwt: Required<Pick<RealtimeJwtOptions, 'algorithms' | 'clockToleranceSec'>> &
    Omit<RealtimeJwtOptions, 'algorithms' | 'clockToleranceSec'>;
  tokenSources: Required<RealtimeTokenSources>;
  principal: {
    userIdClaim: string;
    userId: RealtimePrincipalOptions['userId'];
    requestUser: (principal: RealtimePrincipal) => unknown;
  };
  allowedOrigins: string[] | 'same-origin' | '*';
  handshakeGuards: Type<HandshakeGuard>[] | undefined;
  maxPayload: number;
  maxDepth: number;
  maxBadMessages: number;
  badMessageWindowMs: number;
  validation: Required<RealtimeValidationOptions>;
  heartbeatIntervalMs: number;
  limits: Required<RealtimeLimitOptions>;
  shutdown: Required<RealtimeShutdownOptions>;
  redis: ResolvedRedisOptions | undefined;
  broker: RealtimeBrokerOptions | undefined;
  recovery: ResolvedRecovery | undefined;
  asyncapi: ResolvedAsyncApiOptions;
  metrics: ResolvedMetricsOptions | undefined;
}
