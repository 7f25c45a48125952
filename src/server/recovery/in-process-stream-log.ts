import { randomBytes } from 'node:crypto';
import { positionedFrame, type StreamPosition } from '../../protocol/index.js';

/** How much history a stream keeps. */
export interface HistoryRule {
  /** Entries kept; older ones are dropped. */
  size: number;
  /** Age after which an entry is dropped. */
  ttlMs: number;
}

/** A publication kept in a stream's history: its offset and its positioned frame. */
export interface HistoryEntry {
  readonly o: number;
  readonly frame: string;
  readonly at: number;
}

/** What `read()` found after a position. */
export interface HistoryRead {
  /** The stream's epoch and last offset now. */
  readonly top: StreamPosition;
  /** The entries after the position asked for, oldest first, at most `limit`. */
  readonly entries: HistoryEntry[];
  /**
   * True when `entries` start right after the position asked for (or nothing was missed): a
   * replay of them leaves no gap. False when history no longer reaches back that far.
   */
  readonly contiguous: boolean;
}

/** One stream: its epoch, its last offset and a ring of its recent entries. */
class Stream {
  readonly ring: (HistoryEntry | undefined)[];
  /** Index in `ring` of the oldest entry, and how many entries are held. */
  private start = 0;
  private count = 0;
  top = 0;

  constructor(
    readonly epoch: string,
    readonly rule: HistoryRule,
  ) {
    this.ring = new Array<HistoryEntry | undefined>(rule.size);
  }

  push(entry: HistoryEntry): void {
    const size = this.ring.length;
    if (size === 0) return;
    this.ring[(this.start + this.count) % size] = entry;
    if (this.count < size) this.count++;
    else this.start = (this.start + 1) % size;
  }

  /** Drops entries older than the rule's time to live. */
  expire(now: number): void {
    while (this.count > 0) {
      const oldest = this.ring[this.start]!;
      if (now - oldest.at < this.rule.ttlMs) return;
      this.ring[this.start] = undefined;
      this.start = (this.start + 1) % this.ring.length;
      this.count--;
    }
  }

  /** Held entries with an offset above `after`, oldest first. */
  after(after: number, limit: number): HistoryEntry[] {
    const out: HistoryEntry[] = [];
    for (let i = 0; i < this.count && out.length < limit; i++) {
      const entry = this.ring[(this.start + i) % this.ring.length]!;
      if (entry.o > after) out.push(entry);
    }
    return out;
  }
}

/**
 * The history of streams in the memory of one process (docs/recovery-design.md, section 2):
 * per stream an epoch, a counter of offsets and a ring of its last `size` positioned frames,
 * none older than `ttlMs`. A new log draws new epochs, so a restart tells every client that
 * history was lost. Not wired to the registry yet (issue 14, slice 2).
 */
export class InProcessStreamLog {
  private readonly streams = new Map<string, Stream>();

  constructor(
    private readonly ruleOf: (stream: string) => HistoryRule,
    private readonly now: () => number = Date.now,
    private readonly newEpoch: () => string = () => randomBytes(6).toString('base64url'),
  ) {}

  /** Gives a push frame the next position of `stream`, keeps it, and returns it positioned. */
  append(stream: string, frame: string): { position: StreamPosition; frame: string } {
    const log = this.stream(stream);
    const now = this.now();
    log.expire(now);
    const position = { e: log.epoch, o: ++log.top };
    const positioned = positionedFrame(frame, stream, position);
    log.push({ o: position.o, frame: positioned, at: now });
    return { position, frame: positioned };
  }

  /** Where the stream is now (offset 0 in a new epoch for a stream never appended to). */
  top(stream: string): StreamPosition {
    const log = this.stream(stream);
    return { e: log.epoch, o: log.top };
  }

  /**
   * Up to `limit` entries after offset `after` of the current epoch. The caller compares epochs
   * and checks `after <= top.o` first; `contiguous` says whether the entries reach back to it.
   */
  read(stream: string, after: number, limit: number): HistoryRead {
    const log = this.stream(stream);
    log.expire(this.now());
    const entries = log.after(after, limit);
    const top = { e: log.epoch, o: log.top };
    const contiguous = after >= log.top || entries[0]?.o === after + 1;
    return { top, entries, contiguous };
  }

  private stream(name: string): Stream {
    let log = this.streams.get(name);
    if (!log) this.streams.set(name, (log = new Stream(this.newEpoch(), this.ruleOf(name))));
    return log;
  }
}
