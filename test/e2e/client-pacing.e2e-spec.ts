import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import { Module } from '@nestjs/common';
import { RealtimeGateway, RealtimeModule } from '../../src/server/index.js';
import {
  createTestClient,
  signTestToken,
  startRealtimeApp,
  type RunningRealtimeApp,
  type TestClient,
} from '../../src/testing/index.js';
import { TEST_SECRET } from '../support/demo-app.js';

/**
 * Issue 12: the client stays inside the server's default limits by itself, so a burst of
 * hundreds of requests is paced instead of answered RATE_LIMITED and closed with 4429.
 */

@RealtimeGateway('/pace')
class EchoGateway {
  @SubscribeMessage('echo')
  async echo(@MessageBody() data: { i: number }): Promise<{ i: number }> {
    await Promise.resolve();
    return data;
  }
}

// Default limits on the server: 50 messages a second, a burst of 100, 16 handlers at once.
@Module({
  imports: [RealtimeModule.forRoot({ jwt: { secret: TEST_SECRET } })],
  providers: [EchoGateway],
})
class DefaultLimitsModule {}

const COUNT = 500;

describe('client pacing against the server default limits', () => {
  let server: RunningRealtimeApp;
  let client: TestClient | undefined;
  beforeAll(async () => {
    server = await startRealtimeApp(DefaultLimitsModule);
  });
  afterEach(() => client?.close());
  afterAll(() => server.close());

  const token = (sub: string): string => signTestToken(TEST_SECRET, { sub });

  it(`gets a reply to each of ${COUNT} concurrent requests with the default limits`, async () => {
    client = await createTestClient(server.wsUrl('/pace'), { token: token('pacer') });
    const requests = Array.from({ length: COUNT }, (_, i) => client!.request('echo', { i }));
    const replies = await Promise.all(requests);
    expect(replies).toEqual(Array.from({ length: COUNT }, (_, i) => ({ i })));
    expect(client.state).toBe('open');
    expect(client.stateChanges.map((change) => change.state)).toEqual(['connecting', 'open']);
  }, 30_000);

  it('without pacing, the same burst is refused by the server (what the defaults prevent)', async () => {
    client = await createTestClient(server.wsUrl('/pace'), {
      token: token('unpaced'),
      limits: { messagesPerSecond: Number.POSITIVE_INFINITY, maxInFlight: COUNT },
      backoff: { initialMs: 60_000, maxMs: 60_000 },
    });
    const outcomes = await Promise.allSettled(
      Array.from({ length: COUNT }, (_, i) => client!.request('echo', { i })),
    );
    const codes = outcomes.map((o) =>
      o.status === 'rejected' ? (o.reason as { code: string }).code : 'ok',
    );
    expect(codes).toContain('RATE_LIMITED');
    expect(codes.filter((code) => code === 'ok').length).toBeLessThan(COUNT);
  });
});
