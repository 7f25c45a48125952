import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { EventLog } from '../logging/event-log.js';
import type { ConnectionState } from './connection-state.js';
import { RESOLVED_OPTIONS } from '../realtime.constants.js';
import type { ResolvedRealtimeOptions } from '../realtime.options.js';

/** A round later than `interval / LATE_DIVISOR` after it fell due counts as late. */
const LATE_DIVISOR = 4;

/**
 * Protocol-level liveness (protocol section 6): every interval each socket gets a ping frame,
 * and a socket that sent nothing since the previous round (no pong, no frame) is terminated, so
 * a vanished or half-open peer is gone within two intervals (three when the server ran late).
 * One timer for all sockets, and nothing allocated per socket per round.
 *
 * A peer that answered is never terminated because the server itself was late:
 * - A round never judges in the timers phase. When the event loop was blocked, the timers phase
 *   runs before the poll phase reads the pongs already waiting in the kernel, and judging there
 *   terminated peers that had answered (issue 15). The timer only schedules the round with
 *   `setImmediate`; the check phase runs after the poll phase of the same loop turn, which reads
 *   every socket found readable then, so whatever a peer sent before the round fell due has
 *   been read (and, with compression off, parsed) when the round judges it.
 * - A round judges only a full interval after the previous round had handed every ping to its
 *   socket, measured on a monotonic clock (`performance.now()`), not trusted to the timer: pings
 *   written late (a long round, a blocked loop) still give each peer a whole interval.
 * - A round that runs late by more than a quarter interval (the loop was blocked around the
 *   deadline) terminates nobody: the silent are pinged again and judged by the next round. Reads
 *   that did not happen in that poll phase (a socket paused by backpressure, more ready sockets
 *   than one poll returns) cannot cost a peer its connection. Only one round in a row spares, so
 *   a server that is late every round still terminates a vanished peer, one interval later.
 */
@Injectable()
export class Heartbeat implements OnApplicationShutdown {
  private readonly states = new Set<ConnectionState>();
  /** Armed between rounds; at most one of `timer` and `round` is pending. */
  private timer: NodeJS.Timeout | undefined;
  /** The round the timer scheduled for the check phase of this loop turn. */
  private round: NodeJS.Immediate | undefined;
  /** When the last round had handed its last ping to a socket (`performance.now()`). */
  private pingedAt = 0;
  /** The last round ran late and spared the silent; the next one does not. */
  private spared = false;
  private readonly events = new EventLog(new Logger('RealtimeHeartbeat'));

  constructor(@Inject(RESOLVED_OPTIONS) private readonly options: ResolvedRealtimeOptions) {}

  /** Number of sockets watched. */
  get size(): number {
    return this.states.size;
  }

  /** Starts watching a socket (called by the adapter when it opens). */
  track(state: ConnectionState): void {
    this.states.add(state);
    this.start();
  }

  /** Stops watching a socket (called by the adapter when it closes). */
  untrack(state: ConnectionState): void {
    this.states.delete(state);
  }

  /**
   * One heartbeat round, now: terminate the silent, ping the rest. Tests call it directly
   * instead of waiting; the timer runs it through {@link onRound}.
   */
  tick(): void {
    this.sweep(false);
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
    clearImmediate(this.round);
    this.timer = undefined;
    this.round = undefined;
  }

  /** Terminates the silent (unless `spare`), then marks every other socket unheard and pings it. */
  private sweep(spare: boolean): void {
    for (const state of this.states) {
      const socket = state.socket;
      if (!state.alive && !spare) {
        this.states.delete(state);
        socket.terminate();
        if (state.writer.meter) state.writer.meter.heartbeatTerminations++;
        this.events.write('log', 'heartbeat_terminated', {
          connection: state.id,
          user: state.userId,
        });
        continue;
      }
      state.alive = false;
      if (socket.readyState === socket.OPEN) socket.ping();
    }
    this.pingedAt = performance.now();
  }

  private start(): void {
    if (this.timer || this.round || this.options.heartbeatIntervalMs === 0) return;
    this.pingedAt = performance.now();
    this.arm(this.options.heartbeatIntervalMs);
  }

  private arm(ms: number): void {
    this.timer = setTimeout(this.onDue, ms);
    // The heartbeat alone must not keep the process alive.
    this.timer.unref();
  }

  /** Timers phase: input that waits in the kernel is unread here, so nobody is judged yet. */
  private readonly onDue = (): void => {
    this.timer = undefined;
    const owed = this.pingedAt + this.options.heartbeatIntervalMs - performance.now();
    // Early by the monotonic clock (the timer counted from a loop time older than the pings).
    if (owed > 0) return this.arm(owed);
    this.round = setImmediate(this.onRound);
    this.round.unref();
  };

  /** Check phase: the poll phase has just read what the peers sent before the round was due. */
  private readonly onRound = (): void => {
    this.round = undefined;
    const interval = this.options.heartbeatIntervalMs;
    const lateBy = performance.now() - (this.pingedAt + interval);
    this.spared = !this.spared && lateBy > interval / LATE_DIVISOR;
    this.sweep(this.spared);
    this.arm(interval);
  };
}
