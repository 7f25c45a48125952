import { randomBytes } from 'node:crypto';
import { positionedFrame, type StreamPosition } from '../../protocol/index.js';
import type { MessageDelivery } from '../broker/delivery.js';
import type { HistoryRule, PositionedDelivery, StreamRead } from './stream-log.js';

interface Entry {
  readonly delivery: PositionedDelivery;
  readonly at: number;
}

/**
 * One stream: its epoch, its last offset and its recent entries, oldest first; for a
 * latest-value stream, the newest entry of each key, oldest first.
 */
class Stream {
  entries: Entry[] = [];
  readonly latest = new Map<string, Entry>();
  top = 0;

  constructor(readonly epoch: string) {}

  push(entry: Entry, rule: HistoryRule): void {
    if (rule.size <= 0) return;
    const key = entry.delivery.latest;
    if (rule.conflate && key !== undefined) {
      this.latest.delete(key);
      this.latest.set(key, entry);
      if (this.latest.size > rule.size) this.latest.delete(this.latest.keys().next().value!);
      return;
    }
    this.entries.push(entry);
    while (this.entries.length > rule.size) this.entries.shift();
  }

  /** Drops entries older than `ttlMs`. */
  expire(now: number, ttlMs: number): void {
    let stale = 0;
    while (stale < this.entries.length && now - this.entries[stale]!.at >= ttlMs) stale++;
    if (stale > 0) this.entries.splice(0, stale);
    for (const [key, entry] of this.latest) {
      if (now - entry.at < ttlMs) break;
      this.latest.delete(key);
    }
  }

  /** Every kept entry, in offset order. */
  *kept(): Generator<Entry> {
    yield* this.entries;
    yield* this.latest.values();
  }
}

/** @internal Bounds of an in-process history. */
export interface StreamHistoryOptions {
  /** Streams kept; the least recently published is forgotten (its epoch with it). */
  maxStreams?: number;
  now?: () => number;
  newEpoch?: () => string;
}

/**
 * @internal The history of streams in the memory of one process (docs/recovery-design.md,
 * section 2): per stream an epoch, a counter of offsets and its last `size` positioned pushes,
 * none older than `ttlMs`. A new history draws new epochs, so a restart tells every client that
 * history was lost; so does a stream forgotten to stay under `maxStreams`.
 */
export class StreamHistory {
  private readonly streams = new Map<string, Stream>();
  private readonly maxStreams: number;
  private readonly now: () => number;
  private readonly newEpoch: () => string;
  /** The rule a stream was last appended under (its entries expire by it). */
  private readonly ttls = new Map<string, number>();

  constructor(options: StreamHistoryOptions = {}) {
    this.maxStreams = options.maxStreams ?? 100_000;
    this.now = options.now ?? Date.now;
    this.newEpoch = options.newEpoch ?? (() => randomBytes(6).toString('base64url'));
  }

  /** Gives a push the next position of `stream`, keeps it under `rule`, and returns it. */
  append(stream: string, delivery: MessageDelivery, rule: HistoryRule): PositionedDelivery {
    let log = this.streams.get(stream);
    if (log) {
      // Most recently published last: the first in the map is the one to forget.
      this.streams.delete(stream);
      this.streams.set(stream, log);
    } else {
      log = this.create(stream);
    }
    const now = this.now();
    log.expire(now, rule.ttlMs);
    this.ttls.set(stream, rule.ttlMs);
    const o = ++log.top;
    const position = { stream, e: log.epoch, o };
    const frame = positionedFrame(delivery.frame, stream, position);
    const positioned: PositionedDelivery = { ...delivery, frame, position };
    log.push({ delivery: positioned, at: now }, rule);
    return positioned;
  }

  /** Where the stream is now (offset 0 in a new epoch for a stream never appended to). */
  top(stream: string): StreamPosition {
    const log = this.streams.get(stream) ?? this.create(stream);
    return { e: log.epoch, o: log.top };
  }

  /** Up to `limit` kept entries after offset `after`, and where the stream is now. */
  read(stream: string, after: number, limit: number): StreamRead {
    const log = this.streams.get(stream) ?? this.create(stream);
    log.expire(this.now(), this.ttls.get(stream) ?? Number.POSITIVE_INFINITY);
    const entries: PositionedDelivery[] = [];
    for (const { delivery } of log.kept()) {
      if (entries.length >= limit) break;
      if (delivery.position.o > after) entries.push(delivery);
    }
    return { top: { e: log.epoch, o: log.top }, entries };
  }

  /** Forgets every stream, as a backend that lost its data would. */
  clear(): void {
    this.streams.clear();
    this.ttls.clear();
  }

  private create(stream: string): Stream {
    if (this.streams.size >= this.maxStreams) {
      const oldest = this.streams.keys().next().value as string;
      this.streams.delete(oldest);
      this.ttls.delete(oldest);
    }
    const log = new Stream(this.newEpoch());
    this.streams.set(stream, log);
    return log;
  }
}
