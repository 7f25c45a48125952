import {
  CloseCode,
  parseObject,
  shouldReconnect,
  type AnyContract,
  type EventName,
  type EventPayload,
  type PayloadArgs,
  type PushData,
  type PushName,
  type RealtimeContract,
  type RequestName,
  type RequestPayload,
  type RequestReply,
} from '../protocol/index.js';
import {
  ClientStateMachine,
  StateCode,
  type ClientState,
  type StateChange,
  type StateChangeCode,
} from './client-state.js';
import {
  ClientErrorCode,
  describeError,
  RealtimeClientError,
  RequestError,
} from './client.errors.js';
import {
  resolveClientOptions,
  type RealtimeClientOptions,
  type ResolvedClientOptions,
} from './client.options.js';
import { ClientEvents } from './client-events.js';
import { ConnectionAttempts } from './connection-attempts.js';
import { Outbox } from './outbox.js';
import { Upkeep } from './upkeep.js';
import {
  closeQuietly,
  ReadyState,
  watchRefusal,
  type SocketMessageEvent,
  type UpgradeRefusal,
  type WebSocketLike,
} from './web-socket.js';

/** Options of one `request()`. */
export interface RequestOptions {
  /** Overrides `requestTimeoutMs` for this request. */
  timeout?: number;
}

/** Longest wait of `close()` for the socket's close event. */
export const CLOSE_WAIT_MS = 5000;

/**
 * The typed client of `realtime.v1`, for browsers and Node. An explicit state machine
 * (`connecting`, `open`, `reconnecting`, `closed`; every change has a `{code, reason}`) with
 * jittered exponential backoff, the close-code rules of the protocol, `getToken()` before every
 * (re)connect, in-band token refresh, `$ping` liveness and a bounded offline queue.
 *
 * ```ts
 * const client = new RealtimeClient<ChatContract>({ url: '/ws', getToken });
 * await client.connect();
 * const { id } = await client.request('chat:send', { room: 'general', text: 'hi' });
 * ```
 */
export class RealtimeClient<C extends RealtimeContract = AnyContract> {
  private readonly options: ResolvedClientOptions<C>;
  private readonly machine: ClientStateMachine;
  private readonly attempts: ConnectionAttempts;
  private readonly outbox: Outbox;
  private readonly upkeep: Upkeep;
  private readonly events = new ClientEvents();
  private openWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private socket: WebSocketLike | undefined;
  private refusal: UpgradeRefusal | undefined; // how the socket's upgrade was refused (Node)

  constructor(options: RealtimeClientOptions<C>) {
    this.options = resolveClientOptions(options);
    this.attempts = new ConnectionAttempts(this.options, {
      attach: (socket) => this.attach(socket),
      fail: (code, reason) => this.stop(code, reason),
    });
    this.outbox = new Outbox(this.options.maxQueue);
    this.machine = new ClientStateMachine((change) => this.events.stateChanged(change));
    this.upkeep = new Upkeep(this.options, {
      call: (event, data, timeoutMs) => this.outbox.request(event, data, timeoutMs, false),
      isCurrent: (socket) => socket === this.socket,
      currentToken: () => this.attempts.token,
      tokenRefreshed: (token) => void (this.attempts.token = token),
      dead: (reason) => this.drop(ClientErrorCode.PING_TIMEOUT, reason),
      report: (error) => this.events.report(error),
    });
  }

  /** The current state. */
  get state(): ClientState {
    return this.machine.state;
  }

  /**
   * Starts connecting (from `closed`) and resolves once the client is `open`; rejects when it
   * ends up `closed` first (a stop close code, `AUTH_FAILED`, `close()`). While it is
   * `connecting` or `reconnecting`, waits for the next open.
   */
  connect(): Promise<void> {
    if (this.state === 'open') return Promise.resolve();
    const opened = new Promise<void>((resolve, reject) =>
      this.openWaiters.push({ resolve, reject }),
    );
    // Callers that only watch `onState` need not handle the rejection.
    opened.catch(() => undefined);
    if (this.state !== 'closed') return opened;
    this.attempts.reset();
    this.machine.transition('connecting', StateCode.CONNECT_CALLED, 'connect() called');
    // A state listener may have called close() already.
    if (this.machine.state === 'connecting') void this.attempts.start();
    return opened;
  }

