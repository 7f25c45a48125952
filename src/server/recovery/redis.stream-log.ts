import { isPushFrame } from '../broker/redis/redis-push-frame.js';
import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { RESUME_LIMITS, type StreamPosition } from '../../protocol/index.js';
import type { DeliveryTarget, MessageDelivery } from '../broker/delivery.js';
import type { Interest } from '../broker/interest.js';
import { RedisErrorLog } from '../broker/redis/redis-client.js';
import { isTarget, positionedWireHead } from '../broker/redis/redis-wire.js';
import type { RedisBus } from '../broker/redis/redis.bus.js';
import { isStreamName, parseFramePosition } from './frame-position.js';
import {
  streamKeys,
  ttlArg,
  withStreamScripts,
  type RawEntry,
  type StreamKeys,
  type StreamScripts,
} from './redis-stream-scripts.js';
import {
  StreamLog,
  type HistoryRule,
  type PositionedDelivery,
  type PositionedReceiver,
  type StreamLogHealth,
  type StreamRead,
} from './stream-log.js';

export interface RedisStreamLogOptions {
  /** How long a quiet stream keeps its epoch and offset (at least its entries' ttl). @default 1 day */
  metaTtlMs?: number;
  /** Streams whose failed appends are remembered, to open a new epoch on each. @default 100 000 */
  maxFailedStreams?: number;
  /** @internal */
  newEpoch?: () => string;
}

const DAY_MS = 86_400_000;

const unavailable = (): Error => new Error('Redis stream log is unavailable');
const corruptMeta = (): Error => new Error('Redis stream log: a stream meta without a valid epoch');

/**
 * History on Redis Streams, on the bus's connection (no connection of its own). One Lua script
 * per publication gives the offset, keeps the entry and publishes it on the stream's channel
 * (see `redis-stream-scripts.ts`), so the channel's order is the offsets' order. Every instance,
 * the publisher included, delivers positioned pushes when they come back on the channel: they
 * reach the bus's receiver, and `start()`'s receiver is not called.
 *
 * **Epochs.** A stream whose meta is missing (never used, expired, `FLUSHALL`, evicted, Redis
 * restarted without persistence) gets a new epoch at its next append or read. An append that
 * failed (Redis down, a timeout) is remembered: the stream's meta is dropped when the bus is
 * ready again, and its next append or read opens a new epoch anyway, so that clients resuming
 * across the outage are told `epoch_changed` rather than miss the pushes it lost. Over
 * `maxFailedStreams` streams failing in one outage, the oldest are forgotten.
 *
 * **Persistence.** A Redis restored from an older snapshot (RDB, a replica promoted with lost
 * writes) brings back an older meta, and offsets already given would be given again with the
 * same epoch. Run Redis without persistence, or with AOF `appendfsync always`, for history; the
 * `run_id` check of the design (section 2) is not done.
 */
export class RedisStreamLog extends StreamLog {
  private readonly logger = new Logger('RedisStreamLog');
  private readonly errors = new RedisErrorLog(this.logger);
  private readonly stats = { appended: 0, appendFailures: 0 };
  /** Streams with a failed append, waiting for a new epoch. */
  private readonly failed = new Set<string>();
  private readonly metaTtlMs: number;
  private readonly maxFailed: number;
  private readonly newEpoch: () => string;
  /** Numbers positioned publications (header `q`); from the clock, as the bus does. */
  private seq = Date.now() * 1000;
  private stopped = false;
  private readonly onBusReady = (): void => void this.dropFailedMetas();

  constructor(
    private readonly bus: RedisBus,
    options: RedisStreamLogOptions = {},
  ) {
    super();
    this.metaTtlMs = options.metaTtlMs ?? DAY_MS;
    this.maxFailed = options.maxFailedStreams ?? 100_000;
    this.newEpoch = options.newEpoch ?? (() => randomBytes(6).toString('base64url'));
  }

  /** `receive` is not called: positioned pushes arrive through the bus's receiver. */
  override start(_receive?: PositionedReceiver): Promise<void> {
    this.stopped = false;
    this.bus.events.on('ready', this.onBusReady);
    return Promise.resolve();
  }

  override stop(): Promise<void> {
    this.stopped = true;
    this.bus.events.off('ready', this.onBusReady);
    return Promise.resolve();
  }

