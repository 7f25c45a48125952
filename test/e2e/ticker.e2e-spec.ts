import { PriceFeedService } from '../../src/demo/ticker/price-feed.service.js';
import { startDemo, type RunningApp } from '../support/demo-app.js';
import type { TestSocket } from '../support/ws-client.js';
import { serverClosed } from '../support/server-close.js';

const INTERVAL_MS = 50;

interface Tick {
  symbol: string;
  price: number;
  at: number;
}

const isTick = (m: Record<string, unknown>): boolean => m['event'] === 'ticker:tick';
const hasCents = (price: number): boolean => Math.round(price * 100) / 100 === price;

async function nextTick(socket: TestSocket, symbol?: string): Promise<Tick> {
  const message = await socket.next(
    (m) => isTick(m) && (!symbol || (m['data'] as Tick).symbol === symbol),
  );
  return message['data'] as Tick;
}

async function ticks(socket: TestSocket, count: number): Promise<Tick[]> {
  const out: Tick[] = [];
  for (let i = 0; i < count; i++) out.push(await nextTick(socket));
  return out;
}

/** Consumes every message received so far (the reply just awaited came after them). */
async function drain(socket: TestSocket): Promise<void> {
  for (const message of socket.pending()) await socket.next((m) => m === message);
}

describe('demo ticker', () => {
  let demo: RunningApp;
  const sockets: TestSocket[] = [];
  const connect = async (sub: string) => {
    const socket = await demo.connect({ sub });
    sockets.push(socket);
    return socket;
  };
  let running = false;
  const feed = () => demo.app.get(PriceFeedService);
  const stopDemo = async () => {
    if (!running) return;
    running = false;
    await demo.close();
  };

  beforeEach(async () => {
    demo = await startDemo({ tickerIntervalMs: INTERVAL_MS });
    running = true;
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
    await stopDemo();
  });

  it('replies the current price of each requested symbol', async () => {
    const alice = await connect('u-alice');
    const reply = await alice.request('ticker:subscribe', { symbols: ['AAPL', 'MSFT', 'AAPL'] });
    const prices = (reply['data'] as { prices: Record<string, number> }).prices;
    expect(Object.keys(prices).sort()).toEqual(['AAPL', 'MSFT']);
    for (const price of Object.values(prices)) {
      expect(price).toBeGreaterThan(0);
      expect(hasCents(price)).toBe(true);
    }
    expect(feed().activeSymbols()).toEqual(['AAPL', 'MSFT']);
  });

  it('ticks every interval for the subscribed symbols only', async () => {
    const alice = await connect('u-alice');
    const bob = await connect('u-bob');
    await bob.request('ticker:subscribe', { symbols: ['GOOG'] });
    await alice.request('ticker:subscribe', { symbols: ['AAPL', 'MSFT'] });
    const seen = await ticks(alice, 8);
    expect(new Set(seen.map((t) => t.symbol))).toEqual(new Set(['AAPL', 'MSFT']));
    for (const tick of seen) {
      expect(tick).toEqual({
        symbol: tick.symbol,
        price: expect.any(Number),
        at: expect.any(Number),
      });
      expect(tick.price).toBeGreaterThan(0);
      expect(hasCents(tick.price)).toBe(true);
    }
    const aapl = seen.filter((t) => t.symbol === 'AAPL');
    for (let i = 1; i < aapl.length; i++) {
      // Timers may fire a millisecond early by the wall clock, never a whole period.
      expect(aapl[i]!.at - aapl[i - 1]!.at).toBeGreaterThanOrEqual(INTERVAL_MS - 2);
    }
    expect((await ticks(bob, 3)).map((t) => t.symbol)).toEqual(['GOOG', 'GOOG', 'GOOG']);
  });

  it('shares one stream: two subscribers get the very same tick', async () => {
    const alice = await connect('u-alice');
    const bob = await connect('u-bob');
    await alice.request('ticker:subscribe', { symbols: ['SHRD'] });
    await bob.request('ticker:subscribe', { symbols: ['SHRD'] });
    for (let i = 0; i < 3; i++) {
      const tick = await nextTick(bob, 'SHRD');
      const same = await alice.next(
        (m) =>
          isTick(m) && (m['data'] as Tick).at === tick.at && (m['data'] as Tick).symbol === 'SHRD',
      );
      expect(same['data']).toEqual(tick);
    }
    expect(feed().activeSymbols()).toEqual(['SHRD']);
  });

  it('stops the ticks of an unsubscribed symbol and keeps the others', async () => {
    const alice = await connect('u-alice');
    const bob = await connect('u-bob');
    await alice.request('ticker:subscribe', { symbols: ['UNSA', 'UNSB'] });
    await bob.request('ticker:subscribe', { symbols: ['UNSA'] });
    await nextTick(alice, 'UNSA');
    const reply = await alice.request('ticker:unsubscribe', { symbols: ['UNSA'] });
    expect(reply['data']).toBeNull();
    // Ticks sent before the reply arrived before it; everything after must be UNSB.
    await drain(alice);
    const after = await ticks(alice, 5);
    expect(after.map((t) => t.symbol)).toEqual(Array(5).fill('UNSB'));
    // Meanwhile UNSA went on ticking for Bob: Alice left its room, the stream stayed.
    const [first, last] = [after[0]!.at, after[after.length - 1]!.at];
    const during = await bob.next((m) => {
      const tick = m['data'] as Tick;
      return isTick(m) && tick.symbol === 'UNSA' && tick.at >= first && tick.at <= last;
    });
    expect(during['data']).toMatchObject({ symbol: 'UNSA' });
    expect(feed().activeSymbols()).toEqual(['UNSA', 'UNSB']);
  });

  it.each([
    ['lowercase', { symbols: ['aapl'] }],
    ['too long', { symbols: ['ABCDEFGHIJK'] }],
    [
      '21 symbols',
      { symbols: Array.from({ length: 21 }, (_, i) => `S${'ABCDEFGHIJKLMNOPQRSTU'[i]}`) },
    ],
    ['empty', { symbols: [] }],
    ['not a list', { symbols: 'AAPL' }],
    ['missing', {}],
    ['numbers', { symbols: [1] }],
  ])('refuses %s symbols with VALIDATION_FAILED', async (_label, payload) => {
    const alice = await connect('u-alice');
    for (const event of ['ticker:subscribe', 'ticker:unsubscribe']) {
      const reply = await alice.request(event, payload);
      expect(reply['error']).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [expect.objectContaining({ field: 'symbols' })],
      });
    }
    expect(feed().activeSymbols()).toEqual([]);
  });

  it('stops a symbol’s timer once its last subscriber unsubscribes or disconnects', async () => {
    const alice = await connect('u-alice');
    const bob = await connect('u-bob');
    await alice.request('ticker:subscribe', { symbols: ['GONE', 'SOLO'] });
    await bob.request('ticker:subscribe', { symbols: ['GONE'] });
    expect(feed().activeSymbols()).toEqual(['GONE', 'SOLO']);
    await alice.request('ticker:unsubscribe', { symbols: ['SOLO'] });
    expect(feed().activeSymbols()).toEqual(['GONE']);
    await alice.request('ticker:unsubscribe', { symbols: ['GONE'] });
    // Bob still follows GONE: its stream goes on.
    expect(feed().activeSymbols()).toEqual(['GONE']);
    await nextTick(bob, 'GONE');
    const closed = serverClosed(demo, 'u-bob');
    await bob.close();
    await closed;
    expect(feed().activeSymbols()).toEqual([]);
  });

  it('restarts a stream for a symbol followed again', async () => {
    const alice = await connect('u-alice');
    await alice.request('ticker:subscribe', { symbols: ['BACK'] });
    await alice.request('ticker:unsubscribe', { symbols: ['BACK'] });
    expect(feed().activeSymbols()).toEqual([]);
    await alice.request('ticker:subscribe', { symbols: ['BACK'] });
    expect((await nextTick(alice, 'BACK')).symbol).toBe('BACK');
  });

  it('caps the symbols one connection follows with TOO_MANY_SYMBOLS', async () => {
    const alice = await connect('u-alice');
    const letter = (n: number) => String.fromCharCode(65 + n);
    const symbols = (from: number, count: number) =>
      Array.from(
        { length: count },
        (_, i) => `CAP${letter(Math.floor((from + i) / 26))}${letter((from + i) % 26)}`,
      );
    for (const from of [0, 20, 40]) {
      const reply = await alice.request('ticker:subscribe', {
        symbols: symbols(from, from < 40 ? 20 : 10),
      });
      expect(Object.keys((reply['data'] as { prices: object }).prices)).toHaveLength(
        from < 40 ? 20 : 10,
      );
    }
    expect(feed().activeSymbols()).toHaveLength(50);
    // Following a symbol again is fine; one more is not, and changes nothing.
    expect(
      (await alice.request('ticker:subscribe', { symbols: symbols(0, 1) }))['error'],
    ).toBeUndefined();
    const refused = await alice.request('ticker:subscribe', { symbols: symbols(49, 2) });
    expect(refused['error']).toEqual({
      code: 'TOO_MANY_SYMBOLS',
      message: 'A connection may follow at most 50 symbols',
    });
    expect(feed().activeSymbols()).toHaveLength(50);
  });

  it('stops every stream when the app closes', async () => {
    const alice = await connect('u-alice');
    await alice.request('ticker:subscribe', { symbols: ['LAST', 'BYE'] });
    const service = feed();
    expect(service.activeSymbols()).toEqual(['BYE', 'LAST']);
    await stopDemo();
    expect(service.activeSymbols()).toEqual([]);
  });
});
