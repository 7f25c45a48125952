import { jest } from '@jest/globals';
import { Module } from '@nestjs/common';
import { ChatModule } from '../../src/demo/chat/chat.module.js';
import { RealtimeModule } from '../../src/server/index.js';
import {
  createTestClient,
  signTestToken,
  startRealtimeApp,
  type RunningRealtimeApp,
  type TestClient,
} from '../../src/testing/index.js';
import { TEST_SECRET } from '../support/demo-app.js';
import { BACKOFF, TIMER_SLACK_MS, tokenFor, user } from '../support/client-harness.js';

/**
 * Issue 12: a refused upgrade reaches the app with its status and code in Node, and the client
 * decides: stop for 403/404 and for a 401 a fresh token did not fix, wait `Retry-After` for
 * 429/503. The test kit then fails fast instead of hanging.
 */

@Module({
  imports: [
    RealtimeModule.forRoot({
      jwt: { secret: TEST_SECRET },
      limits: { connectionsPerUser: 1, retryAfterSec: 1 },
      shutdown: { drainMs: 200 },
    }),
    ChatModule,
  ],
})
class OneConnectionPerUserModule {}

const FORGED = 'not-the-server-secret-0123456789abcdefghijkl';

describe('refused upgrades, as the client sees them in Node', () => {
  let server: RunningRealtimeApp;
  const clients: TestClient[] = [];
  beforeAll(async () => {
    server = await startRealtimeApp(OneConnectionPerUserModule);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  afterAll(() => server.close());

  const client = async (path: string, options: Parameters<typeof createTestClient>[1]) => {
    const created = await createTestClient(server.wsUrl(path), {
      backoff: BACKOFF,
      pingIntervalMs: 0,
      connect: false,
      ...options,
    });
    clients.push(created);
    return created;
  };

  it('createTestClient on a wrong path fails at once with 404 NOT_FOUND, and stops', async () => {
    await expect(
      createTestClient(server.wsUrl('/nope'), { token: tokenFor(user('lost')) }),
    ).rejects.toThrow(/Upgrade refused: 404 NOT_FOUND: No WebSocket endpoint on this path/);
  });

  it('a fixed token the server refuses: 401 UNAUTHORIZED with the status, then closed', async () => {
    const sub = user('fixed');
    const c = await client('/ws', { token: signTestToken(FORGED, { sub }) });
    const connecting = c.connect().catch((error: unknown) => error);
    await expect(connecting).resolves.toMatchObject({
      code: 'UPGRADE_REFUSED',
      status: 401,
      serverCode: 'UNAUTHORIZED',
    });
    expect(c.state).toBe('closed');
    // `token` is `getToken: () => token`: one refresh (the same token), then the stop.
    expect(c.connectionAttempts).toHaveLength(2);
  });

  it('a 401 that a fresh token does not fix stops after one refresh', async () => {
    const sub = user('twice');
    const getToken = jest.fn(() => signTestToken(FORGED, { sub }));
    const c = await client('/ws', { getToken });
    await expect(c.connect()).rejects.toMatchObject({ code: 'UPGRADE_REFUSED', status: 401 });
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(c.connectionAttempts).toHaveLength(2);
  });

  it('a 429 waits for Retry-After, then connects once there is room', async () => {
    const sub = user('capped');
    const first = await client('/ws', { getToken: () => tokenFor(sub) });
    await first.connect();
    const second = await client('/ws', { getToken: () => tokenFor(sub) });
    const opened = second.connect();
    const refused = await second.expectError({ where: (e) => e.status === 429 });
    expect(refused).toMatchObject({ code: 'UPGRADE_REFUSED', serverCode: 'TOO_MANY_CONNECTIONS' });
    await first.close();
    await opened;
    const [a, b] = second.connectionAttempts;
    // The server's Retry-After (1 s), not the 20 ms backoff.
    expect(b! - a!).toBeGreaterThanOrEqual(1000 - TIMER_SLACK_MS);
    expect(second.state).toBe('open');
  });
});
