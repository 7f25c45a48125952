import { MessageBody } from '@nestjs/websockets';
import {
  CurrentConnection,
  type RealtimeConnection,
  RealtimeGateway,
  type OnConnectionClose,
} from '../../server/index.js';
import { wsPathFrom } from '../config/demo-config.js';
import { PriceFeedService } from './price-feed.service.js';
import { SymbolsDto } from './ticker.dto.js';
import type { SubscribeReply } from '../contract.js';
import { demo } from '../demo-handlers.js';

/** The live ticker of the demo: simulated prices pushed as `ticker:tick` (see demo.md). */
@RealtimeGateway({ path: wsPathFrom(process.env) })
export class TickerGateway implements OnConnectionClose {
  constructor(private readonly feed: PriceFeedService) {}

  @demo.request('ticker:subscribe')
  subscribe(
    @MessageBody() { symbols }: SymbolsDto,
    @CurrentConnection() connection: RealtimeConnection,
  ): SubscribeReply {
    return { prices: this.feed.subscribe(connection, symbols) };
  }

  @demo.request('ticker:unsubscribe')
  unsubscribe(
    @MessageBody() { symbols }: SymbolsDto,
    @CurrentConnection() connection: RealtimeConnection,
  ): null {
    this.feed.unsubscribe(connection, symbols);
    return null;
  }

  /** A closed connection stops following its symbols. */
  onConnectionClose(connection: RealtimeConnection): void {
    this.feed.disconnect(connection);
  }
}
