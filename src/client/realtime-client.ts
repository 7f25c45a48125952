import {
  CloseCode,
  parseObject,
  shouldReconnect,
  type AnyContract,
  type EventName,
  type EventPayload,
  type PayloadArgs,
  type RealtimeContract,
  type RequestName,
  type RequestPayload,
  type RequestReply,
} from '../protocol/index.js';
import {
  ClientStateMachine,
  StateCode,
  type ClientState,
  type StateChangeCode,
} from './client-state.js';
import { ClientErrorCode, RealtimeClientError, RequestError } from './client.errors.js';
import {
  resolveClientOptions,
  type RealtimeClientOptions,
  type RequestOptions,
  type ResolvedClientOptions,
} from './client.options.js';
import { ClientSubscriptions } from './client-subscriptions.js';
import { ConnectionAttempts } from './connection-attempts.js';
import { describeStateChange, redactFrame, redactUrl } from './debug-log.js';
import { OpenWaiters } from './open-waiters.js';
import { Outbox, type EmitResult } from './outbox.js';
import { afterOpen } from './reopen.js';
import type { RecoveryState } from './resume-reply.js';
import { StreamRecovery } from './stream-recovery.js';
import { Upkeep } from './upkeep.js';
import {
  closeQuietly,
  silence,
  waitForClose,
  watchRefusal,
  type SocketMessageEvent,
  type UpgradeRefusal,
  type WebSocketLike,
} from './web-socket.js';

/** Longest wait of `close()` for the socket's close event. */
export const CLOSE_WAIT_MS = 5000;

const CLOSED_MESSAGE = 'Client is closed; call connect() first';

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
export class RealtimeClient<
  C extends RealtimeContract = AnyContract,
