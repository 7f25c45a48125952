import { CloseCode } from '../protocol/index.js';
import { Backoff, type RandomSource, type ResolvedBackoffOptions } from './backoff.js';
import type { StateChangeCode } from './client-state.js';
import {
  ClientErrorCode,
  RealtimeClientError,
  describeError,
  type ClientErrorCodeValue,
} from './client.errors.js';
import { askForToken, type TokenProvider } from './unauthorized.js';
import {
  openSocket,
  type TokenTransport,
  type UpgradeRefusal,
  type WebSocketConstructor,
  type WebSocketLike,
} from './web-socket.js';

/** The options the attempts read. */
export interface AttemptOptions {
  url: string;
  WebSocket: WebSocketConstructor;
  tokenTransport: TokenTransport;
  getToken: TokenProvider | undefined;
  backoff: ResolvedBackoffOptions;
  maxFailedOpens: number;
  connectTimeoutMs: number;
  random: RandomSource;
}

/** What the attempts need from the client. */
export interface AttemptHost {
  /** Subprotocol entries to offer after `realtime.v1` and the token (the session to resume). */
  protocols(): string[];
  /** An attempt opened this socket (not open yet): its events go to the client. */
  attach(socket: WebSocketLike): void;
  /** The attempt's socket did not open within `connectTimeoutMs`: drop it (a failed open). */
  timedOut(reason: string): void;
  /** `getToken()` failed and the next attempt is scheduled: the client is reconnecting. */
  retrying(code: StateChangeCode, reason: string, error: RealtimeClientError): void;
  /** `maxFailedOpens` attempts in a row failed: tell the app (the attempts go on). */
  unreachable(error: RealtimeClientError): void;
  /** The attempts stop for good (`AUTH_FAILED`, `CONNECT_FAILED`): stop the client. */
  fail(code: ClientErrorCodeValue, reason: string): void;
}

/**
 * When the client opens its next socket, and with which token. `getToken()` again when the
 * token is stale (the first connect, after a connection that was open, after `4401`, after
 * `maxFailedOpens` failed attempts in a row); a failed `getToken()` is retried like a failed
 * open, and only the "unauthorized" signal stops. Every attempt (token and open) is bounded by
 * `connectTimeoutMs`; the backoff starts over only after a stable connection. `cancel()` stops
 * an attempt that still waits for its token, its socket or its timer.
 */
