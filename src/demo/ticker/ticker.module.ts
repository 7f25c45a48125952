import { Module } from '@nestjs/common';
import { PriceFeedService } from './price-feed.service.js';
import { TickerGateway } from './ticker.gateway.js';

/** Simulated live prices: `ticker:subscribe`, `ticker:unsubscribe`, `ticker:tick`. */
@Module({ providers: [TickerGateway, PriceFeedService], exports: [PriceFeedService] })
export class TickerModule {}