  /**
   * Sends a request and resolves with the reply's `data`. Rejects with a {@link RequestError}:
   * the server's code (`VALIDATION_FAILED`, `FORBIDDEN`, app codes), `TIMEOUT`, `DISCONNECTED`
   * (the connection dropped while it was in flight), `QUEUE_FULL`, `CLOSED` or `BAD_PAYLOAD`.
   * While the client is not open the request waits in the offline queue (its timeout runs).
   */
  request<E extends RequestName<C>>(
    event: E,
    ...args: PayloadArgs<RequestPayload<C, E>, [options?: RequestOptions]>
  ): Promise<RequestReply<C, E>> {
    const [payload, options] = args as unknown as [unknown, RequestOptions | undefined];
    if (this.state === 'closed') {
      const message = 'Client is closed; call connect() first';
      return Promise.reject(new RequestError(event, ClientErrorCode.CLOSED, message));
    }
    const timeout = options?.timeout ?? this.options.requestTimeoutMs;
    return this.outbox.request(event, payload, timeout, true) as Promise<RequestReply<C, E>>;
  }

  /**
   * Sends a fire-and-forget event (its failures come as `$error`, see `onError`). Queued while
   * the client is not open.
   * @throws RealtimeClientError `QUEUE_FULL`, `CLOSED` or `BAD_PAYLOAD`
   */
  emit<E extends EventName<C>>(event: E, ...args: PayloadArgs<EventPayload<C, E>>): void {
    if (this.state === 'closed') {
      const message = 'Client is closed; call connect() first';
      throw new RealtimeClientError(ClientErrorCode.CLOSED, message, { event });
    }
    this.outbox.emit(event, args[0]);
  }

  /** Listens to a push; returns the function that stops listening. */
  on<E extends PushName<C>>(event: E, handler: (data: PushData<C, E>) => void): () => void {
    return this.events.onPush(event, handler as (data: unknown) => void);
  }

  /** Listens to state changes; returns the function that stops listening. */
  onState(listener: (change: StateChange) => void): () => void {
    return this.events.onState(listener);
  }

  /**
   * Listens to errors with nothing to reject: `$error` pushes from the server (their `event`
   * names the client's event), a failed token refresh, a failed `onReconnect`, a listener that
   * threw. Returns the function that stops listening.
   */
  onError(listener: (error: RealtimeClientError) => void): () => void {
    return this.events.onError(listener);
  }