export class ConnectionAttempts {
  /** The token sockets open with; an accepted `$auth` replaces it. */
  token: string | undefined;
  private tokenStale = true;
  private failedOpens = 0;
  private everOpened = false;
  /** A 401 at the upgrade already made the client fetch a new token since the last open. */
  private refreshedFor401 = false;
  private openedAt: number | undefined;
  private readonly backoff: Backoff;
  /** Incremented to cancel an attempt waiting for `getToken()` or for its backoff timer. */
  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private deadline: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly options: AttemptOptions,
    private readonly host: AttemptHost,
  ) {
    this.backoff = new Backoff(options.backoff, options.random);
  }

  /** `connect()` from `closed`: a fresh token, no failed opens, the backoff from the start. */
  reset(): void {
    this.tokenStale = true;
    this.failedOpens = 0;
    this.everOpened = false;
    this.refreshedFor401 = false;
    this.backoff.reset();
  }

  /**
   * An upgrade refused with an HTTP status (seen in Node): `stop` for a refusal that a retry
   * cannot fix (403, 404, other 4xx, and a 401 that a fresh token did not fix), else the least
   * delay before the next attempt (`Retry-After` of a 429 or 503) after a fresh token for 401.
   */
  refused(refusal: UpgradeRefusal): { stop: true } | { stop: false; minMs: number } {
    const { status } = refusal;
    if (status === 401) {
      if (!this.options.getToken || this.refreshedFor401) return { stop: true };
      this.refreshedFor401 = true;
      this.tokenStale = true;
      return { stop: false, minMs: 0 };
    }
    if (status === 429 || status === 503) {
      return { stop: false, minMs: (refusal.retryAfterSec ?? 0) * 1000 };
    }
    if (status >= 400 && status < 500) return { stop: true };
    return { stop: false, minMs: 0 };
  }

  /** Gets a token when the last one is stale, then opens a socket (unless cancelled meanwhile). */
  async start(): Promise<void> {
    const seq = ++this.seq;
    this.armDeadline(seq);
    const { getToken } = this.options;
    if (this.tokenStale && getToken) {
      const outcome = await askForToken(getToken);
      if (seq !== this.seq) return;
      if (outcome.kind === 'unauthorized') {
        return this.host.fail(ClientErrorCode.AUTH_FAILED, outcome.reason);
      }
      if (outcome.kind === 'failed') return this.tokenFailed(outcome.reason, outcome.cause);
      this.token = outcome.token;
      this.tokenStale = false;
    }
    this.open();
  }

  /** The socket opened; returns whether it is a reconnect (one opened since `reset()`). */
  opened(): boolean {
    clearTimeout(this.deadline);
    this.failedOpens = 0;
    this.refreshedFor401 = false;
    this.openedAt = Date.now();
    const reconnected = this.everOpened;
    this.everOpened = true;
    return reconnected;
  }

  /** The socket closed with `code` and the client reconnects: schedules the next attempt. */
  retry(code: StateChangeCode, leastMs = 0): void {
    clearTimeout(this.deadline);
    const openFor = this.openedAt === undefined ? undefined : Date.now() - this.openedAt;
    this.openedAt = undefined;
    if (openFor === undefined) this.countFailedOpen(`the last one closed with ${code}`);
    else this.backoff.connectionClosed(openFor);
    // A fresh token before every reconnect after an open connection, 4401 above all.
    if (openFor !== undefined || code === CloseCode.TOKEN_EXPIRED) this.tokenStale = true;
    const rateMs = code === CloseCode.RATE_EXCEEDED ? this.options.backoff.rateLimitedMs : 0;
    this.schedule(Math.max(rateMs, leastMs));
  }

  /** The client stops: no attempt is pending any more. */
  cancel(): void {
    this.seq++;
    clearTimeout(this.timer);
    clearTimeout(this.deadline);
    this.openedAt = undefined;
  }

  private schedule(minMs: number): void {
    const seq = this.seq;
    const retry = (): void => void (seq === this.seq && this.start());
    this.timer = setTimeout(retry, this.backoff.next(minMs));
  }

  /** An attempt gets `connectTimeoutMs` for its token and its socket's open. */
  private armDeadline(seq: number): void {
    clearTimeout(this.deadline);
    const ms = this.options.connectTimeoutMs;
    this.deadline = setTimeout(() => {
      if (seq !== this.seq) return;
      const reason = `Not connected within connectTimeoutMs (${ms} ms)`;
      // Still waiting for getToken(): abandon that call (its answer is ignored) and retry.
      if (this.tokenStale && this.options.getToken) {
        this.seq++;
        return this.tokenFailed(`getToken() did not settle: ${reason}`, undefined);
      }
      this.host.timedOut(reason);
    }, ms);
  }

  private tokenFailed(reason: string, cause: unknown): void {
    clearTimeout(this.deadline);
    const error = new RealtimeClientError(ClientErrorCode.TOKEN_FAILED, reason, { cause });
    this.schedule(0);
    this.host.retrying(ClientErrorCode.TOKEN_FAILED, reason, error);
    this.countFailedOpen(reason);
  }

  private open(): void {
    const { WebSocket, url, tokenTransport } = this.options;
    let socket: WebSocketLike;
    try {
      socket = openSocket(WebSocket, url, this.token, tokenTransport, this.host.protocols());
    } catch (error) {
      const reason = `Cannot open a WebSocket: ${describeError(error)}`;
      return this.host.fail(ClientErrorCode.CONNECT_FAILED, reason);
    }
    this.host.attach(socket);
  }

  /**
   * An attempt that never opened. After `maxFailedOpens` in a row: ask for a new token (a
   * browser cannot tell a refused upgrade from a dropped connection), and tell the app.
   */
  private countFailedOpen(last: string): void {
    this.failedOpens++;
    if (this.failedOpens < this.options.maxFailedOpens) return;
    const attempts = this.failedOpens;
    this.failedOpens = 0;
    this.tokenStale = true;
    const message =
      `${attempts} connection attempts in a row failed (${last}); still retrying. ` +
      'The server is down or refuses the upgrade (a browser cannot tell which: check the URL, ' +
      'the token and the allowed origins).';
    this.host.unreachable(new RealtimeClientError(ClientErrorCode.UNREACHABLE, message));
  }
}
