import type {
  WebSocketConstructor,
  WebSocketConstructorOptions,
  WebSocketLike,
} from '../client/index.js';

/** What a tapped constructor reports. */
export interface SocketTap {
  /** A socket was created: one connection attempt of the client. */
  created(socket: WebSocketLike): void;
  /** A message reached the client, before the client's own handler runs. */
  message(data: unknown): void;
}

type MessageHandler = WebSocketLike['onmessage'];

/**
 * Wraps a WebSocket constructor so a test sees every socket the client opens and every message
 * the client handles. Only messages delivered while the client listens are reported (the client
 * drops its handler from a socket it has given up on), so the tap sees what the client sees.
 */
export function tapWebSocket(Inner: WebSocketConstructor, tap: SocketTap): WebSocketConstructor {
  return class TappedWebSocket implements WebSocketLike {
    private readonly inner: WebSocketLike;
    private messageHandler: MessageHandler = null;

    // Three parameters, like `ws`'s constructor; the options are passed only when given.
    constructor(url: string, protocols: string[], options?: WebSocketConstructorOptions) {
      this.inner =
        options === undefined ? new Inner(url, protocols) : new Inner(url, protocols, options);
      tap.created(this.inner);
    }

    get readyState(): number {
      return this.inner.readyState;
    }

    get onopen(): WebSocketLike['onopen'] {
      return this.inner.onopen;
    }
    set onopen(handler: WebSocketLike['onopen']) {
      this.inner.onopen = handler;
    }

    get onclose(): WebSocketLike['onclose'] {
      return this.inner.onclose;
    }
    set onclose(handler: WebSocketLike['onclose']) {
      this.inner.onclose = handler;
    }

    get onerror(): WebSocketLike['onerror'] {
      return this.inner.onerror;
    }
    set onerror(handler: WebSocketLike['onerror']) {
      this.inner.onerror = handler;
    }

    get onmessage(): MessageHandler {
      return this.messageHandler;
    }
    set onmessage(handler: MessageHandler) {
      this.messageHandler = handler;
      this.inner.onmessage = handler
        ? (event) => {
            tap.message(event.data);
            handler(event);
          }
        : null;
    }

    send(data: string): void {
      this.inner.send(data);
    }

    close(code?: number, reason?: string): void {
      if (code === undefined) this.inner.close();
      else this.inner.close(code, reason);
    }

    // Passed through when the inner socket has them (`ws`), so the client can read a refused
    // upgrade's status (its `unexpected-response` event) through the tap.
    get on(): ((event: string, listener: (...args: never[]) => void) => unknown) | undefined {
      const inner = this.inner as { on?: (event: string, listener: never) => unknown };
      return inner.on
        ? (event, listener) => inner.on?.call(this.inner, event, listener as never)
        : undefined;
    }

    get terminate(): (() => void) | undefined {
      const inner = this.inner as { terminate?: () => void };
      return inner.terminate ? () => inner.terminate?.call(this.inner) : undefined;
    }
  };
}

/**
 * The token transport the client would pick for `Inner`: `header` for a constructor that takes
 * options (`ws`), `subprotocol` otherwise (the wrapper itself always takes three parameters).
 */
export function transportFor(Inner: WebSocketConstructor): 'header' | 'subprotocol' {
  return Inner.length >= 3 ? 'header' : 'subprotocol';
}
