import { MessageBody } from '@nestjs/websockets';
import {
  CurrentConnection,
  type RealtimeConnection,
  RealtimeGateway,
  type ConnectionResumeInfo,
  type OnConnectionClose,
  type OnConnectionResume,
} from '../../server/index.js';
import { wsPathFrom } from '../config/demo-config.js';
import { isTickerRoom, PriceFeedService, symbolOf } from './price-feed.service.js';
import { SymbolsDto } from './ticker.dto.js';
import type { SubscribeReply } from '../contract.js';
import { demo } from '../demo-handlers.js';
import { SubscribeReplyDoc, TICKER_PUSHES } from '../contract-docs.js';

/** The live ticker of the demo: simulated prices pushed as `ticker:tick` (see demo.md). */
@RealtimeGateway({ path: wsPathFrom(process.env), pushes: TICKER_PUSHES })
export class TickerGateway implements OnConnectionClose, OnConnectionResume {
  constructor(private readonly feed: PriceFeedService) {}

  @demo.request('ticker:subscribe', {
    reply: SubscribeReplyDoc,
    errors: ['TOO_MANY_SYMBOLS'],
    summary: 'Follow symbols (`ticker:tick` pushes); the reply has their current prices.',
  })
  subscribe(
    @MessageBody() { symbols }: SymbolsDto,
    @CurrentConnection() connection: RealtimeConnection,
  ): SubscribeReply {
    return { prices: this.feed.subscribe(connection, symbols) };
  }

  @demo.request('ticker:unsubscribe', { reply: null, summary: 'Stop following symbols.' })
  unsubscribe(
    @MessageBody() { symbols }: SymbolsDto,
    @CurrentConnection() connection: RealtimeConnection,
  ): null {
    this.feed.unsubscribe(connection, symbols);
    return null;
  }

  /** A resumed connection follows the symbols of its restored rooms again. */
  onConnectionResume(connection: RealtimeConnection, { rooms }: ConnectionResumeInfo): void {
    const symbols = rooms.filter(isTickerRoom).map(symbolOf);
    if (symbols.length > 0) this.feed.subscribe(connection, symbols);
  }

  /** A closed connection stops following its symbols. */
  onConnectionClose(connection: RealtimeConnection): void {
    this.feed.disconnect(connection);
  }
}
