import { jest } from '@jest/globals';
import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
// A unit test builds registered connections without sockets, so it reaches past the barrel.
import { ConnectionState } from '../../server/connection/connection-state.js';
import { ConnectionRegistry, InProcessBroker, RealtimeException } from '../../server/index.js';
import type { DemoConfig } from '../config/demo-config.js';
import { PriceFeedService } from './price-feed.service.js';
import type { Tick } from '../contract.js';

const INTERVAL_MS = 100;

/** Just enough of a `ws` socket: open, and records the pushes it is sent. */
class FakeSocket extends EventEmitter {
  readyState = 1;
  bufferedAmount = 0;
  readonly ticks: Tick[] = [];
  send(frame: string | Buffer): void {
    this.ticks.push((JSON.parse(frame.toString()) as { data: Tick }).data);
  }
}

function setup() {
  const registry = new ConnectionRegistry(new InProcessBroker());
  registry.onModuleInit();
  const feed = new PriceFeedService(registry, { tickerIntervalMs: INTERVAL_MS } as DemoConfig);
  let n = 0;
  const open = () => {
    const socket = new FakeSocket();
    const id = `c${++n}`;
    const principal = { userId: id, claims: { sub: id }, expiresAt: null };
    const connection = new ConnectionState(id, '/ws', principal, socket as unknown as WebSocket);
    registry.add(connection);
    return { connection, socket };
  };
  return { registry, feed, open };
}

describe('PriceFeedService', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('runs one timer per followed symbol and broadcasts each tick once to its room', () => {
    const { registry, feed, open } = setup();
    const a = open();
    const b = open();
    const prices = feed.subscribe(a.connection, ['AAA', 'BBB', 'AAA']);
    expect(Object.keys(prices)).toEqual(['AAA', 'BBB']);
    expect(feed.subscribe(b.connection, ['AAA'])).toEqual({ AAA: prices['AAA'] });
    expect(jest.getTimerCount()).toBe(2);
    const to = jest.spyOn(registry, 'to');
    jest.advanceTimersByTime(INTERVAL_MS);
    expect(to.mock.calls).toEqual([['ticker:AAA'], ['ticker:BBB']]);
    expect(a.socket.ticks.map((t) => t.symbol)).toEqual(['AAA', 'BBB']);
    expect(b.socket.ticks).toEqual([a.socket.ticks[0]]);
    expect(b.socket.ticks[0]?.price).toBe(feed.priceOf('AAA'));
  });

  it('stops a symbol’s timer when its last subscriber unsubscribes or disconnects', () => {
    const { registry, feed, open } = setup();
    const a = open();
    const b = open();
    feed.subscribe(a.connection, ['AAA', 'BBB']);
    feed.subscribe(b.connection, ['AAA']);
    feed.unsubscribe(a.connection, ['AAA', 'BBB', 'ZZZ']);
    expect(feed.activeSymbols()).toEqual(['AAA']);
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(INTERVAL_MS);
    expect(a.socket.ticks).toEqual([]);
    expect(b.socket.ticks).toHaveLength(1);
    feed.disconnect(b.connection);
    registry.remove(b.connection);
    expect(feed.activeSymbols()).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('keeps no stream for a connection that is already closed', () => {
    const { registry, feed, open } = setup();
    const a = open();
    registry.remove(a.connection);
    expect(feed.subscribe(a.connection, ['AAA'])).toEqual({ AAA: feed.priceOf('AAA') });
    expect(feed.activeSymbols()).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('stops every timer on module destroy and starts none afterwards', () => {
    const { feed, open } = setup();
    const a = open();
    feed.subscribe(a.connection, ['AAA', 'BBB']);
    feed.onModuleDestroy();
    expect(jest.getTimerCount()).toBe(0);
    feed.subscribe(a.connection, ['CCC']);
    expect(feed.activeSymbols()).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
    feed.disconnect(a.connection);
  });

  it('caps the symbols one connection follows', () => {
    const { feed, open } = setup();
    const a = open();
    const symbols = Array.from(
      { length: 50 },
      (_, i) => `S${String.fromCharCode(65 + (i % 26))}${i < 26 ? 'A' : 'B'}`,
    );
    feed.subscribe(a.connection, symbols.slice(0, 20));
    feed.subscribe(a.connection, symbols.slice(20));
    expect(() => feed.subscribe(a.connection, ['MORE'])).toThrow(RealtimeException);
    expect(feed.subscribe(a.connection, [symbols[0]!])).toBeDefined();
    expect(feed.activeSymbols()).toHaveLength(50);
    feed.onModuleDestroy();
  });
});