  /**
   * Closes the connection with `1000` and stops: state `closed`, no reconnect, every queued and
   * in-flight request rejected with `CLOSED`. Resolves once the socket has closed, or after
   * {@link CLOSE_WAIT_MS} when the peer does not answer.
   */
  close(reason = 'Client closed'): Promise<void> {
    const socket = this.socket;
    this.stop(CloseCode.NORMAL, reason);
    return new Promise<void>((resolve) => {
      if (!socket || socket.readyState === ReadyState.CLOSED) return resolve();
      const timer = setTimeout(resolve, CLOSE_WAIT_MS);
      // In Node, waiting for a silent peer must not keep the process alive.
      (timer as { unref?: () => void }).unref?.();
      socket.onclose = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Makes a new socket the client's: its events reach the client until it is detached. */
  private attach(socket: WebSocketLike): void {
    this.socket = socket;
    this.refusal = undefined;
    watchRefusal(socket, (refusal) => {
      if (socket === this.socket) this.refusal = refusal;
    });
    socket.onopen = () => this.handleOpen(socket);
    socket.onmessage = (event) => this.handleMessage(socket, event);
    socket.onclose = (event) => {
      if (socket === this.socket) this.drop(event.code, event.reason);
    };
    // An `error` is always followed by a `close`, which is where the client acts.
    socket.onerror = () => undefined;
  }

  private handleOpen(socket: WebSocketLike): void {
    if (socket !== this.socket) return;
    const reconnected = this.attempts.opened();
    this.outbox.live = socket;
    this.upkeep.start(socket);
    this.machine.transition('open', StateCode.CONNECTED, 'Connected');
    for (const waiter of this.openWaiters.splice(0)) waiter.resolve();
    // A listener may have closed the client already.
    if (socket !== this.socket) return;
    if (reconnected && this.options.onReconnect) return void this.runReconnectHook(socket);
    this.outbox.flush();
  }

  /** Runs `onReconnect` (its requests go out at once), then flushes the queue. */
  private async runReconnectHook(socket: WebSocketLike): Promise<void> {
    try {
      await this.options.onReconnect?.(this);
    } catch (error) {
      const message = `onReconnect failed: ${describeError(error)}`;
      const failure = new RealtimeClientError(ClientErrorCode.RECONNECT_HOOK_FAILED, message, {
        cause: error,
      });
      if (socket === this.socket) this.events.report(failure);
    }
    if (socket === this.socket) this.outbox.flush();
  }

  private handleMessage(socket: WebSocketLike, event: SocketMessageEvent): void {
    const message = socket === this.socket ? parseObject(event.data) : undefined;
    if (!message) return;
    const { event: name, id, data } = message;
    if (typeof name === 'string') return this.events.push(name, data);
    if (typeof id === 'number') this.outbox.settle(id, message);
  }

  /** The socket closed or died: reconnect or stop, by the close-code rules of protocol §5. */
  private drop(code: StateChangeCode, reason: string): void {
    const refusal = this.refusal;
    if (refusal) return this.dropRefused(refusal);
    const socket = this.socket;
    this.detach(socket);
    if (typeof code === 'string') closeQuietly(socket, CloseCode.CLIENT_RECONNECTING, reason);
    const text = reason || `Closed with ${code}`;
    this.outbox.failInFlight(ClientErrorCode.DISCONNECTED, `Connection closed (${code}): ${text}`);
    if (typeof code === 'number' && !shouldReconnect(code)) return this.stop(code, text);
    this.attempts.retry(code);
    if (this.state !== 'reconnecting') this.machine.transition('reconnecting', code, text);
  }

  /** The upgrade was refused with a status: report it, then stop or retry as it says. */
  private dropRefused(refusal: UpgradeRefusal): void {
    this.refusal = undefined;
    this.detach(this.socket);
    const error = RealtimeClientError.fromRefusal(refusal);
    const code = ClientErrorCode.UPGRADE_REFUSED;
    this.events.report(error);
    const decision = this.attempts.refused(refusal);
    if (decision.stop) return this.stop(code, error.message, error);
    this.attempts.retry(code, decision.minMs);
    if (this.state !== 'reconnecting') this.machine.transition('reconnecting', code, error.message);
  }

  /** Stops for good: state `closed`, everything pending rejected, no reconnect. */
  private stop(code: StateChangeCode, reason: string, cause?: RealtimeClientError): void {
    const socket = this.socket;
    this.attempts.cancel();
    this.detach(socket);
    closeQuietly(socket, CloseCode.NORMAL, reason);
    const message = `Client closed: ${reason}`;
    this.outbox.failAll(ClientErrorCode.CLOSED, message);
    const waiterCode = typeof code === 'string' ? code : ClientErrorCode.CLOSED;
    for (const waiter of this.openWaiters.splice(0)) {
      waiter.reject(cause ?? new RealtimeClientError(waiterCode, message));
    }
    if (this.state !== 'closed') this.machine.transition('closed', code, reason);
  }

  /** Forgets a socket: no more events from it reach the client; its timers stop. */
  private detach(socket: WebSocketLike | undefined): void {
    this.upkeep.stop();
    this.outbox.live = undefined;
    if (!socket) return;
    socket.onopen = null;
    socket.onmessage = null;
    // Not null: closing a socket that is still connecting makes `ws` emit 'error', and an
    // EventEmitter 'error' without a listener would crash a Node process.
    socket.onerror = () => undefined;
    socket.onclose = null;
    if (this.socket === socket) this.socket = undefined;
  }
}
