import { jest } from '@jest/globals';
import {
  RealtimeClient,
  type AnyContract,
  type RealtimeClientError,
  type RealtimeClientOptions,
  type RealtimeContract,
  type StateChange,
} from '../../src/client/index.js';
import { fakeWebSockets, type FakeSockets } from './fake-web-socket.js';

export interface Harness<C extends RealtimeContract> {
  client: RealtimeClient<C>;
  net: FakeSockets;
  /** Every state change, in order. */
  changes: StateChange[];
  /** Every error reported to `onError`, in order. */
  errors: RealtimeClientError[];
  /** The states visited, in order. */
  states(): string[];
}

/**
 * A client on fake sockets, with `random` fixed at 0 (delays are the base delays), and `$ping`
 * and missed-message recovery (`$resume` as the first frame of every connection) off unless a
 * test turns them on: the recovery specs do (`recovering()`), the others are about the wire
 * without it. Use with `jest.useFakeTimers()`.
 */
export function setup<C extends RealtimeContract = AnyContract>(
  options: Partial<RealtimeClientOptions<C>> = {},
  kind: 'node' | 'browser' = 'node',
): Harness<C> {
  const net = fakeWebSockets(kind);
  const client = new RealtimeClient<C>({
    url: 'ws://server.test/ws',
    WebSocket: net.WebSocket,
    random: () => 0,
    pingIntervalMs: 0,
    recovery: false,
    ...options,
  });
  const changes: StateChange[] = [];
  const errors: RealtimeClientError[] = [];
  client.onState((change) => changes.push(change));
  client.onError((error) => errors.push(error));
  return { client, net, changes, errors, states: () => changes.map((c) => c.state) };
}

/** Runs due timers and settles promises, advancing the fake clock by `ms`. */
export async function tick(ms = 0): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
}

/** connect(), then the server accepts the socket. */
export async function connectOpen<C extends RealtimeContract>(h: Harness<C>): Promise<void> {
  const connected = h.client.connect();
  await tick();
  h.net.last().open();
  await connected;
}

/** Whatever a promise settled with, without letting it reject. */
export function settled<T>(promise: Promise<T>): { value?: T; error?: unknown; done: boolean } {
  const result: { value?: T; error?: unknown; done: boolean } = { done: false };
  promise.then(
    (value) => Object.assign(result, { value, done: true }),
    (error: unknown) => Object.assign(result, { error, done: true }),
  );
  return result;
}

/** Session ids as the server makes them: 16 random bytes in base64url. */
export const SESSION_1 = 'c2Vzc2lvbi1vbmUtMTIzNA';
export const SESSION_2 = 'c2Vzc2lvbi10d28tNTY3OA';

/** A client with missed-message recovery on (the default outside these tests). */
export function recovering<C extends RealtimeContract = AnyContract>(
  options: Partial<RealtimeClientOptions<C>> = {},
): Harness<C> {
  return setup<C>({ recovery: true, ...options });
}

/** The reply to a `$resume` that started a new session (nothing recovered, no room restored). */
export function freshSession(session: string, reason = 'new'): Record<string, unknown> {
  return { session, recovered: false, reason, windowMs: 120_000, rooms: [], streams: {} };
}

/** A push with its position in front, as the server sends room, user and broadcast pushes. */
export function positioned(stream: string, e: string, o: number, event: string, data: unknown) {
  return { o, e, s: stream, event, data };
}

/** connect(), the server accepts the socket and answers `$resume` with `reply`. */
export async function connectResumed<C extends RealtimeContract>(
  h: Harness<C>,
  reply: Record<string, unknown> = freshSession(SESSION_1),
): Promise<void> {
  await connectOpen(h);
  h.net.last().reply('$resume', reply);
  await tick();
}
