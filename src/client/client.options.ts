import {
  DEFAULT_MESSAGE_LIMITS,
  type AnyContract,
  type RealtimeContract,
} from '../protocol/index.js';
import { BACKOFF_DEFAULTS, type BackoffOptions, type RandomSource } from './backoff.js';
import type { ResolvedBackoffOptions } from './backoff.js';
import { debugLogger, type DebugLogger } from './debug-log.js';
import type { RealtimeClient } from './realtime-client.js';
import type { RecoveryInfo } from './resume-reply.js';
import type { TokenProvider } from './unauthorized.js';
import {
  defaultTokenTransport,
  globalWebSocket,
  type TokenTransport,
  type WebSocketConstructor,
} from './web-socket.js';

/**
 * How fast the client sends. The defaults stay inside the server's default limits (50 messages a
 * second with a burst of 100, 16 handlers at once per connection), so a `Promise.all` of hundreds
 * of requests is paced instead of being answered `RATE_LIMITED` and closed with `4429`. Match
 * them to the server's `limits` when you change those.
 */
export interface ClientLimits {
  /**
   * Most requests awaiting their reply at once; more wait in order in the client.
   * @default 16 (the server's `concurrentHandlers`)
   */
  maxInFlight?: number;
  /**
   * Messages sent per second once the burst is spent. `Infinity` disables pacing.
   * @default 50 (the server's `messagesPerSecond`)
   */
  messagesPerSecond?: number;
  /**
   * Messages sent at once before the pacing starts.
   * @default 80 (the server's `messageBurst` of 100, less a margin for network jitter)
   */
  burst?: number;
}

/** The defaults of {@link ClientLimits}. */
export const CLIENT_LIMITS_DEFAULTS: Required<ClientLimits> = {
  maxInFlight: DEFAULT_MESSAGE_LIMITS.concurrentHandlers,
  messagesPerSecond: DEFAULT_MESSAGE_LIMITS.messagesPerSecond,
  burst: DEFAULT_MESSAGE_LIMITS.messageBurst - 20,
};

