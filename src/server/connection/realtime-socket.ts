import { WebSocket, type RawData } from 'ws';
import { STATE, stateOf } from './connection-map.js';
import type { ConnectionState } from './connection-state.js';

/** What the module does with the events of its open sockets: one object, every socket's. */
export interface SocketEvents {
  message(state: ConnectionState, raw: RawData, isBinary: boolean): void;
  /** Emitted once per socket. */
  close(state: ConnectionState, code: number, reason: Buffer): void;
  error(state: ConnectionState, error: Error): void;
}

/**
 * The `ws` socket of realtime connections (the `WebSocket` class of their `WebSocketServer`).
 *
 * Its `user` is `request.user` for guards written for HTTP: on a gateway,
 * `switchToHttp().getRequest()` and `switchToWs().getClient()` are the socket. Mapped from the
 * principal once per principal (a `$auth` refresh brings a new one). A getter on the prototype:
 * a property defined on every socket cost a definition per handshake.
 *
 * The module hears its `message`, `pong`, `close` and `error` events in `emit`, before the
 * listeners anyone else added (which still get every event, in the order they were added):
 * four listeners added to every socket cost an `_events` entry each per handshake, and a
 * dispatch through `EventEmitter` per frame.
 */
export class RealtimeSocket extends WebSocket {
  /** Its state once open: declared, so linking it (connection-map.ts) adds no property. */
  [STATE]: ConnectionState | undefined = undefined;
  private events: SocketEvents | undefined = undefined;

  get user(): unknown {
    return stateOf(this)?.requestUser;
  }

  /** Links the socket to its state, and its events, from now on, to `events`. */
  watch(state: ConnectionState, events: SocketEvents): void {
    this[STATE] = state;
    this.events = events;
  }

  // ws emits with at most two arguments; anything else goes to EventEmitter unchanged.
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    const state = this[STATE];
    const events = this.events;
    if (state === undefined || events === undefined) return super.emit(event, ...args);
    switch (event) {
      case 'message':
        events.message(state, args[0] as RawData, args[1] as boolean);
        break;
      case 'pong':
        state.alive = true;
        break;
      case 'close':
        events.close(state, args[0] as number, args[1] as Buffer);
        break;
      case 'error':
        events.error(state, args[0] as Error);
        break;
      default:
        return super.emit(event, ...args);
    }
    // Heard: EventEmitter's `error` without a listener would throw.
    return this.listenerCount(event) === 0 || super.emit(event, ...args);
  }
}
