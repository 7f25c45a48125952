import type {
  SocketCloseEvent,
  SocketMessageEvent,
  WebSocketConstructor,
  WebSocketConstructorOptions,
  WebSocketLike,
} from '../../src/client/index.js';

/** A frame the client sent, parsed. */
export interface SentFrame {
  event: string;
  data?: unknown;
  id?: number;
}

/**
 * A WebSocket with no network, for the client's unit tests: the constructor records what the
 * client asked for; the test drives `open`, `message` and `close` and reads what was sent.
 */
export class FakeWebSocket implements WebSocketLike {
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: SocketMessageEvent) => void) | null = null;
  onclose: ((event: SocketCloseEvent) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  /** Raw frames the client sent, in order. */
  readonly sent: string[] = [];
  /** The arguments of the client's `close()`, if it called it. */
  closedWith: { code: number | undefined; reason: string | undefined } | undefined;

  constructor(
    readonly url: string,
    readonly protocols: string[],
    readonly options?: WebSocketConstructorOptions,
  ) {}

  send(data: string): void {
    if (this.readyState !== 1) throw new Error(`send() in readyState ${this.readyState}`);
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 2;
  }

  /** The sent frames, parsed. */
  get frames(): SentFrame[] {
    return this.sent.map((frame) => JSON.parse(frame) as SentFrame);
  }

  /** The last frame sent with this event. */
  lastFrame(event: string): SentFrame {
    const frame = this.frames.filter((f) => f.event === event).at(-1);
    if (!frame) throw new Error(`No "${event}" frame was sent`);
    return frame;
  }

  /** The server accepted the upgrade. */
  open(): void {
    this.readyState = 1;
    this.onopen?.({ type: 'open' });
  }

  /** A text frame from the server (objects are serialized). */
  receive(message: object | string): void {
    const data = typeof message === 'string' ? message : JSON.stringify(message);
    this.onmessage?.({ data });
  }

  /** Replies to the last request with this event. */
  reply(event: string, data: unknown): void {
    this.receive({ id: this.lastFrame(event).id, data });
  }

  /** The connection ended with this close code (1006: refused or lost, as a browser sees it). */
  serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    if (code === 1006) this.onerror?.({ type: 'error' });
    this.onclose?.({ code, reason });
  }
}

/** A set of fake sockets created by one constructor; `kind` picks its signature. */
export interface FakeSockets {
  WebSocket: WebSocketConstructor;
  sockets: FakeWebSocket[];
  /** The most recent socket. */
  last(): FakeWebSocket;
}

/**
 * A fake WebSocket constructor: `node` takes `(url, protocols, options)` like `ws`; `browser`
 * takes `(url, protocols)` like the browser's.
 */
export function fakeWebSockets(kind: 'node' | 'browser' = 'node'): FakeSockets {
  const sockets: FakeWebSocket[] = [];
  class NodeLike extends FakeWebSocket {
    constructor(url: string, protocols: string[], options?: WebSocketConstructorOptions) {
      super(url, protocols, options);
      sockets.push(this);
    }
  }
  class BrowserLike extends FakeWebSocket {
    constructor(url: string, protocols: string[]) {
      super(url, protocols);
      sockets.push(this);
    }
  }
  const last = (): FakeWebSocket => {
    const socket = sockets.at(-1);
    if (!socket) throw new Error('No socket was created');
    return socket;
  };
  return { WebSocket: kind === 'node' ? NodeLike : BrowserLike, sockets, last };
}

/** An unsigned JWT with these claims (the client only reads `exp`). */
export function fakeJwt(claims: Record<string, unknown>): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.signature`;
}
