import type { RealtimeClient } from '../../client/index.js';
import type { DemoContract, Tick } from '../contract.js';
import { byId, h, replaceChildren, svg } from './dom.js';
import { describe, type Notify } from './notices.js';
import { formatPrice, quoteChange } from './ticker-quote.js';
import { SymbolForm } from './ticker-symbol.js';

type Client = RealtimeClient<DemoContract>;

/** The symbols a new session follows. */
export const DEFAULT_SYMBOLS = ['ACME', 'GLOBEX', 'INITECH', 'HOOLI', 'UMBRELLA'];

/** Points of a sparkline. */
const HISTORY = 60;

/** Size of the sparkline's drawing (stretched to its box). */
const WIDTH = 120;
const HEIGHT = 32;

/** Points a new sparkline spreads over its width until it has more (then it squeezes). */
const MIN_WINDOW = 20;

/**
 * The points of a sparkline of `prices` in a `WIDTH` x `HEIGHT` box (2 px margin): it fills
 * from the left, then squeezes up to `HISTORY` points, then scrolls.
 */
export function sparklinePoints(prices: readonly number[]): string {
  if (prices.length === 0) return '';
  const min = Math.min(...prices);
  const max = Math.max(...prices);
  const step = WIDTH / (Math.max(prices.length, MIN_WINDOW) - 1);
  return prices
    .map((price, i) => {
      const y =
        max === min ? HEIGHT / 2 : HEIGHT - 2 - ((price - min) / (max - min)) * (HEIGHT - 4);
      return `${(i * step).toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}

/** One followed symbol and its elements. */
interface Row {
  readonly symbol: string;
  readonly prices: number[];
  /** The first price seen: the change is counted from it. */
  first: number | undefined;
  readonly element: HTMLLIElement;
  readonly price: HTMLElement;
  readonly change: HTMLElement;
  readonly arrow: HTMLElement;
  /** The percentage: a text node of `change` itself, so that the change's colour is its own. */
  readonly percent: Text;
  readonly line: SVGPolylineElement;
  readonly area: SVGPolygonElement;
}

/** The ticker panel: live prices with a sparkline per symbol; follow and unfollow symbols. */
export class TickerView {
  private readonly rows = new Map<string, Row>();
  private readonly list = byId('symbols', HTMLUListElement);
  private readonly stopListening: () => void;
  private readonly dom = new AbortController();

  constructor(
    private readonly client: Client,
    private readonly notify: Notify,
  ) {
    this.stopListening = client.on('ticker:tick', (tick) => this.onTick(tick));
    new SymbolForm(
      (symbol) => void this.follow([symbol]),
      () => this.symbols(),
      this.dom.signal,
    );
    replaceChildren(this.list);
  }

  /** Follows symbols: a row each at once, their prices when the server answers. */
  async follow(symbols: readonly string[]): Promise<void> {
    const added = symbols.filter((symbol) => !this.rows.has(symbol));
    if (added.length === 0) return;
    for (const symbol of added) this.addRow(symbol);
    try {
      const { prices } = await this.client.request('ticker:subscribe', { symbols: added });
      this.applyPrices(prices);
    } catch (error) {
      for (const symbol of added) this.removeRow(symbol);
      this.notify(`Could not follow ${added.join(', ')}. ${describe(error)}`, 'error');
    }
  }

  /** The followed symbols. */
  symbols(): string[] {
    return [...this.rows.keys()];
  }

  /** After a reconnect: subscribes again to every followed symbol. */
  async resubscribe(): Promise<void> {
    const symbols = this.symbols();
    if (symbols.length === 0) return;
    const { prices } = await this.client.request('ticker:subscribe', { symbols });
    this.applyPrices(prices);
  }

  /** Stops listening to the client and the page. */
  dispose(): void {
    this.stopListening();
    this.dom.abort();
    this.rows.clear();
    replaceChildren(this.list);
  }

  private async unfollow(symbol: string): Promise<void> {
    this.removeRow(symbol);
    try {
      await this.client.request('ticker:unsubscribe', { symbols: [symbol] });
    } catch (error) {
      this.notify(`Could not stop following ${symbol}. ${describe(error)}`, 'error');
    }
  }

  private applyPrices(prices: Record<string, number>): void {
    for (const [symbol, price] of Object.entries(prices)) this.push(symbol, price);
  }

  private onTick({ symbol, price }: Tick): void {
    this.push(symbol, price);
  }

  private push(symbol: string, price: number): void {
    const row = this.rows.get(symbol);
    if (!row) return;
    row.prices.push(price);
    row.prices.splice(0, row.prices.length - HISTORY);
    row.first ??= price;
    const { text, trend, arrow } = quoteChange(row.first, price);
    row.price.textContent = formatPrice(price);
    row.percent.textContent = text;
    row.arrow.textContent = arrow;
    // One trend for the colour of the sparkline, the arrow and the percentage.
    row.element.dataset['trend'] = row.change.dataset['trend'] = trend;
    const points = sparklinePoints(row.prices);
    row.line.setAttribute('points', points);
    const lastX = points.slice(points.lastIndexOf(' ') + 1).split(',')[0];
    row.area.setAttribute('points', `0,${HEIGHT} ${points} ${lastX},${HEIGHT}`);
  }

  private addRow(symbol: string): void {
    const line = svg('polyline', { class: 'spark-line' });
    const area = svg('polygon', { class: 'spark-area' });
    const price = h('span', { class: 'price' }, '…');
    const arrow = h('span', { class: 'arrow', 'aria-hidden': 'true' });
    const percent = document.createTextNode('');
    const change = h('span', { class: 'change', 'data-trend': 'flat' }, arrow, percent);
    const remove = h(
      'button',
      { type: 'button', class: 'remove ghost', 'aria-label': `Stop following ${symbol}` },
      '×',
    );
    remove.addEventListener('click', () => void this.unfollow(symbol));
    const chart = svg(
      'svg',
      {
        class: 'spark',
        viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
        preserveAspectRatio: 'none',
        role: 'img',
        'aria-label': `${symbol} price, last ${HISTORY} ticks`,
      },
      area,
      line,
    );
    const element = h(
      'li',
      { class: 'symbol', 'data-symbol': symbol, 'data-trend': 'flat' },
      h('span', { class: 'sym' }, symbol),
      chart,
      h('span', { class: 'quote' }, price, change),
      remove,
    );
    this.rows.set(symbol, {
      symbol,
      prices: [],
      first: undefined,
      element,
      price,
      change,
      arrow,
      percent,
      line,
      area,
    });
    this.list.appendChild(element);
  }

  private removeRow(symbol: string): void {
    this.rows.get(symbol)?.element.remove();
    this.rows.delete(symbol);
  }
}
