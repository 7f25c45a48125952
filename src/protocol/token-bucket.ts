/**
 * A token bucket: `burst` messages at once, refilled at `ratePerSecond`. Time is passed in, so
 * tests need no clock. The server admits inbound messages with it; the client paces its sends
 * with the same rule, so what it sends stays inside what the server admits.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /**
   * Takes one token; false when the bucket is empty. `force` takes it anyway (the bucket goes
   * into debt that later takes pay back): for a message that must not wait.
   */
  take(now: number, force = false): boolean {
    this.refill(now);
    if (this.tokens < 1 && !force) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until a token is available (0 when one is). */
  msUntilToken(now: number): number {
    this.refill(now);
    if (this.tokens >= 1) return 0;
    return Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond);
  }

  private refill(now: number): void {
    const elapsed = now - this.last;
    if (elapsed <= 0) return;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSecond) / 1000);
    this.last = now;
  }
}
