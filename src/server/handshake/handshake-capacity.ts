import type { RealtimePrincipal } from '../auth/principal.js';
import { HandshakeException } from '../errors/handshake.exception.js';
import type { ResolvedRealtimeOptions } from '../realtime.options.js';

/** What capacity is measured against: this instance's open connections. */
export interface ConnectionCounts {
  readonly size: number;
  /** A user's open connections here (a count, not a copy: it runs on every handshake). */
  countOf(userId: string): number;
}

/**
 * Whether this instance takes one more connection: not draining, under the global cap, not too
 * many handshakes waiting on asynchronous guards, and the user under the per-user cap. Each
 * refusal is a `HandshakeException` (503 or 429 with `Retry-After`).
 */
export class HandshakeCapacity {
  /** Upgrades waiting on an asynchronous guard right now. */
  pending = 0;
  /** Set at shutdown: every new upgrade gets 503. */
  draining = false;

  constructor(
    private readonly limits: ResolvedRealtimeOptions['limits'],
    private readonly connections: ConnectionCounts,
  ) {}

  /** Draining, full, or (with `countPending`) too many handshakes in progress: 503. */
  check(countPending = true): HandshakeException | undefined {
    const retry = this.limits.retryAfterSec;
    if (this.draining) return HandshakeException.unavailable('Server is shutting down', retry);
    if (this.connections.size >= this.limits.connections) {
      return HandshakeException.unavailable('Server is at its connection limit', retry);
    }
    if (countPending && this.pending >= this.limits.pendingHandshakes) {
      return HandshakeException.unavailable('Too many handshakes in progress', retry);
    }
    return undefined;
  }

  /** The user already has `connectionsPerUser` sockets here: 429. */
  checkUser(principal: RealtimePrincipal): HandshakeException | undefined {
    const max = this.limits.connectionsPerUser;
    if (this.connections.countOf(principal.userId) < max) return undefined;
    const message = `At most ${max} connections per user`;
    return HandshakeException.tooManyConnections(message, this.limits.retryAfterSec);
  }
}
