import { basePrice, MAX_STEP, MIN_PRICE, nextPrice, roundPrice } from './random-walk.js';

const hasCents = (price: number): boolean => roundPrice(price) === price;

describe('random walk', () => {
  it('starts each symbol from the same plausible price, different across symbols', () => {
    expect(basePrice('AAPL')).toBe(basePrice('AAPL'));
    const prices = ['AAPL', 'MSFT', 'GOOG', 'A', 'ZZZZZZZZZZ'].map(basePrice);
    expect(new Set(prices).size).toBe(prices.length);
    for (const price of prices) {
      expect(price).toBeGreaterThanOrEqual(10);
      expect(price).toBeLessThan(1000);
      expect(hasCents(price)).toBe(true);
    }
  });

  it('moves by at most MAX_STEP, in the direction of the random draw', () => {
    expect(nextPrice(100, 0)).toBe(99);
    expect(nextPrice(100, 0.5)).toBe(100);
    expect(nextPrice(100, 0.999_999)).toBe(101);
    expect(nextPrice(100, 0.25)).toBeLessThan(100);
    expect(nextPrice(100, 0.75)).toBeGreaterThan(100);
  });

  it('rounds to cents, moves cheap prices by a cent, and never reaches zero', () => {
    expect(nextPrice(123.456_7, 0.5)).toBe(123.46);
    expect(nextPrice(1, 0.4)).toBe(0.99);
    expect(nextPrice(1, 0.6)).toBe(1.01);
    expect(nextPrice(MIN_PRICE, 0)).toBe(MIN_PRICE);
    const walk = [0.05];
    for (let i = 0; i < 5; i++) walk.push(nextPrice(walk[walk.length - 1]!, 0));
    expect(walk).toEqual([0.05, 0.04, 0.03, 0.02, MIN_PRICE, MIN_PRICE]);
  });

  it('keeps a long walk positive and in cents with Math.random', () => {
    const walk = [basePrice('WALK')];
    for (let i = 0; i < 10_000; i++) walk.push(nextPrice(walk[walk.length - 1]!));
    const bad = walk.filter((price, i) => {
      const previous = walk[i - 1] ?? price;
      const limit = Math.max(previous * MAX_STEP, 0.01) + 0.005;
      return price <= 0 || !hasCents(price) || Math.abs(price - previous) > limit;
    });
    expect(bad).toEqual([]);
    expect(new Set(walk).size).toBeGreaterThan(100);
  });
});
