import { WebSocket } from 'ws';
import {
  RealtimeClient,
  type AnyContract,
  type ClientState,
  type RealtimeClientError,
  type RealtimeClientOptions,
  type RealtimeContract,
  type StateChange,
  type WebSocketConstructor,
} from '../client/index.js';
import {
  parseObject,
  RESERVED_EVENT_PREFIX,
  type PushData,
  type PushName,
} from '../protocol/index.js';
import { Inbox, type ExpectOptions } from './inbox.js';
import { tapWebSocket, transportFor, type SocketTap } from './tapped-web-socket.js';

/** Options of {@link createTestClient}: the client's, minus `url`, plus test conveniences. */
export interface TestClientOptions<C extends RealtimeContract = AnyContract> extends Omit<
  RealtimeClientOptions<C>,
  'url' | 'WebSocket' | 'onReconnect'
> {
  /** A fixed JWT, shorthand for `getToken: () => token` (pass one or the other). */
  token?: string;
  /**
   * The WebSocket constructor.
   * @default WebSocket from `ws`
   */
  WebSocket?: WebSocketConstructor;
  /** Like the client's `onReconnect`, with the test client as argument. */
  onReconnect?: (client: TestClient<C>) => Promise<void> | void;
  /**
   * Whether `createTestClient` connects (and waits for `open`) before it resolves.
   * @default true
   */
  connect?: boolean;
  /**
   * Default timeout of the `expect*` methods, in ms.
   * @default 2000
   */
  expectTimeoutMs?: number;
  /**
   * Most pushes, state changes and errors kept for a later `expect*` (the oldest is dropped).
   * @default 1000
   */
  bufferLimit?: number;
}

/** A state change, with the time (`Date.now()`) the client made it. */
export interface TimedStateChange extends StateChange {
  at: number;
}

interface PushRecord {
  event: string;
  data: unknown;
}

/** Everything a test client saw, kept for the `expect*` methods. */
class Recorder implements SocketTap {
  readonly pushes: Inbox<PushRecord>;
  readonly states: Inbox<TimedStateChange>;
  readonly errors: Inbox<RealtimeClientError>;
  /** Attempt counts, to wake `expectConnectionAttempts`; nothing is buffered. */
  readonly attemptCounts = new Inbox<number>({ limit: 0 });
  readonly stateHistory: TimedStateChange[] = [];
  readonly errorHistory: RealtimeClientError[] = [];
  readonly attemptTimes: number[] = [];

  constructor(limit: number) {
    this.pushes = new Inbox({ limit });
    this.states = new Inbox({ limit, ordered: true });
    this.errors = new Inbox({ limit });
  }

  created(): void {
    this.attemptTimes.push(Date.now());
    this.attemptCounts.put(this.attemptTimes.length);
  }

  message(data: unknown): void {
    const frame = parseObject(data);
    // `$error` pushes reach `onError`, and so `expectError`.
    const event = frame?.['event'];
    if (typeof event !== 'string' || event.startsWith(RESERVED_EVENT_PREFIX)) return;
    this.pushes.put({ event, data: frame?.['data'] });
  }

  state(change: StateChange): void {
    const timed = { ...change, at: Date.now() };
    this.stateHistory.push(timed);
    this.states.put(timed);
  }

  error(error: RealtimeClientError): void {
    this.errorHistory.push(error);
    this.errors.put(error);
  }

  close(reason: string): void {
    for (const inbox of [this.pushes, this.states, this.errors, this.attemptCounts]) {
      inbox.close(reason);
    }
  }

  reopen(): void {
    for (const inbox of [this.pushes, this.states, this.errors, this.attemptCounts]) {
      inbox.reopen();
    }
  }
}

/** `chat:message x2, ticker:tick x1`: what is buffered, for error messages. */
function summarize(names: readonly string[]): string {
  if (names.length === 0) return 'nothing';
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts].map(([name, count]) => `${name} x${count}`).join(', ');
}

/**
 * A {@link RealtimeClient} for e2e tests, on `ws` by default. It records what it sees, so a test
 * awaits pushes, state changes and errors whether they came before or after the wait began,
 * and every wait ends (a match or a clear timeout error), never hangs.
 */
export class TestClient<C extends RealtimeContract = AnyContract> extends RealtimeClient<C> {
  private readonly recorder: Recorder;
  private readonly expectTimeoutMs: number;
  private readonly address: string;

  constructor(url: string, options: TestClientOptions<C> = {}) {
    // `connect` stays in `clientOptions`: only createTestClient reads it, the client ignores it.
    const { token, WebSocket: Inner = WebSocket, onReconnect, ...rest } = options;
    const { expectTimeoutMs = 2000, bufferLimit = 1000, ...clientOptions } = rest;
    if (token !== undefined && clientOptions.getToken !== undefined) {
      throw new TypeError('createTestClient: pass `token` or `getToken`, not both.');
    }
    const recorder = new Recorder(bufferLimit);
    super({
      ...clientOptions,
      url,
      WebSocket: tapWebSocket(Inner, recorder),
      tokenTransport: clientOptions.tokenTransport ?? transportFor(Inner),
      getToken: clientOptions.getToken ?? (token === undefined ? undefined : () => token),
      onReconnect: onReconnect && ((client) => onReconnect(client as TestClient<C>)),
    });
    this.recorder = recorder;
    this.expectTimeoutMs = expectTimeoutMs;
    this.address = url;
    this.onState((change) => recorder.state(change));
    this.onError((error) => recorder.error(error));
  }

