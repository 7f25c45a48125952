import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Session } from '../gateway/session.js';
import { RESOLVED_OPTIONS } from '../realtime.constants.js';
import type { ResolvedRealtimeOptions } from '../realtime.options.js';

/**
 * Protocol-level liveness (protocol section 6): every interval each socket gets a ping frame,
 * and a socket that sent nothing since the previous tick (no pong, no frame) is terminated, so a
 * vanished or half-open peer is gone within two intervals. One timer for all sockets.
 */
@Injectable()
export class Heartbeat implements OnApplicationShutdown {
  private readonly sessions = new Set<Session>();
  private timer: NodeJS.Timeout | undefined;

  constructor(@Inject(RESOLVED_OPTIONS) private readonly options: ResolvedRealtimeOptions) {}

  /** Number of sockets watched. */
  get size(): number {
    return this.sessions.size;
  }

  /** Starts watching a socket (called by the adapter when it opens). */
  track(session: Session): void {
    this.sessions.add(session);
    this.start();
  }

  /** Stops watching a socket (called by the adapter when it closes). */
  untrack(session: Session): void {
    this.sessions.delete(session);
  }

  /**
   * One heartbeat round: terminate the silent, ping the rest. Runs on the interval; tests call it
   * directly instead of waiting.
   */
  tick(): void {
    for (const session of this.sessions) {
      const socket = session.connection.socket;
      if (!session.alive) {
        this.sessions.delete(session);
        socket.terminate();
        continue;
      }
      session.alive = false;
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
