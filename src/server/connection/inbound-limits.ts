import { CloseCode, TokenBucket } from '../../protocol/index.js';

/** Why a connection must be closed: the close code and reason to send. */
export interface CloseVerdict {
  readonly code: number;
  readonly reason: string;
}

/** The per-connection limits on what comes in (from the module's options). */
export interface InboundLimitOptions {
  /** Token bucket refill. */
  messagesPerSecond: number;
  /** Token bucket size. */
  messageBurst: number;
  /** Malformed messages tolerated within `windowMs`; one more closes with 1008. */
  maxBadMessages: number;
  /** `RATE_LIMITED` answers tolerated within `windowMs`; one more closes with 4429. */
  rateLimitedBeforeClose: number;
  windowMs: number;
}

/** A counter over a fixed window: how many events since the window started. */
class WindowCounter {
  private start = 0;
  private count = 0;

  constructor(private readonly windowMs: number) {}

  /** Counts one event at `now`; returns the count within the current window. */
  add(now: number): number {
    if (now - this.start > this.windowMs) {
      this.start = now;
      this.count = 0;
    }
    return ++this.count;
  }
}

const TOO_MANY_BAD: CloseVerdict = {
  code: CloseCode.POLICY_VIOLATION,
  reason: 'Too many malformed messages',
};
const RATE_EXCEEDED: CloseVerdict = {
  code: CloseCode.RATE_EXCEEDED,
  reason: 'Message rate exceeded',
};

/**
 * The inbound limits of one connection: the message token bucket, and the windows of malformed
 * messages and of rate-limited answers. It decides, it never closes: a method returns a
 * {@link CloseVerdict} when the connection has earned a close, `undefined` when the client
 * should get a coded error and may go on. Time is passed in.
 */
export class InboundLimits {
  private readonly bucket: TokenBucket;
  // Made at the first malformed message or rate-limited answer: most connections never have one.
  private bad: WindowCounter | undefined;
  private limited: WindowCounter | undefined;

  constructor(
    private readonly options: InboundLimitOptions,
    now: number,
  ) {
    this.bucket = new TokenBucket(options.messagesPerSecond, options.messageBurst, now);
  }

  /** Takes a token for one message; false when the client is over its rate. */
  admit(now: number): boolean {
    return this.bucket.take(now);
  }

  /** A malformed message: 1008 once the client keeps at it within the window. */
  malformed(now: number): CloseVerdict | undefined {
    this.bad ??= new WindowCounter(this.options.windowMs);
    return this.bad.add(now) > this.options.maxBadMessages ? TOO_MANY_BAD : undefined;
  }

  /** A `RATE_LIMITED` answer is due: 4429 once the client keeps at it within the window. */
  rateLimited(now: number): CloseVerdict | undefined {
    this.limited ??= new WindowCounter(this.options.windowMs);
    return this.limited.add(now) > this.options.rateLimitedBeforeClose ? RATE_EXCEEDED : undefined;
  }
}

/** No limits at all (a connection built outside the adapter, e.g. in a unit test). */
export const UNLIMITED: InboundLimitOptions = {
  messagesPerSecond: Number.POSITIVE_INFINITY,
  messageBurst: Number.POSITIVE_INFINITY,
  maxBadMessages: Number.POSITIVE_INFINITY,
  rateLimitedBeforeClose: Number.POSITIVE_INFINITY,
  windowMs: Number.POSITIVE_INFINITY,
};
