import { Module } from '@nestjs/common';
import { RealtimeModule } from 'nestjs-realtime';
import { ChatGateway } from './chat.gateway.js';

export const JWT_SECRET = 'consumer-fixture-secret-0123456789abcdefghij';

@Module({
  imports: [RealtimeModule.forRoot({ jwt: { secret: JWT_SECRET }, shutdown: { drainMs: 500 } })],
  providers: [ChatGateway],
})
export class AppModule {}
