import type { Logger } from '@nestjs/common';

/** At most one report per this many milliseconds. */
const REPORT_EVERY_MS = 10_000;

/**
 * Counts what was read from Redis and refused, and reports it rate-limited: the first refusal at
 * once, then at most one line per 10 s with the counts by reason since the last line. Never the
 * refused content (it may carry anything, a token included): only reasons chosen by the caller.
 */
export class RejectionLog {
  private readonly pending = new Map<string, number>();
  private nextReport = 0;
  /** Refusals since the start. */
  total = 0;

  constructor(
    private readonly logger: Logger,
    /** What was refused, for the log line: `Redis deliveries`, `Redis presence entries`. */
    private readonly what: string,
  ) {}

  /** Counts a refusal for `reason`; `now` in ms since the epoch. */
  note(reason: string, now: number): void {
    this.total++;
    this.pending.set(reason, (this.pending.get(reason) ?? 0) + 1);
    if (now < this.nextReport) return;
    this.nextReport = now + REPORT_EVERY_MS;
    const counts = [...this.pending].map(([r, n]) => `${n} ${r}`).join(', ');
    this.pending.clear();
    this.logger.warn(`Ignored ${this.what}: ${counts} (${this.total} since start)`);
  }
}
