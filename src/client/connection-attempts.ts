import { CloseCode } from '../protocol/index.js';
import { Backoff, type RandomSource, type ResolvedBackoffOptions } from './backoff.js';
import type { StateChangeCode } from './client-state.js';
import { ClientErrorCode, describeError, type ClientErrorCodeValue } from './client.errors.js';
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
  getToken: (() => Promise<string> | string) | undefined;
  backoff: ResolvedBackoffOptions;
  maxFailedOpens: number;
  random: RandomSource;
}

/** What the attempts need from the client. */
export interface AttemptHost {
  /** An attempt opened this socket (not open yet): its events go to the client. */
  attach(socket: WebSocketLike): void;
  /** The attempt failed for good (`AUTH_FAILED`, `CONNECT_FAILED`): stop. */
  fail(code: ClientErrorCodeValue, reason: string): void;
}

/**
 * When the client opens its next socket, and with which token: `getToken()` again when the
 * token is stale (the first connect, after a connection that was open, after `4401`, after
 * `maxFailedOpens` sockets in a row that never opened), after a jittered backoff that starts
 * over only after a stable connection. `cancel()` stops an attempt that still waits for its
 * token or its timer.
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
    const { getToken } = this.options;
    if (this.tokenStale && getToken) {
      let token: unknown;
      try {
        token = await getToken();
      } catch (error) {
        const reason = `getToken() failed: ${describeError(error)}`;
        if (seq === this.seq) this.host.fail(ClientErrorCode.AUTH_FAILED, reason);
        return;
      }
      if (seq !== this.seq) return;
      if (typeof token !== 'string' || token.length === 0) {
        return this.host.fail(ClientErrorCode.AUTH_FAILED, 'getToken() returned no token');
      }
      this.token = token;
      this.tokenStale = false;
    }
    this.open();
  }

  /** The socket opened; returns whether it is a reconnect (one opened since `reset()`). */
  opened(): boolean {
    this.failedOpens = 0;
    this.refreshedFor401 = false;
    this.openedAt = Date.now();
    const reconnected = this.everOpened;
    this.everOpened = true;
    return reconnected;
  }

  /** The socket closed with `code` and the client reconnects: schedules the next attempt. */
  retry(code: StateChangeCode, leastMs = 0): void {
    const openFor = this.openedAt === undefined ? undefined : Date.now() - this.openedAt;
    this.openedAt = undefined;
    if (openFor === undefined) this.countFailedOpen();
    else this.backoff.connectionClosed(openFor);
    // A fresh token before every reconnect after an open connection, 4401 above all.
    if (openFor !== undefined || code === CloseCode.TOKEN_EXPIRED) this.tokenStale = true;
    const rateMs = code === CloseCode.RATE_EXCEEDED ? this.options.backoff.rateLimitedMs : 0;
    const minMs = Math.max(rateMs, leastMs);
    const seq = this.seq;
    const retry = (): void => void (seq === this.seq && this.start());
    this.timer = setTimeout(retry, this.backoff.next(minMs));
  }

  /** The client stops: no attempt is pending any more. */
  cancel(): void {
    this.seq++;
    clearTimeout(this.timer);
    this.openedAt = undefined;
  }

  private open(): void {
    const { WebSocket, url, tokenTransport } = this.options;
    let socket: WebSocketLike;
    try {
      socket = openSocket(WebSocket, url, this.token, tokenTransport);
    } catch (error) {
      const reason = `Cannot open a WebSocket: ${describeError(error)}`;
      return this.host.fail(ClientErrorCode.CONNECT_FAILED, reason);
    }
    this.host.attach(socket);
  }

  /** A socket that never opened: after `maxFailedOpens` in a row, ask for a new token. */
  private countFailedOpen(): void {
    this.failedOpens++;
    if (this.failedOpens < this.options.maxFailedOpens) return;
    this.failedOpens = 0;
    this.tokenStale = true;
  }
}
