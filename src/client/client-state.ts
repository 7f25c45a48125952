import type { ClientErrorCodeValue } from './client.errors.js';

/**
 * The states of a {@link RealtimeClient}:
 * - `connecting`: the first connection after `connect()` is being opened;
 * - `open`: a socket is open; sends go out at once;
 * - `reconnecting`: the connection dropped (or never opened): waiting for the backoff, then
 *   opening a new socket; sends are queued;
 * - `closed`: not connected and not trying (before `connect()`, after `close()`, or stopped for
 *   good by a close code or a failed `getToken()`).
 */
export type ClientState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Codes of state changes that are not caused by a close code. */
export const StateCode = {
  /** `connect()` was called. */
  CONNECT_CALLED: 'CONNECT_CALLED',
  /** The socket opened. */
  CONNECTED: 'CONNECTED',
} as const;

/** One of {@link StateCode}. */
export type StateCodeValue = (typeof StateCode)[keyof typeof StateCode];

/**
 * Why the state changed: a number is a WebSocket close code (from the server, `1006` for a socket
 * that failed or never opened, `1000` for `close()`); a string is a client-side cause.
 */
export type StateChangeCode = number | StateCodeValue | ClientErrorCodeValue;

/** One state change, as `onState` listeners receive it. */
export interface StateChange {
  state: ClientState;
  previous: ClientState;
  code: StateChangeCode;
  reason: string;
}

/** The transitions the client may make; anything else is a bug. */
const TRANSITIONS: Readonly<Record<ClientState, readonly ClientState[]>> = {
  closed: ['connecting'],
  connecting: ['open', 'reconnecting', 'closed'],
  open: ['reconnecting', 'closed'],
  reconnecting: ['open', 'closed'],
};

/** Whether the client may go from `from` to `to`. */
export function canTransition(from: ClientState, to: ClientState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Thrown for a transition that is not in the table (a bug in the client, never user error). */
export class InvalidTransitionError extends Error {
  override readonly name = 'InvalidTransitionError';
  constructor(from: ClientState, to: ClientState) {
    super(`Invalid client state transition: ${from} -> ${to}`);
  }
}

/**
 * The explicit state machine of the client: it holds the state, checks every transition against
 * the table and tells the listener about each change with its `{code, reason}`.
 */
export class ClientStateMachine {
  private current: ClientState = 'closed';

  constructor(private readonly notify: (change: StateChange) => void) {}

  /** The current state. */
  get state(): ClientState {
    return this.current;
  }

  /** Moves to `to`; throws {@link InvalidTransitionError} for a transition not in the table. */
  transition(to: ClientState, code: StateChangeCode, reason: string): void {
    const previous = this.current;
    if (!canTransition(previous, to)) throw new InvalidTransitionError(previous, to);
    this.current = to;
    this.notify({ state: to, previous, code, reason });
  }
}
