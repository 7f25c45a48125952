import { BEARER_SUBPROTOCOL_PREFIX, SUBPROTOCOL, truncateCloseReason } from '../protocol/index.js';

// Handlers typed as methods are checked bivariantly, so both the DOM's `WebSocket` (handlers
// take `Event`, `MessageEvent`, `CloseEvent`) and `ws`'s (its own event classes) fit.
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** What the client reads from a message event. */
export interface SocketMessageEvent {
  data: unknown;
}

/** What the client reads from a close event. */
export interface SocketCloseEvent {
  code: number;
  reason: string;
}

/**
 * The part of a WebSocket the client uses: the browser's `WebSocket`, Node's global one and
 * `ws` all have it.
 */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: Handler<unknown> | null;
  onmessage: Handler<SocketMessageEvent> | null;
  onclose: Handler<SocketCloseEvent> | null;
  onerror: Handler<unknown> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** Options of a constructor that takes a third argument, like `ws`'s. */
export interface WebSocketConstructorOptions {
  headers: Record<string, string>;
}

/**
 * A WebSocket constructor: `globalThis.WebSocket` in browsers, `WebSocket` from `ws` in Node
 * (which takes `{ headers }` as its third argument).
 */
export type WebSocketConstructor = new (
  url: string,
  protocols: string[],
  options?: WebSocketConstructorOptions,
) => WebSocketLike;

/**
 * How the token travels in the upgrade request:
 * - `subprotocol`: a `bearer.<jwt>` entry next to `realtime.v1` (browsers cannot set headers);
 * - `header`: `Authorization: Bearer <jwt>`, for constructors that take options (`ws`).
 */
export type TokenTransport = 'header' | 'subprotocol';

/** `WebSocket.readyState` values, the same in every implementation. */
export const ReadyState = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;

/**
 * The default transport of a constructor: `header` when it takes a third (options) argument,
 * as `ws`'s `(address, protocols, options)` does; `subprotocol` otherwise (the browser's and
 * Node's global `WebSocket` take two).
 */
export function defaultTokenTransport(WebSocket: WebSocketConstructor): TokenTransport {
  return WebSocket.length >= 3 ? 'header' : 'subprotocol';
}

/** The constructor to use when none is given, or `undefined` when the platform has none. */
export function globalWebSocket(): WebSocketConstructor | undefined {
  const candidate = (globalThis as { WebSocket?: unknown }).WebSocket;
  return typeof candidate === 'function' ? (candidate as WebSocketConstructor) : undefined;
}

/**
 * Opens a socket offering `realtime.v1`, with the token (if any) where `transport` says, then
 * the `extra` entries (the session to resume).
 */
export function openSocket(
  WebSocket: WebSocketConstructor,
  url: string,
  token: string | undefined,
  transport: TokenTransport,
  extra: readonly string[] = [],
): WebSocketLike {
  if (token === undefined) return new WebSocket(url, [SUBPROTOCOL, ...extra]);
  if (transport === 'subprotocol') {
    return new WebSocket(url, [SUBPROTOCOL, `${BEARER_SUBPROTOCOL_PREFIX}${token}`, ...extra]);
  }
  const headers = { Authorization: `Bearer ${token}` };
  return new WebSocket(url, [SUBPROTOCOL, ...extra], { headers });
}

/** Closes a socket unless it is closing already; a long reason is truncated to fit. */
export function closeQuietly(
  socket: WebSocketLike | undefined,
  code: number,
  reason: string,
): void {
  if (!socket || socket.readyState >= ReadyState.CLOSING) return;
  try {
    socket.close(code, truncateCloseReason(reason));
  } catch {
    // A socket that throws on close is gone anyway.
  }
}

/** An upgrade the server refused with an HTTP error. */
export interface UpgradeRefusal {
  readonly status: number;
  /** The protocol's code from the JSON body (`UNAUTHORIZED`, ...), when there is one. */
  readonly code: string | undefined;
  readonly message: string;
  /** `Retry-After` of a 429 or 503, in seconds. */
  readonly retryAfterSec: number | undefined;
}

/** The part of `ws`'s client the refusal is read from (browsers expose none of it). */
interface NodeSocket {
  on(event: 'unexpected-response', listener: (request: unknown, response: Response) => void): void;
  terminate(): void;
}

interface Response {
  statusCode?: number;
  headers: Record<string, string | string[] | undefined>;
  setEncoding(encoding: string): void;
  on(event: 'data', listener: (chunk: string) => void): void;
  on(event: 'end' | 'error', listener: () => void): void;
}

const MAX_REFUSAL_BODY = 4096;

function refusalOf(status: number, body: string, retryAfter: unknown): UpgradeRefusal {
  let code: string | undefined;
  let message = `HTTP ${status}`;
  try {
    const error = (JSON.parse(body) as { error?: { code?: unknown; message?: unknown } }).error;
    if (typeof error?.code === 'string') code = error.code;
    if (typeof error?.message === 'string') message = error.message;
  } catch {
    // Not the protocol's JSON body (a proxy's page): the status says enough.
  }
  const seconds = Number(retryAfter);
  const retryAfterSec = Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
  return { status, code, message, retryAfterSec };
}

/**
 * Where the socket can tell (`ws` in Node emits `unexpected-response`), reads a refused
 * upgrade's status, code and `Retry-After`, reports it, then ends the attempt (the socket then
 * closes with 1006 as usual). Browsers hide refusals: nothing happens there.
 */
export function watchRefusal(
  socket: WebSocketLike,
  onRefused: (refusal: UpgradeRefusal) => void,
): void {
  const node = socket as Partial<NodeSocket>;
  if (typeof node.on !== 'function' || typeof node.terminate !== 'function') return;
  node.on('unexpected-response', (_request, response) => {
    let body = '';
    const done = (): void => {
      onRefused(refusalOf(response.statusCode ?? 0, body, response.headers['retry-after']));
      node.terminate?.();
    };
    response.setEncoding('utf8');
    response.on('data', (chunk) => {
      if (body.length < MAX_REFUSAL_BODY) body += chunk;
    });
    response.on('end', done);
    response.on('error', done);
  });
}

/**
 * Resolves once `socket` has closed, or after `maxWaitMs` when the peer does not answer (a timer
 * that does not keep a Node process alive).
 */
export function waitForClose(socket: WebSocketLike | undefined, maxWaitMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!socket || socket.readyState === ReadyState.CLOSED) return resolve();
    const timer = setTimeout(resolve, maxWaitMs);
    (timer as { unref?: () => void }).unref?.();
    socket.onclose = () => {
      clearTimeout(timer);
      resolve();
    };
  });
}

/** Unhooks the client's handlers: nothing from `socket` reaches the client any more. */
export function silence(socket: WebSocketLike): void {
  socket.onopen = null;
  socket.onmessage = null;
  // Not null: closing a socket that is still connecting makes `ws` emit 'error', and an
  // EventEmitter 'error' without a listener would crash a Node process.
  socket.onerror = () => undefined;
  socket.onclose = null;
}