  override async append(
    stream: string,
    delivery: MessageDelivery,
    rule: HistoryRule,
  ): Promise<void> {
    if (!isStreamName(stream) || !delivery.frame.startsWith('{')) {
      throw new TypeError('RedisStreamLog: not a stream, or not a JSON object frame');
    }
    const seq = ++this.seq;
    const reset = this.failed.has(stream);
    try {
      // Every receiver would refuse it (see RedisBus): not kept, and counted here.
      if (Buffer.byteLength(delivery.frame) > this.bus.maxMessageBytes) {
        throw new RangeError(`a push over maxMessageBytes (${this.bus.maxMessageBytes})`);
      }
      const client = this.client();
      const channel = this.bus.channelOf(stream as Interest);
      const { entries, meta, latest } = streamKeys(this.bus.prefix, channel, stream);
      const key = rule.conflate ? (delivery.latest ?? '') : '';
      const [, epoch] = await client.rtStreamAppend(
        entries,
        meta,
        latest,
        this.newEpoch(),
        reset ? '1' : '0',
        String(Math.max(0, Math.floor(rule.size))),
        ttlArg(rule.ttlMs),
        ttlArg(Math.max(rule.ttlMs, this.metaTtlMs)),
        channel,
        JSON.stringify(stream),
        delivery.frame.slice(1),
        positionedWireHead(this.bus.instanceId, seq, key || undefined),
        JSON.stringify(delivery.target),
        key,
      );
      // A foreign or corrupt meta: its pushes were refused by every receiver; the next opens
      // a new epoch.
      if (!RESUME_LIMITS.epoch.test(epoch)) throw corruptMeta();
    } catch (error) {
      this.stats.appendFailures++;
      this.bus.events.emit('publishFailed');
      this.remember(stream);
      // A script that timed out may still run and echo: this instance served it already.
      this.bus.skipEcho(seq);
      this.errors.log(error as Error);
      throw error;
    }
    this.stats.appended++;
    if (reset) this.failed.delete(stream);
  }

  override async read(stream: string, after: number, limit: number): Promise<StreamRead> {
    if (!isStreamName(stream)) throw new TypeError('RedisStreamLog: not a stream');
    const reset = this.failed.has(stream);
    const client = this.client();
    const { entries, meta } = this.keysOf(stream);
    const [e, o, raw] = await client.rtStreamRead(
      entries,
      meta,
      this.newEpoch(),
      reset ? '1' : '0',
      ttlArg(this.metaTtlMs),
      `${Math.max(0, Math.floor(after)) + 1}-0`,
      String(Math.max(0, Math.floor(limit))),
    );
    if (reset) this.failed.delete(stream);
    if (!RESUME_LIMITS.epoch.test(e)) {
      this.remember(stream);
      throw corruptMeta();
    }
    const found: PositionedDelivery[] = [];
    for (const entry of raw) {
      const delivery = entryOf(entry, stream, e);
      if (delivery) found.push(delivery);
    }
    return { top: { e, o: Number(o) }, entries: found };
  }

  override async top(stream: string): Promise<StreamPosition> {
    return (await this.read(stream, 0, 0)).top;
  }

  override health(): StreamLogHealth {
    return { ...this.stats };
  }

  private client(): StreamScripts {
    const client = this.stopped ? undefined : this.bus.publisher;
    if (!client) throw unavailable();
    return withStreamScripts(client);
  }

  private keysOf(stream: string): StreamKeys {
    return streamKeys(this.bus.prefix, this.bus.channelOf(stream as Interest), stream);
  }

  private remember(stream: string): void {
    this.failed.delete(stream);
    this.failed.add(stream);
    if (this.failed.size > this.maxFailed) {
      this.failed.delete(this.failed.values().next().value as string);
    }
  }

  /**
   * Redis is back: the metas of the streams that failed are dropped, so every instance opens a
   * new epoch for them (not only this one at its next append). Still failing: tried again at
   * the next `ready`, and the next append or read resets them anyway.
   */
  private async dropFailedMetas(): Promise<void> {
    const client = this.bus.publisher;
    if (!client || this.failed.size === 0) return;
    for (const stream of [...this.failed]) {
      const { entries, meta } = this.keysOf(stream);
      try {
        // Both keys are in one slot: one command.
        await client.del(entries, meta);
        this.failed.delete(stream);
      } catch (error) {
        this.errors.log(error as Error);
        return;
      }
    }
  }
}

/**
 * An entry read back, checked: its frame's position must match its id and its stream, and the
 * frame must be a push.
 */
function entryOf(entry: RawEntry, stream: string, epoch: string): PositionedDelivery | undefined {
  const [id, fields] = entry;
  let frame: string | undefined;
  let target: string | undefined;
  let latest: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'f') frame = fields[i + 1];
    else if (fields[i] === 't') target = fields[i + 1];
    else if (fields[i] === 'k') latest = fields[i + 1];
  }
  const position = frame === undefined ? undefined : parseFramePosition(frame);
  if (!position || target === undefined) return undefined;
  if (`${position.o}-0` !== id || position.stream !== stream || position.e !== epoch) {
    return undefined;
  }
  // Read from Redis, replayed to a socket: a push of the protocol's shape, or nothing (a gap,
  // so the stream is not recovered rather than replayed with a forged frame in it).
  if (!isPushFrame(frame!, true)) return undefined;
  const parsed = parseTarget(target);
  if (!parsed) return undefined;
  const delivery = { kind: 'message', target: parsed, frame: frame!, volatile: false, position };
  return latest === undefined
    ? (delivery as PositionedDelivery)
    : { ...delivery, kind: 'message', latest };
}

function parseTarget(text: string): DeliveryTarget | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return isTarget(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
