import { Module, type INestApplication } from '@nestjs/common';
import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import { createServer } from 'node:net';
import type { DefineContract } from '../protocol/index.js';
import { RealtimeGateway, RealtimeModule } from '../server/index.js';
import { startRealtimeApp, type RunningRealtimeApp } from './start-realtime-app.js';
import { createTestClient } from './test-client.js';
import { signTestToken } from './tokens.js';

const SECRET = 'start-gateway-spec-secret-0123456789abcdefghij';

type EchoContract = DefineContract<{
  requests: { echo: { payload: { text: string }; reply: { text: string } } };
  events: Record<never, never>;
  pushes: Record<never, never>;
}>;

@RealtimeGateway('/echo')
class EchoGateway {
  @SubscribeMessage('echo')
  echo(@MessageBody() data: { text: string }): { text: string } {
    return { text: data.text };
  }
}

@Module({
  imports: [RealtimeModule.forRoot({ jwt: { secret: SECRET }, shutdown: { drainMs: 200 } })],
  providers: [EchoGateway],
})
class EchoModule {}

describe('startRealtimeApp', () => {
  const started: RunningRealtimeApp[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => server.close()));
  });

  it('serves the module on 127.0.0.1 and a free port, with RealtimeAdapter', async () => {
    const configured: INestApplication[] = [];
    const server = await startRealtimeApp(EchoModule, {
      configure: (app) => void configured.push(app),
    });
    started.push(server);
    expect(configured).toEqual([server.app]);
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.wsUrl()).toBe(`ws://127.0.0.1:${server.port}/ws`);
    expect(server.wsUrl('echo')).toBe(`ws://127.0.0.1:${server.port}/echo`);
    const token = signTestToken(SECRET, { sub: 'u1' });
    const client = await createTestClient<EchoContract>(server.wsUrl('/echo'), { token });
    await expect(client.request('echo', { text: 'hi' })).resolves.toEqual({ text: 'hi' });
    expect(server.registry().connectionsOf('u1')).toHaveLength(1);
    await client.close();
  });

  it('close() is idempotent and frees the port for a restart on it', async () => {
    const first = await startRealtimeApp(EchoModule);
    await Promise.all([first.close(), first.close()]);
    const second = await startRealtimeApp(EchoModule, { port: first.port });
    started.push(second);
    expect(second.port).toBe(first.port);
  });

  it('rejects when the port is taken, after closing the app it created', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      await expect(startRealtimeApp(EchoModule, { port })).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
