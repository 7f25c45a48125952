import type { StreamPosition } from '../../protocol/index.js';
import type { DeliveryPosition, MessageDelivery } from '../broker/delivery.js';

/** A push with its position in its stream (its frame carries the same position in front). */
export interface PositionedDelivery extends MessageDelivery {
  readonly position: DeliveryPosition;
}

/** How much history a stream keeps. */
export interface HistoryRule {
  /** Entries kept; older ones are dropped. */
  readonly size: number;
  /** Age after which an entry is dropped, in ms. */
  readonly ttlMs: number;
  /**
   * A latest-value stream: only the newest push of each key (`emit(..., { key })`, default the
   * event name) is kept, for at most `size` keys, and a resume replays those whatever the gap.
   */
  readonly conflate?: boolean;
}

/** What `read()` found after an offset. */
export interface StreamRead {
  /** The stream's epoch and last offset now (offset 0 in a new epoch for an unknown stream). */
  readonly top: StreamPosition;
  /** The kept entries of the current epoch after the offset asked for, oldest first. */
  readonly entries: PositionedDelivery[];
}

/** Receives the positioned pushes of every instance, in offset order per stream. */
export type PositionedReceiver = (delivery: PositionedDelivery) => void;

/** What a stream log reports about itself. Counters only grow. */
export interface StreamLogHealth {
  /** Pushes given a position and kept. */
  appended: number;
  /** Pushes the backend could not position (served unpositioned to this instance's sockets). */
  appendFailures: number;
}

/**
 * The history of streams (rooms, users, everyone) for missed-message recovery: it gives each push
 * to a stream the next offset of the stream's current epoch, keeps the last pushes as its rule
 * says, and has them delivered. An abstract class, so it is both the DI token and the type;
 * `InProcessStreamLog` (memory) and `RedisStreamLog` (Redis Streams) implement it.
 *
 * - **Order.** Every instance receives a stream's pushes in offset order, and `read()` returns
 *   them in the same order with the same frames: history and live traffic never disagree.
 * - **Epochs.** The epoch changes whenever history may have been lost (a new in-process log, a
 *   flush, an eviction, an outage of the backend): a position of another epoch is never resumed.
 * - **Failures.** `append()` rejects when the push could not be positioned; the registry then
 *   serves it unpositioned to its own sockets, and the stream's next push opens a new epoch.
 */
export abstract class StreamLog {
  /**
   * Binds the receiver of positioned pushes (a log whose backend carries them back through the
   * bus, as Redis does, may deliver them through the bus's receiver instead).
   */
  abstract start(receive: PositionedReceiver): Promise<void>;

  abstract stop(): Promise<void>;

  /**
   * Positions `delivery` as the next push of `stream`, keeps it under `rule`, and delivers it to
   * every instance (this one included) in offset order. Resolves once it is kept.
   */
  abstract append(stream: string, delivery: MessageDelivery, rule: HistoryRule): Promise<void>;

  /** The kept entries after offset `after` (at most `limit`), and where the stream is now. */
  abstract read(stream: string, after: number, limit: number): Promise<StreamRead>;

  /** Where the stream is now. */
  abstract top(stream: string): Promise<StreamPosition>;

  /** Cheap and synchronous. */
  abstract health(): StreamLogHealth;
}

/** @internal The methods a stream log must have, checked at boot. */
export const STREAM_LOG_METHODS = [
  'start',
  'stop',
  'append',
  'read',
  'top',
  'health',
] as const satisfies readonly (keyof StreamLog)[];
