import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { ConnectionState } from './connection-state.js';
import { RESOLVED_OPTIONS } from '../realtime.constants.js';
import type { ResolvedRealtimeOptions } from '../realtime.options.js';

/**
 * Protocol-level liveness (protocol section 6): every interval each socket gets a ping frame,
 * and a socket that sent nothing since the previous tick (no pong, no frame) is terminated, so a
 * vanished or half-open peer is gone within two intervals. One timer for all sockets.
 */
@Injectable()
export class Heartbeat implements OnApplicationShutdown {
  private readonly states = new Set<ConnectionState>();
  private timer: NodeJS.Timeout | undefined;

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
   * One heartbeat round: terminate the silent, ping the rest. Runs on the interval; tests call it
   * directly instead of waiting.
   */
  tick(): void {
    for (const state of this.states) {
      const socket = state.socket;
      if (!state.alive) {
        this.states.delete(state);
        socket.terminate();
        continue;
      }
      state.alive = false;
      if (socket.readyState === socket.OPEN) socket.ping();
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private start(): void {
    if (this.timer || this.options.heartbeatIntervalMs === 0) return;
    this.timer = setInterval(() => this.tick(), this.options.heartbeatIntervalMs);
    // The heartbeat alone must not keep the process alive.
    this.timer.unref();
  }
}
