import { jest } from '@jest/globals';
import { CloseCode } from '../../protocol/index.js';
import type { ConnectionState } from './connection-state.js';
import { clearExpiry, scheduleExpiry } from './token-expiry.js';

const T0 = Date.UTC(2026, 0, 1);

function connection(expiresAt: number | null) {
  const close = jest.fn();
  const state = { principal: { expiresAt }, close, expiryDeadline: undefined };
  return { state: state as unknown as ConnectionState, close };
}

describe('token expiry', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('closes with 4401 at expiry plus the tolerance, connections of one deadline on one timer', () => {
    const peers = [1, 2, 3].map(() => connection(T0 + 10_000));
    for (const { state } of peers) scheduleExpiry(state, 500);
    expect(jest.getTimerCount()).toBe(1);

    jest.advanceTimersByTime(10_499);
    for (const { close } of peers) expect(close).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    for (const { close } of peers) {
      expect(close).toHaveBeenCalledTimes(1);
      expect(close).toHaveBeenCalledWith(CloseCode.TOKEN_EXPIRED, 'Token expired');
    }
    expect(jest.getTimerCount()).toBe(0);
  });

  it('expires each deadline in order, an earlier one scheduled later included', () => {
    const late = connection(T0 + 20_000);
    const early = connection(T0 + 5_000);
    scheduleExpiry(late.state, 0);
    scheduleExpiry(early.state, 0);

    jest.advanceTimersByTime(5_000);
    expect(early.close).toHaveBeenCalledTimes(1);
    expect(late.close).not.toHaveBeenCalled();
    jest.advanceTimersByTime(15_000);
    expect(late.close).toHaveBeenCalledTimes(1);
  });

  it('never closes a cleared connection, nor one at the deadline a refresh replaced', () => {
    const closed = connection(T0 + 1_000);
    const refreshed = connection(T0 + 1_000);
    const kept = connection(T0 + 1_000);
    scheduleExpiry(closed.state, 0);
    scheduleExpiry(refreshed.state, 0);
    scheduleExpiry(kept.state, 0);
    clearExpiry(closed.state);
    (refreshed.state.principal as { expiresAt: number }).expiresAt = T0 + 60_000;
    scheduleExpiry(refreshed.state, 0);

    jest.advanceTimersByTime(1_000);
    expect(kept.close).toHaveBeenCalledTimes(1);
    expect(closed.close).not.toHaveBeenCalled();
    expect(refreshed.close).not.toHaveBeenCalled();
    jest.advanceTimersByTime(59_000);
    expect(refreshed.close).toHaveBeenCalledTimes(1);
    expect(closed.close).not.toHaveBeenCalled();
  });

  it('waits out deadlines beyond the longest timer delay, and ignores tokens without expiry', () => {
    const forever = connection(null);
    const far = connection(T0 + 30 * 86_400_000);
    scheduleExpiry(forever.state, 0);
    scheduleExpiry(far.state, 0);

    jest.advanceTimersByTime(29 * 86_400_000);
    expect(far.close).not.toHaveBeenCalled();
    jest.advanceTimersByTime(86_400_000);
    expect(far.close).toHaveBeenCalledTimes(1);
    expect(forever.close).not.toHaveBeenCalled();
  });

  it('keeps no deadline of connections that were all cleared', () => {
    const peers = Array.from({ length: 200 }, (_, i) => connection(T0 + 1_000 * (i + 1)));
    for (const { state } of peers) scheduleExpiry(state, 0);
    for (const { state } of peers) clearExpiry(state);
    const next = connection(T0 + 500);
    scheduleExpiry(next.state, 0);

    jest.advanceTimersByTime(300_000);
    expect(next.close).toHaveBeenCalledTimes(1);
    for (const { close } of peers) expect(close).not.toHaveBeenCalled();
    expect(jest.getTimerCount()).toBe(0);
  });
});