  /** Every state change so far, oldest first, with its time. */
  get stateChanges(): readonly TimedStateChange[] {
    return this.recorder.stateHistory;
  }

  /** Every error reported to `onError` so far (`$error` pushes, failed refreshes, ...). */
  get errors(): readonly RealtimeClientError[] {
    return this.recorder.errorHistory;
  }

  /** When (`Date.now()`) each socket was created: one entry per connection attempt. */
  get connectionAttempts(): readonly number[] {
    return this.recorder.attemptTimes;
  }

  /**
   * The next push of `event` (the oldest not yet taken, even one that arrived before the call)
   * for which `where` holds. Rejects with an `ExpectationError` after the timeout.
   */
  expectPush<E extends PushName<C>>(
    event: E,
    options: ExpectOptions<PushData<C, E>> = {},
  ): Promise<PushData<C, E>> {
    const { where } = options;
    const match = (push: PushRecord): boolean =>
      push.event === event && (!where || where(push.data as PushData<C, E>));
    const describe = (): string =>
      `${this.label()} expectPush("${event}")` +
      ` (buffered: ${summarize(this.recorder.pushes.buffered.map((p) => p.event))})`;
    return this.recorder.pushes
      .take(match, options.timeout ?? this.expectTimeoutMs, describe)
      .then((push) => push.data as PushData<C, E>);
  }

  /**
   * The next change to `state` after the last one an `expectState` returned (state changes are
   * taken in order; `createTestClient` has taken its first `open`). Rejects after the timeout.
   */
  expectState(
    state: ClientState,
    options: ExpectOptions<TimedStateChange> = {},
  ): Promise<TimedStateChange> {
    const { where } = options;
    const match = (change: TimedStateChange): boolean =>
      change.state === state && (!where || where(change));
    const describe = (): string => {
      const seen = this.recorder.states.buffered.map((c) => `${c.state} (${c.code})`);
      return `${this.label()} expectState("${state}") (changes not taken: ${seen.join(', ') || 'none'})`;
    };
    return this.recorder.states.take(match, options.timeout ?? this.expectTimeoutMs, describe);
  }

  /** The next error reported to `onError`, e.g. a `$error` push. Rejects after the timeout. */
  expectError(options: ExpectOptions<RealtimeClientError> = {}): Promise<RealtimeClientError> {
    const { where } = options;
    const match = (error: RealtimeClientError): boolean => !where || where(error);
    const describe = (): string =>
      `${this.label()} expectError()` +
      ` (buffered: ${summarize(this.recorder.errors.buffered.map((e) => e.code))})`;
    return this.recorder.errors.take(match, options.timeout ?? this.expectTimeoutMs, describe);
  }

  /**
   * Resolves once the client has created `count` sockets in all (each is one connection
   * attempt), with their times. Rejects after the timeout.
   */
  async expectConnectionAttempts(
    count: number,
    options: { timeout?: number } = {},
  ): Promise<readonly number[]> {
    if (this.connectionAttempts.length < count) {
      const describe = (): string =>
        `${this.label()} expectConnectionAttempts(${count}) (made ${this.connectionAttempts.length})`;
      const timeout = options.timeout ?? this.expectTimeoutMs;
      await this.recorder.attemptCounts.take((made) => made >= count, timeout, describe);
    }
    return this.connectionAttempts;
  }

  override connect(): Promise<void> {
    this.recorder.reopen();
    return super.connect();
  }

  /** Closes the client (see `RealtimeClient.close`), then ends every pending `expect*`. */
  override async close(reason?: string): Promise<void> {
    await super.close(reason);
    this.recorder.close('the test client was closed');
  }

  private label(): string {
    return `TestClient(${this.address}, ${this.state})`;
  }
}

/**
 * A {@link TestClient} on `url` (e.g. `server.wsUrl('/ws')`), connected and `open` unless
 * `connect: false`. Rejects when the connection fails for good (the client is then `closed`).
 *
 * ```ts
 * const alice = await createTestClient<ChatContract>(server.wsUrl('/ws'), { token });
 * await alice.request('chat:join', { room: 'general' });
 * const message = await alice.expectPush('chat:message', { timeout: 1000 });
 * await alice.close();
 * ```
 */
export async function createTestClient<C extends RealtimeContract = AnyContract>(
  url: string,
  options: TestClientOptions<C> = {},
): Promise<TestClient<C>> {
  const client = new TestClient<C>(url, options);
  if (options.connect === false) return client;
  await client.connect();
  // Takes the first `open`, so the test's next `expectState('open')` means a reconnect.
  await client.expectState('open', { timeout: 0 });
  return client;
}
