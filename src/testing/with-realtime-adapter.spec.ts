import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import { RealtimeGateway, RealtimeModule } from '../server/index.js';
import { createTestClient } from './test-client.js';
import { signTestToken } from './tokens.js';
import { withRealtimeAdapter } from './with-realtime-adapter.js';

const SECRET = 'with-adapter-spec-secret-0123456789abcdefghijk';

@RealtimeGateway('/echo')
class EchoGateway {
  @SubscribeMessage('echo')
  echo(@MessageBody() text: string): string {
    return text;
  }
}

@Module({
  imports: [RealtimeModule.forRoot({ jwt: { secret: SECRET }, shutdown: { drainMs: 200 } })],
  providers: [EchoGateway],
})
class AppModule {}

describe('withRealtimeAdapter', () => {
  it('makes a Test.createTestingModule app serve its realtime gateways', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = withRealtimeAdapter(moduleRef.createNestApplication({ logger: false }));
    await app.init();
    await app.listen(0, '127.0.0.1');
    try {
      const { port } = app.getHttpServer().address() as { port: number };
      const client = await createTestClient(`ws://127.0.0.1:${port}/echo`, {
        token: signTestToken(SECRET, { sub: 'tester' }),
      });
      await expect(client.request('echo', 'hi')).resolves.toBe('hi');
      await client.close();
    } finally {
      await app.close();
    }
  });
});
