/** Which way a price went since the page started following it, as shown (rounded). */
export type Trend = 'up' | 'down' | 'flat';

/** A price's change as the ticker shows it: its percentage, trend and arrow always agree. */
export interface QuoteChange {
  /** `+0.52%`, `-1.30%` or `0.00%`. */
  text: string;
  trend: Trend;
  /** `▲` when up, `▼` when down, nothing when flat. */
  arrow: string;
}

const PRICE = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

const CHANGE = new Intl.NumberFormat('en-US', {
  style: 'percent',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
  signDisplay: 'exceptZero',
});

const ARROWS: Readonly<Record<Trend, string>> = { up: '▲', down: '▼', flat: '' };

/** A price with two decimals: `1,234.50`. */
export function formatPrice(price: number): string {
  return PRICE.format(price);
}

/**
 * The change from `first` to `price`. The trend and the arrow come from the percentage as
 * shown (rounded to two decimals), not from the raw ratio: a rise of 0.001% shows `0.00%` with
 * no arrow, never a green `▲ 0.00%`.
 */
export function quoteChange(first: number, price: number): QuoteChange {
  const shown = Math.round(((price - first) / first) * 10_000) / 10_000;
  const trend: Trend = shown > 0 ? 'up' : shown < 0 ? 'down' : 'flat';
  // `|| 0` turns -0 into 0, which Intl would print as "-0.00%".
  return { text: CHANGE.format(shown || 0), trend, arrow: ARROWS[trend] };
}
