import { CloseCode, OTHER_RFC_CLOSE_CODES, ReservedEvent } from '../../protocol/index.js';

/** The `event` label of a message whose event no gateway handles (or that was not read). */
export const UNKNOWN_EVENT_LABEL = '(unknown)';
/** The `outcome` of a message answered without an error. */
export const OK = 'ok';
/** The `outcome` (or `code`) label for values past the per-series cap. */
export const OTHER = 'other';

/** Distinct outcomes kept per event: error codes come from the protocol and the app's code. */
const MAX_OUTCOMES = 64;
/** Close codes counted by value; others are `other` (a peer chooses the code it sends). */
const KNOWN_CLOSE_CODES = new Set<number>([...Object.values(CloseCode), ...OTHER_RFC_CLOSE_CODES]);
const MAX_SENT_CODES = 64;

/** Bucket counts of one histogram series, cumulated only when exported. */
export class Buckets {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

/** What the meter keeps per event label. */
export class EventStats {
  readonly outcomes = new Map<string, number>();
  readonly durations: Buckets;

  constructor(bounds: readonly number[]) {
    this.durations = new Buckets(bounds);
  }

  /** Answers with outcome `ok`: a field, not a map entry, on the path every message takes. */
  ok = 0;

  answered(outcome: string): void {
    if (outcome === OK) {
      this.ok++;
      return;
    }
    const outcomes = this.outcomes;
    const known = outcomes.get(outcome);
    if (known !== undefined) {
      outcomes.set(outcome, known + 1);
    } else {
      // `ok` has its own field: the other outcomes get the rest of the 64.
      const key = outcomes.size < MAX_OUTCOMES - 1 ? outcome : OTHER;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
  }
}

/** Every outcome counted for an event, `ok` first when there was one. */
export function outcomeCounts(stats: EventStats): [string, number][] {
  const counts: [string, number][] = stats.ok > 0 ? [[OK, stats.ok]] : [];
  for (const entry of stats.outcomes) counts.push(entry);
  return counts;
}

/** Bucket bounds, in seconds. */
export interface MeterBuckets {
  handler: readonly number[];
  lag: readonly number[];
}

/**
 * The counters the hot paths bump when metrics are on: plain numbers and maps, no label hashing,
 * nothing allocated per message. The Prometheus collectors read them at scrape time
 * (`prometheus-collectors.ts`). With metrics off there is no meter at all: every call site is one
 * `meter?.` check. Not part of the public API: its type is reachable, its members may change.
 */
export class Meter {
  /** Upgrades by HTTP status (`101` when accepted). */
  readonly handshakes = new Map<number, number>();
  opened = 0;
  readonly events = new Map<string, EventStats>();
  readonly unknown: EventStats;
  /** Text frames written, of which replies and error answers; the rest are pushes. */
  framesSent = 0;
  replies = 0;
  errors = 0;
  /** Volatile pushes skipped for a slow consumer; latest values parked for one. */
  volatileSkipped = 0;
  latestParked = 0;
  /** Close frames the server wrote, by code. */
  readonly closesSent = new Map<number, number>();
  /** Connections closed, by the code of their close (`other` past the known ones). */
  readonly closed = new Map<number | typeof OTHER, number>();
  heartbeatTerminations = 0;
  /** WebSocket bytes (frames and headers) of the connections already closed. */
  closedBytesIn = 0;
  closedBytesOut = 0;
  readonly lag: Buckets;
  /** `$resume` answers: `recovered`, `partial`, or the reason of a fresh session. */
  readonly resumes = new Map<string, number>();
  /** Streams a resume could not recover, by reason. */
  readonly lostStreams = new Map<string, number>();

  constructor(private readonly buckets: MeterBuckets) {
    this.unknown = new EventStats(buckets.handler);
    this.lag = new Buckets(buckets.lag);
    for (const event of Object.values(ReservedEvent)) this.define(event);
  }

  /** An event some gateway handles: it gets its own label value. */
  define(event: string): EventStats {
    let stats = this.events.get(event);
    if (!stats) this.events.set(event, (stats = new EventStats(this.buckets.handler)));
    return stats;
  }

  /**
   * The stats of an event: its own when a gateway handles it (`handled`: the connection has a
   * handler for it; reserved events always), the unknown event's otherwise, so that clients
   * cannot add label values.
   */
  statsOf(event: string, handled = false): EventStats {
    return this.events.get(event) ?? (handled ? this.define(event) : this.unknown);
  }

  handshake(status: number): void {
    this.handshakes.set(status, (this.handshakes.get(status) ?? 0) + 1);
  }

  closeSent(code: number): void {
    const known = this.closesSent.get(code);
    if (known !== undefined) this.closesSent.set(code, known + 1);
    else if (this.closesSent.size < MAX_SENT_CODES) this.closesSent.set(code, 1);
  }

  connectionClosed(code: number, bytesIn: number, bytesOut: number): void {
    const key = KNOWN_CLOSE_CODES.has(code) || this.closesSent.has(code) ? code : OTHER;
    this.closed.set(key, (this.closed.get(key) ?? 0) + 1);
    this.closedBytesIn += bytesIn;
    this.closedBytesOut += bytesOut;
  }

  /** A `$resume` answered (the message's outcome is `ok`: the answer is the verdict). */
  resumed(outcome: string, lostReasons: readonly string[] = []): void {
    this.statsOf(ReservedEvent.RESUME).answered(OK);
    this.resumes.set(outcome, (this.resumes.get(outcome) ?? 0) + 1);
    for (const reason of lostReasons) {
      this.lostStreams.set(reason, (this.lostStreams.get(reason) ?? 0) + 1);
    }
  }

  /** A publication of another instance arrived, `sentAt` ms since the epoch by its clock. */
  delivered(sentAt: number): void {
    this.lag.observe(Math.max(0, Date.now() - sentAt) / 1000);
  }
}
