import { TokenBucket } from '../protocol/index.js';

/** The pacing options the pacer reads (see `ClientLimits`). */
export interface PacingOptions {
  messagesPerSecond: number;
  burst: number;
}

/**
 * The client's send rate: the server's own token-bucket rule, applied before sending so the
 * server never has to refuse. A fresh, full bucket per connection (the server's is per
 * connection too); `wake` runs when a token is due for a sender that had to wait.
 */
export class Pacer {
  private bucket: TokenBucket | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly options: PacingOptions,
    private readonly wake: () => void,
  ) {}

  /** A new connection: a full bucket. */
  reset(): void {
    this.stop();
    const { messagesPerSecond, burst } = this.options;
    const paced = Number.isFinite(messagesPerSecond);
    this.bucket = paced ? new TokenBucket(messagesPerSecond, burst, Date.now()) : undefined;
  }

  /** Takes a token for one message; false (and a wake-up scheduled) when it must wait. */
  admit(): boolean {
    if (!this.bucket) return true;
    const now = Date.now();
    if (this.bucket.take(now)) return true;
    if (this.timer === undefined) {
      const wake = (): void => {
        this.timer = undefined;
        this.wake();
      };
      this.timer = setTimeout(wake, this.bucket.msUntilToken(now));
    }
    return false;
  }

  /** Takes a token without waiting (`$ping`, `$auth`): later messages pay it back. */
  force(): void {
    this.bucket?.take(Date.now(), true);
  }

  /** The connection is gone: no wake-up. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
