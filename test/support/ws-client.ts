import WebSocket from 'ws';
import type { IncomingHttpHeaders } from 'node:http';

export interface ConnectOptions {
  token?: string;
  /** Subprotocols to offer; the token is added as `bearer.<token>` when `tokenIn` is 'subprotocol'. */
  protocols?: string[];
  tokenIn?: 'header' | 'subprotocol' | 'query';
  headers?: Record<string, string>;
  origin?: string;
  path?: string;
}

/** A refused upgrade, as the client saw it. */
export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly headers: IncomingHttpHeaders,
    readonly body: string,
  ) {
    super(`Upgrade refused with ${status}: ${body}`);
  }
  json(): { error: { code: string; message: string } } {
    return JSON.parse(this.body) as { error: { code: string; message: string } };
  }
}

export interface Closed {
  code: number;
  reason: string;
}

type Message = Record<string, unknown>;

/**
 * A `ws` client for tests: buffers every message so tests await what they expect (never sleep),
 * correlates requests by id, and exposes the close as a promise.
 */
export class TestSocket {
  private readonly inbox: Message[] = [];
  private waiters: { match: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  private nextId = 1;
  readonly closed: Promise<Closed>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const message = JSON.parse(raw.toString()) as Message;
      const waiter = this.waiters.find((w) => w.match(message));
      if (waiter) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(message);
      } else {
        this.inbox.push(message);
      }
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  static connect(baseUrl: string, options: ConnectOptions = {}): Promise<TestSocket> {
    const { token, tokenIn = 'header' } = options;
    const url = new URL(options.path ?? '/ws', baseUrl);
    const protocols = [...(options.protocols ?? ['realtime.v1'])];
    const headers: Record<string, string> = { ...options.headers };
    if (token && tokenIn === 'header') headers['Authorization'] = `Bearer ${token}`;
    if (token && tokenIn === 'subprotocol') protocols.push(`bearer.${token}`);
    if (token && tokenIn === 'query') url.searchParams.set('access_token', token);
    const ws = new WebSocket(url, protocols, { headers, origin: options.origin });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TestSocket(ws)));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => reject(new UpgradeRefused(res.statusCode ?? 0, res.headers, body)));
      });
      ws.once('error', reject);
    });
  }

  /** Sends an object as JSON, or a string as is. */
  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Sends `{event, data, id}` and resolves with the reply (`{id, data}` or `{id, error}`). */
  request(event: string, data?: unknown, id: number | string = this.nextId++): Promise<Message> {
    this.send({ event, data, id });
    return this.next((m) => m['id'] === id && !('event' in m));
  }

  /** The first buffered or future message matching `match`. */
  next(match: (m: Message) => boolean = () => true, timeoutMs = 5000): Promise<Message> {
    const index = this.inbox.findIndex(match);
    if (index >= 0) return Promise.resolve(this.inbox.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(
          new Error(
            `No matching message within ${timeoutMs} ms; inbox: ${JSON.stringify(this.inbox)}`,
          ),
        );
      }, timeoutMs);
      const done = (m: Message) => {
        clearTimeout(timer);
        resolve(m);
      };
      this.waiters.push({ match, resolve: done });
    });
  }

  /** The next push of `event`. */
  nextEvent(event: string, timeoutMs?: number): Promise<Message> {
    return this.next((m) => m['event'] === event, timeoutMs);
  }

  /** Messages received and not yet consumed. */
  pending(): Message[] {
    return [...this.inbox];
  }

  close(code?: number): Promise<Closed> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close(code);
    }
    return this.closed;
  }
}

/** Expects the connection to be refused; resolves with the refusal. */
export async function expectRefused(
  baseUrl: string,
  options: ConnectOptions,
): Promise<UpgradeRefused> {
  try {
    const socket = await TestSocket.connect(baseUrl, options);
    await socket.close();
  } catch (error) {
    if (error instanceof UpgradeRefused) return error;
    throw error;
  }
  throw new Error('The upgrade was accepted');
}
