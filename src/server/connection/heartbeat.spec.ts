import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { ConnectionState } from './connection-state.js';
import { Heartbeat } from './heartbeat.js';
import type { ResolvedRealtimeOptions } from '../realtime.options.js';

/**
 * The heartbeat's scheduling, on fake timers and a clock the test moves by hand: `t` is what
 * `performance.now()` says, so "the loop was blocked" is `t` moving while no timer runs.
 * `jest.advanceTimersToNextTimer()` runs the next timer whatever `t` says: the timeout in the
 * timers phase, then the round's immediate in the check phase; what a test does in between is
 * what the poll phase read.
 */

const I = 1000;

interface Peer {
  state: ConnectionState;
  ping: jest.Mock;
  terminate: jest.Mock;
}

function peer(onPing: () => void = () => undefined): Peer {
  const ping = jest.fn(onPing);
  const terminate = jest.fn();
  const socket = { OPEN: 1, readyState: 1, ping, terminate };
  const state = { alive: true, socket, writer: {} } as unknown as ConnectionState;
  return { state, ping, terminate };
}

describe('Heartbeat', () => {
  // Its `heartbeat_terminated` lines: no app here to take them.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(true));
  let t = 0;
  let heartbeat: Heartbeat;

  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['performance', 'nextTick', 'queueMicrotask'] });
    t = 0;
    jest.spyOn(performance, 'now').mockImplementation(() => t);
    heartbeat = new Heartbeat({ heartbeatIntervalMs: I } as ResolvedRealtimeOptions);
  });

  afterEach(() => {
    heartbeat.onApplicationShutdown();
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  /** The timer fires with the clock at `at` (timers phase); the round is then pending. */
  const due = (at: number): void => {
    t = at;
    jest.advanceTimersToNextTimer();
  };
  /** The round's immediate runs (check phase). */
  const check = (): void => {
    jest.advanceTimersToNextTimer();
  };
  /** A whole round at `at`; `answering` peers had their pong read before it. */
  const round = (at: number, answering: Peer[] = []): void => {
    due(at);
    for (const p of answering) p.state.alive = true;
    check();
  };

  it('uses one timer for any number of sockets: a timeout, or the pending round', () => {
    const peers = Array.from({ length: 1000 }, () => peer());
    for (const p of peers) heartbeat.track(p.state);
    expect(jest.getTimerCount()).toBe(1);
    due(I);
    expect(jest.getTimerCount()).toBe(1); // the round, and no timeout beside it
    check();
    expect(jest.getTimerCount()).toBe(1); // re-armed
    expect(peers.every((p) => p.ping.mock.calls.length === 1)).toBe(true);
    heartbeat.onApplicationShutdown();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('judges in the check phase: a pong read after the timer fired saves the peer', () => {
    const answering = peer();
    const silent = peer();
    heartbeat.track(answering.state);
    heartbeat.track(silent.state);
    round(I); // everyone pinged
    expect(answering.ping).toHaveBeenCalledTimes(1);

    due(2 * I); // timers phase: the pong of `answering` still waits in the kernel
    expect(answering.terminate).not.toHaveBeenCalled();
    expect(silent.terminate).not.toHaveBeenCalled();
    answering.state.alive = true; // the poll phase reads it
    check();

    expect(answering.terminate).not.toHaveBeenCalled();
    expect(answering.ping).toHaveBeenCalledTimes(2);
    expect(silent.terminate).toHaveBeenCalledTimes(1);
    expect(heartbeat.size).toBe(1);
  });

  it('gives a full interval from the moment the pings were written, not from the timer', () => {
    // The loop is blocked while this round writes its pings: they go out 3 intervals late.
    const slow = peer(() => (t += 3 * I));
    const silent = peer();
    heartbeat.track(slow.state);
    heartbeat.track(silent.state);
    round(I, [slow]);
    const pingedAt = t;

    due(pingedAt + I / 2); // the timer fires early by the clock: nothing is judged
    expect(jest.getTimerCount()).toBe(1);
    expect(silent.terminate).not.toHaveBeenCalled();
    expect(silent.ping).toHaveBeenCalledTimes(1);

    round(pingedAt + I, [slow]);
    expect(silent.terminate).toHaveBeenCalledTimes(1);
    expect(slow.terminate).not.toHaveBeenCalled();
  });

  it('a round run late spares the silent once: pinged again, judged by the next round', () => {
    const answering = peer();
    const silent = peer();
    heartbeat.track(answering.state);
    heartbeat.track(silent.state);
    round(I, [answering]);

    round(2 * I + I / 4 + 1, [answering]); // late by more than a quarter interval
    expect(silent.terminate).not.toHaveBeenCalled();
    expect(silent.ping).toHaveBeenCalledTimes(2);

    round(t + I, [answering]); // on time
    expect(silent.terminate).toHaveBeenCalledTimes(1);
    expect(answering.terminate).not.toHaveBeenCalled();
  });

  it('late by a quarter interval or less judges as usual', () => {
    const silent = peer();
    heartbeat.track(silent.state);
    round(I);
    round(2 * I + I / 4);
    expect(silent.terminate).toHaveBeenCalledTimes(1);
  });

  it('late every round: a silent peer is spared one round in a row, not for ever', () => {
    const answering = peer();
    const silent = peer();
    heartbeat.track(answering.state);
    heartbeat.track(silent.state);
    round(I, [answering]);
    round(t + 3 * I, [answering]); // late: spared
    expect(silent.terminate).not.toHaveBeenCalled();
    round(t + 3 * I, [answering]); // late again: judged
    expect(silent.terminate).toHaveBeenCalledTimes(1);
    expect(answering.terminate).not.toHaveBeenCalled();
  });

  it('a peer that answers nothing is terminated on the second round', () => {
    const silent = peer();
    heartbeat.track(silent.state);
    round(I);
    expect(silent.terminate).not.toHaveBeenCalled();
    round(2 * I);
    expect(silent.terminate).toHaveBeenCalledTimes(1);
    expect(heartbeat.size).toBe(0);
  });

  it('shutdown cancels a round already scheduled', () => {
    const silent = peer();
    heartbeat.track(silent.state);
    round(I);
    due(2 * I);
    heartbeat.onApplicationShutdown();
    expect(jest.getTimerCount()).toBe(0);
    expect(silent.terminate).not.toHaveBeenCalled();
  });

  it('heartbeatIntervalMs 0 arms nothing', () => {
    heartbeat = new Heartbeat({ heartbeatIntervalMs: 0 } as ResolvedRealtimeOptions);
    heartbeat.track(peer().state);
    expect(jest.getTimerCount()).toBe(0);
  });
});
