/** The lowest price a walk can reach: prices stay positive. */
export const MIN_PRICE = 0.01;

/** The largest relative move of one step (1%). */
export const MAX_STEP = 0.01;

/** Rounds a price to cents. */
export function roundPrice(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * The starting price of a symbol, from 10.00 to 999.99: derived from an FNV-1a hash of its
 * letters, so a symbol starts from the same plausible price on every boot.
 */
export function basePrice(symbol: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < symbol.length; i++) {
    hash = Math.imul(hash ^ symbol.charCodeAt(i), 0x01000193) >>> 0;
  }
  return roundPrice(10 + (hash % 99_000) / 100);
}

/**
 * One step of the random walk: `random` in [0, 1) moves the price by -1% to +1%, rounded to
 * cents (at least one cent, so that cheap prices do not freeze) and never below `MIN_PRICE`.
 */
export function nextPrice(price: number, random: number = Math.random()): number {
  const step = (random * 2 - 1) * MAX_STEP;
  let next = roundPrice(price * (1 + step));
  if (next === price && step !== 0) next = roundPrice(price + Math.sign(step) * 0.01);
  return Math.max(MIN_PRICE, next);
}