/** Options of {@link RealtimeClient}. Only `url` is required (and `WebSocket` on Node < 22). */
export interface RealtimeClientOptions<C extends RealtimeContract = AnyContract> {
  /** The gateway's URL, e.g. `wss://api.example.com/ws` (a browser also takes `/ws`). */
  url: string;
  /**
   * The WebSocket constructor. In Node pass `WebSocket` from `ws`.
   * @default globalThis.WebSocket
   */
  WebSocket?: WebSocketConstructor;
  /**
   * Returns the JWT to connect with. Called before the first connect, before every reconnect
   * after a connection that was open, after `maxFailedOpens` failed attempts in a row, and before
   * an in-band refresh. When it throws (a network error, a 502) or does not settle within
   * `connectTimeoutMs`, the error goes to `onError` as `TOKEN_FAILED` and the client retries with
   * backoff. To stop the client (the user signed out), throw an {@link UnauthorizedError} or
   * return `null`: it ends `closed` with code `AUTH_FAILED`. Leave it out when the server needs no
   * token.
   */
  getToken?: TokenProvider;
  /**
   * Where the token goes in the upgrade request: `subprotocol` (`bearer.<jwt>` next to
   * `realtime.v1`) or `header` (`Authorization: Bearer`).
   * @default 'header' for a constructor that takes options (ws), 'subprotocol' otherwise
   */
  tokenTransport?: TokenTransport;
  /**
   * Default timeout of `request()`, counted from the call (time in the offline queue included).
   * @default 10000
   */
  requestTimeoutMs?: number;
  /** Reconnect delays; see {@link BackoffOptions} for each default. */
  backoff?: BackoffOptions;
  /**
   * Interval between two `$ping`s while open (browsers cannot see the server's ping frames);
   * 0 disables the liveness check.
   * @default 25000
   */
  pingIntervalMs?: number;
  /**
   * How long the client waits for the `$ping` reply before it drops the connection and
   * reconnects (state code `PING_TIMEOUT`).
   * @default 10000
   */
  pingTimeoutMs?: number;
  /**
   * Refresh the token in-band: before the JWT's `exp`, call `getToken()` and send `$auth`.
   * @default true
   */
  refreshToken?: boolean;
  /**
   * How long before `exp` to refresh (half the remaining lifetime for shorter-lived tokens).
   * @default 30000
   */
  refreshBeforeMs?: number;
  /**
   * Most emits and requests kept while the client is not open; the next one fails with
   * `QUEUE_FULL`. 0 disables queueing.
   * @default 50 (half the server's default message burst, so a flushed queue is not rate limited)
   */
  maxQueue?: number;
  /**
   * Consecutive attempts that fail before opening (a refused upgrade looks like close 1006 to a
   * browser; a failed `getToken()` counts too) after which `getToken()` is called again, the app
   * gets an `UNREACHABLE` error on `onError` and a pending `connect()` rejects with it. The
   * client keeps retrying; call `close()` to stop it.
   * @default 3
   */
  maxFailedOpens?: number;
  /**
   * Longest wait of one attempt, `getToken()` included, for its socket to open; then the socket
   * is dropped (state code `CONNECT_TIMEOUT`) and the client retries. With `maxFailedOpens`, this
   * bounds how long `connect()` can stay pending.
   * @default 10000
   */
  connectTimeoutMs?: number;
  /**
   * How fast the client sends, so that it stays inside the server's limits by default (see
   * {@link ClientLimits}).
   */
  limits?: ClientLimits;
  /**
   * Logs every frame in and out and every state change (tokens redacted): `true` logs with
   * `console.debug`, a function receives each line.
   * @default false
   */
  debug?: boolean | DebugLogger;
  /**
   * Runs after every reconnect (not the first connect) that did not recover everything, before
   * the offline queue is flushed: re-join rooms, re-subscribe and reload state here (see
   * `recovery`). Its own requests go out at once. A fully recovered reconnect skips it: the
   * server restored the rooms and replayed what was missed.
   */
  onReconnect?: (client: RealtimeClient<C>) => Promise<void> | void;
  /**
   * Missed-message recovery: on every open the client first sends `$resume` with the session of
   * its previous connection (offered as a `session.<id>` subprotocol entry, kept in memory only)
   * and the last position it saw of every stream; the server replays what was missed and
   * restores the rooms, then `onRecovery` says whether everything came back. A server without
   * recovery answers `UNKNOWN_EVENT`: recovery is then off for the client's life. `false`: none
   * of this (no `$resume`, no session, no tracking), every reconnect runs `onReconnect`.
   * @default true
   */
  recovery?: boolean;
  /**
   * Runs after every `$resume` reply (each open while `recovery` is on), before `onReconnect`
   * and the flush of the offline queue; the same as the `onRecovery()` listener method.
   */
  onRecovery?: (info: RecoveryInfo) => void;
  /**
   * Random source of the backoff jitter (for tests).
   * @default Math.random
   */
  random?: RandomSource;
}

/** Options of one `request()`. */
export interface RequestOptions {
  /** Overrides `requestTimeoutMs` for this request. */
  timeout?: number;
}

/** Options with every default applied. */
export interface ResolvedClientOptions<C extends RealtimeContract> {
  url: string;
  WebSocket: WebSocketConstructor;
  getToken: TokenProvider | undefined;
  tokenTransport: TokenTransport;
  requestTimeoutMs: number;
  backoff: ResolvedBackoffOptions;
  pingIntervalMs: number;
  pingTimeoutMs: number;
  refreshToken: boolean;
  refreshBeforeMs: number;
  maxQueue: number;
  maxFailedOpens: number;
  connectTimeoutMs: number;
  limits: Required<ClientLimits>;
  debug: DebugLogger | undefined;
  onReconnect: ((client: RealtimeClient<C>) => Promise<void> | void) | undefined;
  recovery: boolean;
  onRecovery: ((info: RecoveryInfo) => void) | undefined;
  random: RandomSource;
}

/** `defaults` overridden by the values of `given` that are not `undefined`. */
function withDefaults<T extends object>(defaults: Required<T>, given: T | undefined): Required<T> {
  const defined = Object.entries(given ?? {}).filter(([, value]) => value !== undefined);
  return { ...defaults, ...Object.fromEntries(defined) };
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new TypeError(`RealtimeClient: ${message}`);
}

function isCount(value: number, min: number): boolean {
  return Number.isFinite(value) && value >= min;
}

