/** Reconnect delays: jittered exponential backoff with a cap. */
export interface BackoffOptions {
  /**
   * Base of the first delay.
   * @default 500
   */
  initialMs?: number;
  /**
   * Cap of the base delay.
   * @default 30000
   */
  maxMs?: number;
  /**
   * Growth of the base delay per failed attempt.
   * @default 2
   */
  multiplier?: number;
  /**
   * Share of the delay that is random, 0 to 1: the delay is `base * (1 - jitter * random())`,
   * so 0.5 spreads reconnects over [base/2, base]. 0 disables it, 1 is "full jitter".
   * @default 0.5
   */
  jitter?: number;
  /**
   * A connection that stayed open this long resets the backoff when it drops; a shorter one does
   * not (a server that accepts then closes at once must not be hammered).
   * @default 10000
   */
  resetAfterMs?: number;
  /**
   * Smallest base delay after close `4429` (message rate exceeded persistently).
   * @default 10000
   */
  rateLimitedMs?: number;
}

/** Backoff options with every default applied. */
export type ResolvedBackoffOptions = Required<BackoffOptions>;

/** The defaults of {@link BackoffOptions}. */
export const BACKOFF_DEFAULTS: ResolvedBackoffOptions = {
  initialMs: 500,
  maxMs: 30_000,
  multiplier: 2,
  jitter: 0.5,
  resetAfterMs: 10_000,
  rateLimitedMs: 10_000,
};

/** A random number in [0, 1), like `Math.random`. */
export type RandomSource = () => number;

/**
 * The base delay (before jitter) of attempt `attempt` (0 for the first): `initialMs *
 * multiplier^attempt`, at least `minMs`, at most `maxMs` (or `minMs` when that is larger).
 */
export function baseDelay(options: ResolvedBackoffOptions, attempt: number, minMs = 0): number {
  const grown = options.initialMs * options.multiplier ** attempt;
  return Math.min(Math.max(grown, minMs), Math.max(options.maxMs, minMs));
}

/** Applies the jitter to a base delay; `random` must return a number in [0, 1). */
export function jittered(base: number, jitter: number, random: RandomSource): number {
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(base * (1 - jitter * r));
}

/**
 * The reconnect schedule of one client. `next()` gives the delay before the next attempt and
 * counts it; `reset()` starts over; `connectionClosed(openForMs)` resets it only after a stable
 * connection.
 */
export class Backoff {
  private attempts = 0;

  constructor(
    readonly options: ResolvedBackoffOptions,
    private readonly random: RandomSource = Math.random,
  ) {}

  /** Attempts counted since the last reset. */
  get attempt(): number {
    return this.attempts;
  }

  /** The delay before the next attempt, in ms; `minMs` raises the base (used after 4429). */
  next(minMs = 0): number {
    const base = baseDelay(this.options, this.attempts, minMs);
    this.attempts++;
    return jittered(base, this.options.jitter, this.random);
  }

  /** Starts over from `initialMs`. */
  reset(): void {
    this.attempts = 0;
  }

  /** A connection that had been open for `openForMs` dropped: reset when it was stable. */
  connectionClosed(openForMs: number): void {
    if (openForMs >= this.options.resetAfterMs) this.reset();
  }
}
