/** One room's joins and leaves since its previous diff, and how many members it has now. */
export interface PresenceDiff<T> {
  readonly room: string;
  readonly joined: T[];
  readonly left: T[];
  /** Members of the room on every instance when the diff went out (`ConnectionRegistry.count`). */
  readonly count: number;
}

/** Options of `ConnectionRegistry.presenceDiffs()`. */
export interface PresenceDiffsOptions<T> {
  /**
   * The identity of a member in a diff (a user id, say): a join and a leave of the same key
   * within one interval cancel out, and a key is listed once.
   */
  keyOf: (member: T) => string;
  /** Sends a diff, typically `registry.to(room).emit('...', diff)`. Never called with nothing. */
  send: (diff: PresenceDiff<T>) => void;
  /**
   * At most one diff per room per this many ms (per instance). The first change of a quiet room
   * goes out at the next turn; the changes within an interval after a diff wait for its end.
   * @default 1000
   */
  intervalMs?: number;
}

const done = Promise.resolve();

interface RoomChanges<T> {
  joined: Map<string, T>;
  left: Map<string, T>;
  timer: NodeJS.Timeout | undefined;
  /** The diffs being sent, in order (each waits for its count). */
  sending: Promise<void>;
}

/**
 * Coalesced presence for big rooms (as Phoenix Presence does): instead of one push to every
 * member per join or leave (n joins to a room of n: n^2 frames), a room's changes are gathered
 * and sent as one diff per interval. Rooms without recent changes hold no state and no timer.
 * Made by `ConnectionRegistry.presenceDiffs()`; stopped with the registry.
 */
export class PresenceDiffs<T> {
  private readonly rooms = new Map<string, RoomChanges<T>>();
  private readonly intervalMs: number;
  private stopped = false;

  constructor(
    private readonly options: PresenceDiffsOptions<T>,
    private readonly count: (room: string) => Promise<number>,
    private readonly onError: (error: unknown) => void,
  ) {
    const intervalMs = options.intervalMs ?? 1000;
    if (!Number.isFinite(intervalMs) || intervalMs < 0) {
      throw new RangeError(`intervalMs must be a number >= 0, not ${intervalMs}.`);
    }
    this.intervalMs = intervalMs;
  }

  /** A member joined `room`. */
  joined(room: string, member: T): void {
    const changes = this.changesOf(room);
    const key = this.options.keyOf(member);
    // Left then back within the interval: no change to announce.
    if (!changes.left.delete(key)) changes.joined.set(key, member);
    this.schedule(room, changes);
  }

  /** A member left `room` (or closed while in it). */
  left(room: string, member: T): void {
    const changes = this.changesOf(room);
    const key = this.options.keyOf(member);
    if (!changes.joined.delete(key)) changes.left.set(key, member);
    this.schedule(room, changes);
  }

  /**
   * Whether `room` is within an interval of a diff or has changes waiting: a gateway that
   * pushes small rooms' changes one by one sends through the diffs while this is true, so a
   * join and a leave never overtake each other.
   */
  isActive(room: string): boolean {
    return this.rooms.has(room);
  }

  /** Drops every pending change and timer; nothing is sent any more. */
  stop(): void {
    this.stopped = true;
    for (const changes of this.rooms.values()) clearTimeout(changes.timer);
    this.rooms.clear();
  }

  private changesOf(room: string): RoomChanges<T> {
    let changes = this.rooms.get(room);
    if (!changes) {
      changes = { joined: new Map(), left: new Map(), timer: undefined, sending: done };
      if (!this.stopped) this.rooms.set(room, changes);
    }
    return changes;
  }

  private schedule(room: string, changes: RoomChanges<T>): void {
    // Without a timer the room was quiet: its first change goes at the next turn.
    if (changes.timer || this.stopped) return;
    changes.timer = setTimeout(() => this.flush(room, changes), 0);
    changes.timer.unref();
  }

  private flush(room: string, changes: RoomChanges<T>): void {
    changes.timer = undefined;
    if (changes.joined.size === 0 && changes.left.size === 0) {
      // A whole interval without a change: the room is quiet again.
      this.rooms.delete(room);
      return;
    }
    const joined = [...changes.joined.values()];
    const left = [...changes.left.values()];
    changes.joined.clear();
    changes.left.clear();
    // The end of this interval: the changes made meanwhile, or the room's state let go.
    changes.timer = setTimeout(() => this.flush(room, changes), this.intervalMs);
    changes.timer.unref();
    changes.sending = changes.sending
      .then(() => this.count(room))
      .then((count) => {
        if (!this.stopped) this.options.send({ room, joined, left, count });
      })
      .catch(this.onError);
  }
}