function checkBackoff(backoff: ResolvedBackoffOptions): void {
  const { initialMs, maxMs, multiplier, jitter, resetAfterMs, rateLimitedMs } = backoff;
  check(isCount(initialMs, 1), `backoff.initialMs must be a number >= 1 (got ${initialMs}).`);
  check(isCount(maxMs, initialMs), `backoff.maxMs must be >= backoff.initialMs (got ${maxMs}).`);
  check(isCount(multiplier, 1), `backoff.multiplier must be >= 1 (got ${multiplier}).`);
  check(isCount(jitter, 0) && jitter <= 1, `backoff.jitter must be in [0, 1] (got ${jitter}).`);
  check(isCount(resetAfterMs, 0), `backoff.resetAfterMs must be >= 0 (got ${resetAfterMs}).`);
  check(isCount(rateLimitedMs, 0), `backoff.rateLimitedMs must be >= 0 (got ${rateLimitedMs}).`);
}

function checkOptions<C extends RealtimeContract>(resolved: ResolvedClientOptions<C>): void {
  const { requestTimeoutMs, pingIntervalMs, pingTimeoutMs, maxQueue, maxFailedOpens } = resolved;
  check(isCount(requestTimeoutMs, 1), `requestTimeoutMs must be >= 1 (got ${requestTimeoutMs}).`);
  check(isCount(pingIntervalMs, 0), `pingIntervalMs must be >= 0; 0 disables $ping.`);
  check(isCount(pingTimeoutMs, 1), `pingTimeoutMs must be >= 1 (got ${pingTimeoutMs}).`);
  check(isCount(resolved.refreshBeforeMs, 0), `refreshBeforeMs must be >= 0.`);
  check(Number.isInteger(maxQueue) && maxQueue >= 0, `maxQueue must be an integer >= 0.`);
  check(Number.isInteger(maxFailedOpens) && maxFailedOpens >= 1, `maxFailedOpens must be >= 1.`);
  const { connectTimeoutMs, limits } = resolved;
  check(isCount(connectTimeoutMs, 1), `connectTimeoutMs must be >= 1 (got ${connectTimeoutMs}).`);
  const { maxInFlight, messagesPerSecond, burst } = limits;
  check(Number.isInteger(maxInFlight) && maxInFlight >= 1, `limits.maxInFlight must be >= 1.`);
  check(messagesPerSecond > 0, `limits.messagesPerSecond must be > 0 (Infinity: no pacing).`);
  check(isCount(burst, 1), `limits.burst must be >= 1 (got ${burst}).`);
  checkBackoff(resolved.backoff);
}

/**
 * Applies the defaults and checks the options; throws a `TypeError` that says what to fix.
 */
export function resolveClientOptions<C extends RealtimeContract>(
  options: RealtimeClientOptions<C>,
): ResolvedClientOptions<C> {
  check(
    typeof options.url === 'string' && options.url.length > 0,
    'url is required, e.g. "wss://api.example.com/ws".',
  );
  const WebSocket = options.WebSocket ?? globalWebSocket();
  check(
    WebSocket !== undefined,
    'this platform has no global WebSocket; pass one: new RealtimeClient({ url, WebSocket }) with `import { WebSocket } from "ws"`.',
  );
  const ctor = WebSocket as WebSocketConstructor;
  const resolved: ResolvedClientOptions<C> = {
    url: options.url,
    WebSocket: ctor,
    getToken: options.getToken,
    tokenTransport: options.tokenTransport ?? defaultTokenTransport(ctor),
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    backoff: withDefaults(BACKOFF_DEFAULTS, options.backoff),
    pingIntervalMs: options.pingIntervalMs ?? 25_000,
    pingTimeoutMs: options.pingTimeoutMs ?? 10_000,
    refreshToken: options.refreshToken ?? true,
    refreshBeforeMs: options.refreshBeforeMs ?? 30_000,
    maxQueue: options.maxQueue ?? 50,
    maxFailedOpens: options.maxFailedOpens ?? 3,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    limits: withDefaults(CLIENT_LIMITS_DEFAULTS, options.limits),
    debug: debugLogger(options.debug),
    onReconnect: options.onReconnect,
    recovery: options.recovery ?? true,
    onRecovery: options.onRecovery,
    random: options.random ?? Math.random,
  };
  checkOptions(resolved);
  return resolved;
}