> extends ClientSubscriptions<C> {
  private readonly options: ResolvedClientOptions<C>;
  private readonly machine: ClientStateMachine;
  private readonly attempts: ConnectionAttempts;
  private readonly outbox: Outbox;
  private readonly upkeep: Upkeep;
  private readonly recoverer: StreamRecovery;
  private readonly openWaiters = new OpenWaiters();
  private socket: WebSocketLike | undefined;
  private refusal: UpgradeRefusal | undefined; // how the socket's upgrade was refused (Node)

  constructor(options: RealtimeClientOptions<C>) {
    super();
    this.options = resolveClientOptions(options);
    const { debug, limits } = this.options;
    this.attempts = new ConnectionAttempts(this.options, {
      protocols: () => this.recoverer.protocols(),
      attach: (socket) => this.attach(socket),
      timedOut: (reason) => this.drop(ClientErrorCode.CONNECT_TIMEOUT, reason),
      retrying: (code, reason, error) => {
        this.events.report(error);
        this.reconnecting(code, reason);
      },
      unreachable: (error) => {
        this.events.report(error);
        this.openWaiters.reject(error);
      },
      fail: (code, reason) => this.stop(code, reason),
    });
    const sent = debug && ((frame: string) => debug(`[realtime] -> ${redactFrame(frame)}`));
    this.outbox = new Outbox({ maxQueue: this.options.maxQueue, ...limits, sent });
    this.machine = new ClientStateMachine((change) => {
      debug?.(describeStateChange(change));
      this.events.stateChanged(change);
    });
    this.upkeep = new Upkeep(this.options, {
      call: (event, data, timeoutMs) => this.outbox.request(event, data, timeoutMs, false),
      isCurrent: (socket) => socket === this.socket,
      currentToken: () => this.attempts.token,
      tokenRefreshed: (token) => void (this.attempts.token = token),
      dead: (reason) => this.drop(ClientErrorCode.PING_TIMEOUT, reason),
      unauthorized: (reason) => this.stop(ClientErrorCode.AUTH_FAILED, reason),
      report: (error) => this.events.report(error),
    });
    this.recoverer = new StreamRecovery(this.options.recovery, this.options.requestTimeoutMs, {
      call: (event, data, ms, onSettle) => this.outbox.request(event, data, ms, false, onSettle),
      report: (error) => this.events.report(error),
    });
    if (this.options.onRecovery) this.events.onRecovery(this.options.onRecovery);
  }

  /** The current state. */
  get state(): ClientState {
    return this.machine.state;
  }

  /** Missed-message recovery: whether it is on, the last `onRecovery` info, the positions seen. */
  get recovery(): RecoveryState {
    return this.recoverer.state;
  }

  /**
   * Starts connecting (from `closed`) and resolves once the client is `open`. Rejects when it
   * ends up `closed` first (a stop close code, `AUTH_FAILED`, `close()`), or with `UNREACHABLE`
   * after `maxFailedOpens` failed attempts in a row (the client keeps retrying: `onState` tells
   * when it opens; `close()` stops it). While `connecting` or `reconnecting`, waits for the next
   * open. Never pending longer than about `maxFailedOpens` x `connectTimeoutMs` plus backoff.
   */
  connect(): Promise<void> {
    if (this.state === 'open') return Promise.resolve();
    const opened = this.openWaiters.add();
    if (this.state !== 'closed') return opened;
    this.attempts.reset();
    this.recoverer.reset();
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
      return Promise.reject(new RequestError(event, ClientErrorCode.CLOSED, CLOSED_MESSAGE));
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
    const result = this.tryEmit(event, ...args);
    if (!result.ok) throw result.error;
  }

  /**
   * `emit()` for UI code: never throws; says whether the event was sent or queued, or why not
   * (`CLOSED`, `QUEUE_FULL`, `BAD_PAYLOAD`).
   */
  tryEmit<E extends EventName<C>>(event: E, ...args: PayloadArgs<EventPayload<C, E>>): EmitResult {
    if (this.state !== 'closed') return this.outbox.emit(event, args[0]);
    const error = new RealtimeClientError(ClientErrorCode.CLOSED, CLOSED_MESSAGE, { event });
    return { ok: false, error };
  }

  /**
   * Closes the connection with `1000` and stops: state `closed`, no reconnect, every queued and
   * in-flight request rejected with `CLOSED`. Resolves once the socket has closed, or after
   * {@link CLOSE_WAIT_MS} when the peer does not answer.
   */
  close(reason = 'Client closed'): Promise<void> {
    const socket = this.socket;
    this.stop(CloseCode.NORMAL, reason);
    return waitForClose(socket, CLOSE_WAIT_MS);
  }

  /** Makes a new socket the client's: its events reach the client until it is detached. */
  private attach(socket: WebSocketLike): void {
    this.socket = socket;
    this.refusal = undefined;
    this.options.debug?.(`[realtime] opening ${redactUrl(this.options.url)}`);
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
    // `$resume` is the first frame. `open` is announced at once, as without recovery (connect()
    // resolves, new requests go out behind `$resume`); only `onReconnect` and the offline queue
    // wait for its reply.
    const resumed = this.recoverer.resume();
    this.machine.transition('open', StateCode.CONNECTED, 'Connected');
    this.openWaiters.resolve();
    // A listener may have closed the client already.
    if (socket !== this.socket) return;
    const isCurrent = (): boolean => socket === this.socket;
    const flush = (): void => this.outbox.flush();
    const onReconnect = this.options.onReconnect?.bind(undefined, this);
    void afterOpen({ isCurrent, events: this.events, onReconnect, flush }, reconnected, resumed);
  }

  private handleMessage(socket: WebSocketLike, event: SocketMessageEvent): void {
    if (socket !== this.socket) return;
    this.options.debug?.(`[realtime] <- ${redactFrame(event.data)}`);
    const message = parseObject(event.data);
    if (!message) return;
    const { event: name, id, data } = message;
    if (typeof name === 'string') {
      this.recoverer.track(name, message);
      return this.events.push(name, data);
    }
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
    this.reconnecting(code, text);
  }

  private reconnecting(code: StateChangeCode, reason: string): void {
    const moving = this.state === 'connecting' || this.state === 'open';
    if (moving) this.machine.transition('reconnecting', code, reason);
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
    this.reconnecting(code, error.message);
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
    this.openWaiters.reject(cause ?? new RealtimeClientError(waiterCode, message));
    if (this.state !== 'closed') this.machine.transition('closed', code, reason);
  }

  /** Forgets a socket: no more events from it reach the client; its timers stop. */
  private detach(socket: WebSocketLike | undefined): void {
    this.upkeep.stop();
    this.outbox.live = undefined;
    if (!socket) return;
    silence(socket);
    if (this.socket === socket) this.socket = undefined;
  }
}
