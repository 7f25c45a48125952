import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import {
  ConnectionRegistry,
  RealtimeException,
  type RealtimeConnection,
} from '../../server/index.js';
import type { DemoConfig } from '../config/demo-config.js';
import { DEMO_CONFIG } from '../config/demo-config.token.js';
import { basePrice, nextPrice } from './random-walk.js';
import type { Tick } from '../contract.js';

const ROOM_PREFIX = 'ticker:';

/** Registry room of a symbol's subscribers. */
export const tickerRoom = (symbol: string): string => `${ROOM_PREFIX}${symbol}`;
export const isTickerRoom = (room: string): boolean => room.startsWith(ROOM_PREFIX);
export const symbolOf = (room: string): string => room.slice(ROOM_PREFIX.length);

/** Most symbols one connection may follow at once: each followed symbol may cost a timer. */
export const MAX_SYMBOLS_PER_CONNECTION = 50;

/** One live price stream: its walk, its timer and the connections that follow it. */
interface Stream {
  price: number;
  readonly timer: NodeJS.Timeout;
  readonly subscribers: Set<string>;
}

/**
 * Simulated prices: one random walk per symbol, shared by every subscriber. A symbol's timer
 * runs only while the symbol has subscribers; each tick is one broadcast to its registry room.
 */
@Injectable()
export class PriceFeedService implements OnModuleDestroy {
  private readonly streams = new Map<string, Stream>();
  private destroyed = false;

  constructor(
    private readonly registry: ConnectionRegistry,
    @Inject(DEMO_CONFIG) private readonly config: DemoConfig,
  ) {}

  /**
   * Follows symbols for a connection (joins their rooms, starts their streams as needed) and
   * returns the current price of each. Throws `TOO_MANY_SYMBOLS` over the per-connection cap.
   */
  subscribe(connection: RealtimeConnection, symbols: readonly string[]): Record<string, number> {
    const unique = [...new Set(symbols)];
    this.checkCap(connection, unique);
    for (const symbol of unique) {
      this.registry.join(connection, tickerRoom(symbol));
      // A connection that closed meanwhile is not joined and must not keep a stream alive.
      if (this.registry.isMember(connection, tickerRoom(symbol))) {
        this.streamOf(symbol)?.subscribers.add(connection.id);
      }
    }
    return Object.fromEntries(unique.map((symbol) => [symbol, this.priceOf(symbol)]));
  }

  /** Stops the ticks of these symbols for a connection; a symbol nobody follows stops. */
  unsubscribe(connection: RealtimeConnection, symbols: readonly string[]): void {
    for (const symbol of symbols) {
      this.registry.leave(connection, tickerRoom(symbol));
      this.release(connection.id, symbol);
    }
  }

  /** A closed connection leaves every stream it followed (its `rooms` still lists them). */
  disconnect(connection: RealtimeConnection): void {
    for (const room of connection.rooms) {
      if (room.startsWith(ROOM_PREFIX)) this.release(connection.id, room.slice(ROOM_PREFIX.length));
    }
  }

  /** The symbols that have a running stream (and so a timer), sorted. Read-only. */
  activeSymbols(): string[] {
    return [...this.streams.keys()].sort();
  }

  /** The current price of a symbol: its stream's, or its starting price when nobody follows it. */
  priceOf(symbol: string): number {
    return this.streams.get(symbol)?.price ?? basePrice(symbol);
  }

  /** Stops every timer; later subscriptions start none (the app is going down). */
  onModuleDestroy(): void {
    this.destroyed = true;
    for (const stream of this.streams.values()) clearInterval(stream.timer);
    this.streams.clear();
  }

  private checkCap(connection: RealtimeConnection, symbols: readonly string[]): void {
    const followed = [...connection.rooms].filter((room) => room.startsWith(ROOM_PREFIX));
    const added = symbols.filter((symbol) => !connection.rooms.has(tickerRoom(symbol)));
    if (followed.length + added.length > MAX_SYMBOLS_PER_CONNECTION) {
      throw new RealtimeException(
        'TOO_MANY_SYMBOLS',
        `A connection may follow at most ${MAX_SYMBOLS_PER_CONNECTION} symbols`,
      );
    }
  }

  private streamOf(symbol: string): Stream | undefined {
    const existing = this.streams.get(symbol);
    if (existing || this.destroyed) return existing;
    const stream: Stream = {
      price: basePrice(symbol),
      timer: setInterval(() => this.tick(symbol), this.config.tickerIntervalMs),
      subscribers: new Set(),
    };
    this.streams.set(symbol, stream);
    return stream;
  }

  private release(connectionId: string, symbol: string): void {
    const stream = this.streams.get(symbol);
    if (!stream) return;
    stream.subscribers.delete(connectionId);
    if (stream.subscribers.size > 0) return;
    clearInterval(stream.timer);
    this.streams.delete(symbol);
  }

  private tick(symbol: string): void {
    const stream = this.streams.get(symbol);
    if (!stream) return;
    stream.price = nextPrice(stream.price);
    const tick: Tick = { symbol, price: stream.price, at: Date.now() };
    // With recovery, a latest-value stream (one room per symbol: the event name is the key);
    // without, a volatile push that a slow reader may miss.
    const latest = this.config.recoveryWindowMs > 0;
    this.registry.to(tickerRoom(symbol)).emit('ticker:tick', tick, { volatile: !latest });
  }
}
