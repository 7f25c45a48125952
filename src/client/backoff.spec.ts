import { Backoff, BACKOFF_DEFAULTS, baseDelay, jittered } from './backoff.js';

const NO_JITTER = { ...BACKOFF_DEFAULTS, jitter: 0 };

/** A random source that returns these values in turn. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}

describe('Backoff', () => {
  it('grows exponentially from initialMs by the multiplier', () => {
    const backoff = new Backoff(NO_JITTER);
    const delays = Array.from({ length: 5 }, () => backoff.next());
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(backoff.attempt).toBe(5);
  });

  it('never goes past maxMs, however many attempts', () => {
    const backoff = new Backoff({ ...NO_JITTER, maxMs: 5000 });
    const delays = Array.from({ length: 2000 }, () => backoff.next());
    expect(delays.slice(0, 6)).toEqual([500, 1000, 2000, 4000, 5000, 5000]);
    expect(Math.max(...delays)).toBe(5000);
    expect(delays.at(-1)).toBe(5000);
  });

  it('keeps jittered delays within [base * (1 - jitter), base]', () => {
    const options = { ...BACKOFF_DEFAULTS, jitter: 0.5 };
    expect(new Backoff(options, () => 0).next()).toBe(500);
    expect(new Backoff(options, () => 0.999_999).next()).toBe(250);
    expect(new Backoff(options, () => 0.5).next()).toBe(375);
    const backoff = new Backoff(options, sequence(0, 0.25, 0.5, 0.75, 0.999));
    for (let attempt = 0; attempt < 12; attempt++) {
      const base = baseDelay(options, attempt);
      const delay = backoff.next();
      expect(delay).toBeGreaterThanOrEqual(base * 0.5);
      expect(delay).toBeLessThanOrEqual(base);
    }
  });

  it('spreads clients with different random draws (D7)', () => {
    const delays = [0.1, 0.4, 0.7, 0.95].map((r) => new Backoff(BACKOFF_DEFAULTS, () => r).next());
    expect(new Set(delays).size).toBe(4);
  });

  it('clamps a random source outside [0, 1) and applies jitter 1 as full jitter', () => {
    expect(jittered(1000, 0.5, () => 7)).toBe(500);
    expect(jittered(1000, 0.5, () => -3)).toBe(1000);
    expect(jittered(1000, 1, () => 0.25)).toBe(750);
  });

  it('resets only after a connection that stayed open resetAfterMs or longer', () => {
    const backoff = new Backoff(NO_JITTER);
    backoff.next();
    backoff.next();
    backoff.next();
    backoff.connectionClosed(9_999);
    expect(backoff.attempt).toBe(3);
    expect(backoff.next()).toBe(4000);
    backoff.connectionClosed(10_000);
    expect(backoff.attempt).toBe(0);
    expect(backoff.next()).toBe(500);
  });

  it('reset() starts over', () => {
    const backoff = new Backoff(NO_JITTER);
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(500);
  });

  it('raises the base to minMs (close 4429), even above maxMs', () => {
    const backoff = new Backoff(NO_JITTER);
    expect(backoff.next(10_000)).toBe(10_000);
    expect(backoff.next(10_000)).toBe(10_000);
    expect(baseDelay({ ...NO_JITTER, maxMs: 5000 }, 3, 20_000)).toBe(20_000);
    expect(baseDelay(NO_JITTER, 10, 10_000)).toBe(30_000);
  });
});
