import { ReservedEvent, type AuthRequest } from '../protocol/index.js';
import {
  ClientErrorCode,
  describeError,
  RealtimeClientError,
  RequestError,
} from './client.errors.js';
import { readTokenExpiry, refreshDelay } from './token.js';
import { askForToken, type TokenProvider } from './unauthorized.js';
import type { WebSocketLike } from './web-socket.js';

/** setTimeout's largest delay (about 24.8 days); longer waits are done in steps. */
const MAX_TIMER_MS = 2_147_483_647;

/** The options the upkeep reads. */
export interface UpkeepOptions {
  pingIntervalMs: number;
  pingTimeoutMs: number;
  refreshToken: boolean;
  refreshBeforeMs: number;
  requestTimeoutMs: number;
  getToken: TokenProvider | undefined;
}

/** What the upkeep needs from the client. */
export interface UpkeepHost {
  /** Sends an internal request on the open socket (never queued). */
  call(event: string, data: unknown, timeoutMs: number): Promise<unknown>;
  /** Whether `socket` is still the client's socket. */
  isCurrent(socket: WebSocketLike): boolean;
  currentToken(): string | undefined;
  /** `$auth` accepted `token`: reconnects may use it. */
  tokenRefreshed(token: string): void;
  /** No `$ping` reply in time: drop the connection and reconnect. */
  dead(reason: string): void;
  /** `getToken()` signalled "unauthorized" during a refresh: stop the client. */
  unauthorized(reason: string): void;
  report(error: RealtimeClientError): void;
}

/**
 * What keeps an open connection healthy: `$ping` every `pingIntervalMs` (a browser cannot see
 * ping frames, so this is how it notices a frozen server or a black-holed network), and the
 * in-band token refresh (`getToken()` then `$auth`) ahead of the JWT's `exp`.
 */
export class Upkeep {
  private pingTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly options: UpkeepOptions,
    private readonly host: UpkeepHost,
  ) {}

  /** Starts both for a socket that just opened. */
  start(socket: WebSocketLike): void {
    this.stop();
    this.schedulePing(socket);
    this.scheduleRefresh(socket);
  }

  /** Stops both (the socket is gone, or the client closed). */
  stop(): void {
    clearTimeout(this.pingTimer);
    clearTimeout(this.refreshTimer);
    this.pingTimer = undefined;
    this.refreshTimer = undefined;
  }

  private schedulePing(socket: WebSocketLike): void {
    if (this.options.pingIntervalMs === 0) return;
    this.pingTimer = setTimeout(() => this.ping(socket), this.options.pingIntervalMs);
  }

  private ping(socket: WebSocketLike): void {
    this.pingTimer = undefined;
    if (!this.host.isCurrent(socket)) return;
    const { pingTimeoutMs } = this.options;
    const answered = (): void => {
      if (this.host.isCurrent(socket)) this.schedulePing(socket);
    };
    this.host
      .call(ReservedEvent.PING, undefined, pingTimeoutMs)
      .then(answered, (error: unknown) => {
        if (!(error instanceof RequestError)) return;
        // An error reply (e.g. RATE_LIMITED) still proves the server is alive.
        if (error.fromServer) return answered();
        if (!this.host.isCurrent(socket) || error.code !== ClientErrorCode.TIMEOUT) return;
        this.host.dead(`No reply to $ping within ${pingTimeoutMs} ms`);
      });
  }

  private scheduleRefresh(socket: WebSocketLike): void {
    const token = this.host.currentToken();
    if (!this.options.refreshToken || !this.options.getToken || token === undefined) return;
    const expiresAt = readTokenExpiry(token);
    if (expiresAt === undefined) return;
    const delay = refreshDelay(expiresAt, Date.now(), this.options.refreshBeforeMs);
    if (delay === undefined) return;
    this.refreshTimer =
      delay > MAX_TIMER_MS
        ? setTimeout(() => this.scheduleRefresh(socket), MAX_TIMER_MS)
        : setTimeout(() => void this.refresh(socket, token), delay);
  }

  private async refresh(socket: WebSocketLike, current: string): Promise<void> {
    this.refreshTimer = undefined;
    if (!this.host.isCurrent(socket) || !this.options.getToken) return;
    const outcome = await askForToken(this.options.getToken);
    if (!this.host.isCurrent(socket)) return;
    if (outcome.kind === 'unauthorized') return this.host.unauthorized(outcome.reason);
    // A failure is reported; at `exp` the server closes with 4401 and the reconnect asks
    // getToken() again, with backoff.
    if (outcome.kind === 'failed') {
      const message = `${outcome.reason} (during the in-band refresh)`;
      return this.fail(socket, ClientErrorCode.TOKEN_FAILED, message, outcome.cause);
    }
    const { token } = outcome;
    // The same token again: nothing to gain (the same 4401 path applies).
    if (token === current) return;
    try {
      const request: AuthRequest = { token };
      await this.host.call(ReservedEvent.AUTH, request, this.options.requestTimeoutMs);
    } catch (error) {
      const code = error instanceof RealtimeClientError ? error.code : ClientErrorCode.AUTH_FAILED;
      return this.fail(socket, code, `Token refresh failed: ${describeError(error)}`, error);
    }
    if (!this.host.isCurrent(socket)) return;
    this.host.tokenRefreshed(token);
    this.scheduleRefresh(socket);
  }

  private fail(socket: WebSocketLike, code: string, message: string, cause: unknown): void {
    if (!this.host.isCurrent(socket)) return;
    this.host.report(new RealtimeClientError(code, message, { cause, event: ReservedEvent.AUTH }));
  }
}
