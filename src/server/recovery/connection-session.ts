import type { StreamPosition } from '../../protocol/index.js';
import type { SessionRecord } from './session-store.js';
import type { PositionedDelivery } from './stream-log.js';

/** Pushes held for a resuming connection, at most (beyond, its streams fail `overflow`). */
export const HOLD_LIMITS = { frames: 10_000, bytes: 1024 * 1024 } as const;

/**
 * @internal Positioned pushes that reached a connection while it resumes a session: from the
 * open (the upgrade named the session) until the `$resume` reply, they wait here, so that the
 * replay of what it missed goes out first and nothing of a stream is sent twice or out of order.
 */
export class HeldPushes {
  readonly byStream = new Map<string, PositionedDelivery[]>();
  /** Streams that lost pushes to the limits: they cannot be recovered. */
  readonly overflowed = new Set<string>();
  private frames = 0;
  private bytes = 0;

  add(delivery: PositionedDelivery): void {
    const { stream } = delivery.position;
    if (this.overflowed.has(stream)) return;
    this.frames++;
    this.bytes += delivery.frame.length;
    if (this.frames > HOLD_LIMITS.frames || this.bytes > HOLD_LIMITS.bytes) {
      this.overflowed.add(stream);
      const dropped = this.byStream.get(stream) ?? [];
      this.frames -= dropped.length + 1;
      for (const d of dropped) this.bytes -= d.frame.length;
      this.bytes -= delivery.frame.length;
      this.byStream.delete(stream);
      return;
    }
    const held = this.byStream.get(stream);
    if (held) held.push(delivery);
    else this.byStream.set(stream, [delivery]);
  }

  /** Every held push, stream by stream in offset order. */
  all(): PositionedDelivery[] {
    return [...this.byStream.values()].flat();
  }
}

/**
 * @internal A connection's recovery session: its id, where it started following each stream
 * (history before that is never replayed to it), and while it resumes, the pushes held for it.
 */
export class ConnectionSession {
  /** Set once `$resume` has been answered (or started): a second one is a conflict. */
  resumeStarted = false;
  /** The session id the connection owns (after `$resume`); undefined before. */
  id: string | undefined;
  readonly starts = new Map<string, StreamPosition>();
  /** Reads of where a stream is, for `starts`, still running. */
  readonly pending = new Set<Promise<void>>();
  /** The last write of its record (writes are chained). */
  saving: Promise<void> = Promise.resolve();
  /** The record being resumed, until the resume is answered. */
  restoring: SessionRecord | undefined;
  held: HeldPushes | undefined;
  holdTimer: NodeJS.Timeout | undefined;
  /**
   * After a resume, per stream, the position the replay went up to. On Redis the history is
   * read on one connection and the pushes arrive on another, so a push already replayed may
   * still be on its way: such a live push is a duplicate. A stream's floor goes at its first
   * push past it (a channel delivers in offset order: nothing older comes after).
   */
  private floors: Map<string, StreamPosition> | undefined;

  constructor(
    /** The session the upgrade named (`session.<sid>`), to be resumed by `$resume`. */
    public offered: string | undefined,
  ) {
    if (offered !== undefined) this.held = new HeldPushes();
  }

  /** Where the replay of each stream went up to (see `floors`). */
  replayedUpTo(tops: Iterable<StreamPosition & { stream: string }>): void {
    this.floors = undefined;
    for (const { stream, e, o } of tops) (this.floors ??= new Map()).set(stream, { e, o });
  }

  /** Whether a positioned push was replayed to the connection already (write it only if not). */
  replayed(position: { stream: string; e: string; o: number }): boolean {
    const floor = this.floors?.get(position.stream);
    if (!floor) return false;
    if (position.e === floor.e && position.o <= floor.o) return true;
    this.floors!.delete(position.stream);
    if (this.floors!.size === 0) this.floors = undefined;
    return false;
  }

  /** Stops holding: the held pushes, to be written by the caller. */
  release(): PositionedDelivery[] {
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    const held = this.held?.all() ?? [];
    this.held = undefined;
    return held;
  }
}
