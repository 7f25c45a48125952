import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { CloseCode } from '../../protocol/index.js';
import type { RealtimePrincipal } from '../auth/principal.js';
import type { ConnectionResumeInfo } from '../gateway/connection-hooks.js';
import type { Meter } from '../metrics/meter.js';
import type { ConnectionSession } from '../recovery/connection-session.js';
import { InboundLimits, UNLIMITED, type InboundLimitOptions } from './inbound-limits.js';
import type {
  ConnectionCloseInfo,
  RealtimeConnection,
  SendOptions,
} from './realtime-connection.js';
import { SocketWriter, type Corkable } from './socket-writer.js';

/** A Nest message handler bound to its gateway and client: `(data, event) => result`. */
export type BoundHandler = ((data: unknown, event: string, client?: object) => unknown) & {
  /**
   * A direct handler (the module's, shared by every connection): called one microtask after it
   * is scheduled, as Nest's chain starts a handler, and given the client (the `ws` socket) as
   * third argument. Nest's own callbacks are bound to their client and never get a third one.
   */
  readonly deferred?: true;
};

const NO_HANDLERS: ReadonlyMap<string, BoundHandler> = new Map();
/** The rooms of every connection that never joined one. */
const NO_ROOMS: ReadonlySet<string> = new Set();
/** What `closeInfo` says until the socket has closed (one object for every connection). */
const NOT_CLOSED: ConnectionCloseInfo = Object.freeze({ code: CloseCode.ABNORMAL, reason: '' });

/** Messages held while connection hooks run; more than this closes the socket. */
export const MAX_BACKLOG = 256;

/** What a connection is built with besides its identity. */
export interface ConnectionRuntime {
  /** Outbound bytes that may wait before the connection counts as slow. */
  bufferLimit?: number;
  /** The TCP socket under the WebSocket, corked per event-loop turn. */
  transport?: Corkable;
  /** The inbound limits; none when omitted. */
  limits?: InboundLimitOptions;
  /** Handles the held messages once every connection hook has settled. */
  replay?: (state: ConnectionState) => void;
  /** Creation time (starts the token bucket). */
  now?: number;
  /** What HTTP-style guards see as `request.user`, from the principal. */
  requestUser?: (principal: RealtimePrincipal) => unknown;
  /** Counts what happens on the connection when metrics are on. */
  meter?: Meter;
}

/**
 * Everything this instance knows about one socket, in one object: what the application sees
 * (the {@link RealtimeConnection}), and what the runtime needs: the writer, the inbound limits,
 * the handlers of every gateway on the path, the handler queue, messages held while connection
 * hooks run, liveness, its expiry deadline and the disconnect callbacks.
 */
export class ConnectionState implements RealtimeConnection {
  readonly writer: SocketWriter;
  readonly limits: InboundLimits;
  /**
   * The handlers of every gateway on the path, by event: the path's shared map when no gateway
   * needs Nest's per-connection wiring (see `useHandlers`), else this connection's own.
   */
  handlers: ReadonlyMap<string, BoundHandler> = NO_HANDLERS;
  readonly disconnectCallbacks: ((reason?: unknown) => void)[] = [];
  /** Async disconnect hooks still running; graceful shutdown waits for them. */
  readonly disconnectWork: Promise<void>[] = [];
  /** Connection hooks that have not settled yet; messages are held meanwhile. */
  pendingHooks = 0;
  backlog: [RawData, boolean][] = [];
  /** Set when a connection hook failed: nothing more is handled. */
  failed = false;
  /**
   * Cross-instance subscriptions this connection's joins started that the broker has not
   * confirmed yet; replies wait for them, so a member told it joined hears the room's traffic.
   */
  subscribing: Promise<void> | undefined;
  /** @internal Its recovery session (with `recovery`, once named at the upgrade or resumed). */
  session: ConnectionSession | undefined;
  /** @internal The `onConnectionResume` hooks of the gateways on its path, bound to them. */
  resumeHooks: ((info: ConnectionResumeInfo) => unknown)[] | undefined;
  /** Heard from since the last heartbeat tick (a pong or any frame). */
  alive = true;
  /** Handlers running now, and calls waiting for a slot. */
  inFlight = 0;
  readonly queue: (() => void)[] = [];
  /** When the token expires (with the clock tolerance), while the connection waits for it. */
  expiryDeadline: number | undefined;
  /** The upgrade request, kept only when a `$auth` refresh runs guards that may read it. */
  upgradeRequest: IncomingMessage | undefined;
  /** How the socket closed; set before the disconnect hooks run. */
  closeInfo: ConnectionCloseInfo = NOT_CLOSED;
  readonly replay: (state: ConnectionState) => void;
  private readonly mapUser: (principal: RealtimePrincipal) => unknown;
  private ownHandlers: Map<string, BoundHandler> | undefined;
  /** Its rooms, made at its first join (a set per connection cost every handshake). */
  private joined: Set<string> | undefined;
  private userFor: RealtimePrincipal | undefined;
  private user: unknown;

  constructor(
    readonly id: string,
    readonly path: string,
    public principal: RealtimePrincipal,
    readonly socket: WebSocket,
    runtime: ConnectionRuntime = {},
  ) {
    const { bufferLimit, transport, meter } = runtime;
    this.writer = new SocketWriter(socket, bufferLimit, transport, meter);
    this.limits = new InboundLimits(runtime.limits ?? UNLIMITED, runtime.now ?? Date.now());
    this.replay = runtime.replay ?? (() => undefined);
    this.mapUser = runtime.requestUser ?? ((principal) => principal.claims);
  }

  /** Adds the handler of an event, in a map of this connection's own. */
  bindHandler(event: string, handler: BoundHandler): void {
    this.ownHandlers ??= new Map(this.handlers);
    this.handlers = this.ownHandlers.set(event, handler);
  }

  /** Uses a path's handlers, shared with the other connections of the path (never changed). */
  useHandlers(handlers: ReadonlyMap<string, BoundHandler>): void {
    this.ownHandlers = undefined;
    this.handlers = handlers;
  }

  /** `request.user` of HTTP-style guards: mapped once per principal (`$auth` brings a new one). */
  get requestUser(): unknown {
    if (this.userFor !== this.principal) {
      this.userFor = this.principal;
      this.user = this.mapUser(this.principal);
    }
    return this.user;
  }

  get rooms(): ReadonlySet<string> {
    return this.joined ?? NO_ROOMS;
  }

  /** @internal Only the registry's index (local-index.ts) joins and leaves. */
  joinRoom(room: string): void {
    (this.joined ??= new Set()).add(room);
  }

  /** @internal */
  leaveRoom(room: string): void {
    this.joined?.delete(room);
  }

  get userId(): string {
    return this.principal.userId;
  }

  get isOpen(): boolean {
    return this.writer.isOpen && !this.writer.isClosing;
  }

  send(event: string, data: unknown, options: SendOptions = {}): boolean {
    return this.writer.write(JSON.stringify({ event, data }), options.volatile);
  }

  /** Every server-initiated close but 4408 comes here: see {@link SocketWriter.close}. */
  close(code: number, reason = ''): void {
    this.writer.close(code, reason);
  }
}
