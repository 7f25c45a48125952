import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('allows a burst, then the refill rate', () => {
    const bucket = new TokenBucket(10, 3, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(bucket.take(50)).toBe(false); // half a token
    expect(bucket.take(100)).toBe(true); // one token after 100 ms at 10/s
    expect(bucket.take(100)).toBe(false);
  });

  it('never holds more than the burst', () => {
    const bucket = new TokenBucket(1000, 2, 0);
    expect(bucket.take(60_000)).toBe(true);
    expect(bucket.take(60_000)).toBe(true);
    expect(bucket.take(60_000)).toBe(false);
  });

  it('says how long until the next token', () => {
    const bucket = new TokenBucket(50, 1, 0);
    expect(bucket.msUntilToken(0)).toBe(0);
    expect(bucket.take(0)).toBe(true);
    expect(bucket.msUntilToken(0)).toBe(20); // one token per 20 ms at 50/s
    expect(bucket.msUntilToken(5)).toBe(15);
    expect(bucket.take(20)).toBe(true);
  });

  it('goes into debt for a forced take, which later takes pay back', () => {
    const bucket = new TokenBucket(10, 1, 0);
    expect(bucket.take(0)).toBe(true);
    expect(bucket.take(0, true)).toBe(true);
    expect(bucket.take(100)).toBe(false); // the debt of one token is paid back first
    expect(bucket.msUntilToken(100)).toBe(100);
    expect(bucket.take(200)).toBe(true);
  });
});
