import { jest } from '@jest/globals';
import {
  canTransition,
  ClientStateMachine,
  InvalidTransitionError,
  type ClientState,
  type StateChange,
} from './client-state.js';

const STATES: ClientState[] = ['connecting', 'open', 'reconnecting', 'closed'];

describe('ClientStateMachine', () => {
  it('starts closed', () => {
    expect(new ClientStateMachine(() => undefined).state).toBe('closed');
  });

  it('allows exactly the transitions of the table', () => {
    const allowed = STATES.flatMap((from) =>
      STATES.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`),
    );
    expect(allowed.sort()).toEqual(
      [
        'closed->connecting',
        'connecting->open',
        'connecting->reconnecting',
        'connecting->closed',
        'open->reconnecting',
        'open->closed',
        'reconnecting->open',
        'reconnecting->closed',
      ].sort(),
    );
  });

  it('tells the listener every change with previous state, code and reason', () => {
    const changes: StateChange[] = [];
    const machine = new ClientStateMachine((change) => changes.push(change));
    machine.transition('connecting', 'CONNECT_CALLED', 'connect() called');
    machine.transition('open', 'CONNECTED', 'Connected');
    machine.transition('reconnecting', 1006, 'lost');
    machine.transition('open', 'CONNECTED', 'Connected');
    machine.transition('closed', 4500, 'Revoked');
    expect(changes).toEqual([
      {
        state: 'connecting',
        previous: 'closed',
        code: 'CONNECT_CALLED',
        reason: 'connect() called',
      },
      { state: 'open', previous: 'connecting', code: 'CONNECTED', reason: 'Connected' },
      { state: 'reconnecting', previous: 'open', code: 1006, reason: 'lost' },
      { state: 'open', previous: 'reconnecting', code: 'CONNECTED', reason: 'Connected' },
      { state: 'closed', previous: 'open', code: 4500, reason: 'Revoked' },
    ]);
    expect(machine.state).toBe('closed');
  });

  it('refuses a transition outside the table without changing state or notifying', () => {
    const notify = jest.fn();
    const machine = new ClientStateMachine(notify);
    expect(() => machine.transition('open', 'CONNECTED', 'Connected')).toThrow(
      InvalidTransitionError,
    );
    expect(() => machine.transition('closed', 1000, 'again')).toThrow(
      'Invalid client state transition: closed -> closed',
    );
    expect(machine.state).toBe('closed');
    expect(notify).not.toHaveBeenCalled();
  });
});
