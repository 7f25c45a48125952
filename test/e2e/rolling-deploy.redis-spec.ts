import { once } from 'node:events';
import type { RecoveryInfo } from '../../src/client/index.js';
import type { DemoContract } from '../../src/demo/contract.js';
import { createTestClient, signTestToken, type TestClient } from '../../src/testing/index.js';
import { TEST_SECRET } from '../support/demo-app.js';
import { startDemoProcess, type DemoProcess } from '../support/demo-process.js';
import { range } from '../support/recovery-app.js';
import { RedisProcess } from '../support/redis-server.js';
import { SwitchingProxy } from '../support/switching-proxy.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Reliability F8, a rolling deploy: two demo processes on one Redis behind a proxy standing for
 * the load balancer; clients on the first; the first drained with SIGTERM while a member on the
 * second keeps posting; the clients land on the second and end with every message exactly once,
 * in order, `recovered: true`.
 */

const CLIENTS = 5;
const MESSAGES = 300;

let redis: RedisProcess;
let proxy: SwitchingProxy | undefined;
const demos: DemoProcess[] = [];
const clients: TestClient<DemoContract>[] = [];

beforeAll(async () => {
  redis = await RedisProcess.start();
});
afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await proxy?.close();
  for (const { child } of demos) if (child.exitCode === null) child.kill('SIGKILL');
  await redis.kill();
});

const portOf = (demo: DemoProcess): number => Number(new URL(demo.baseUrl).port);

async function client(url: string, sub: string, recoveries: RecoveryInfo[] = []) {
  const c = await createTestClient<DemoContract>(`${url.replace(/^http/, 'ws')}/ws`, {
    getToken: () => signTestToken(TEST_SECRET, { sub, name: sub }),
    backoff: { initialMs: 20, maxMs: 200, multiplier: 2, jitter: 0 },
    pingIntervalMs: 0,
    onRecovery: (info) => recoveries.push(info),
  });
  clients.push(c);
  await c.request('chat:join', { room: 'deploy' });
  return c;
}

describe('rolling deploy (F8)', () => {
  it('drains instance A with SIGTERM while B publishes: every client recovers on B, every message once, in order', async () => {
    const env = { REDIS_URL: redis.url, CHAT_HISTORY: '1000', SHUTDOWN_DRAIN_MS: '3000' };
    const a = await startDemoProcess(env, 'Subscribed to');
    const b = await startDemoProcess(env, 'Subscribed to');
    demos.push(a, b);
    proxy = await SwitchingProxy.start(portOf(a));

    const recoveries = range(1, CLIENTS).map((): RecoveryInfo[] => []);
    const members = await Promise.all(
      range(1, CLIENTS).map((i) => client(proxy!.url, `member-${i}`, recoveries[i - 1])),
    );
    const poster = await client(b.baseUrl, 'poster');

    const texts = range(1, MESSAGES).map(String);
    const post = (from: number, to: number) =>
      texts
        .slice(from - 1, to)
        .reduce<Promise<unknown>>(
          (chain, text) => chain.then(() => poster.request('chat:send', { room: 'deploy', text })),
          Promise.resolve(),
        );
    await post(1, 100);
    // A leaves the rotation and drains; B keeps posting meanwhile.
    proxy.switchTo(portOf(b));
    a.child.kill('SIGTERM');
    const exited = once(a.child, 'exit');
    await post(101, MESSAGES);
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);

    for (const [i, member] of members.entries()) {
      const got: string[] = [];
      while (got.length < MESSAGES) got.push((await member.expectPush('chat:message')).text);
      expect(got).toEqual(texts);
      await waitFor(() => recoveries[i]!.length === 2, 'the resume');
      expect(recoveries[i]![1]).toEqual({ wasRecovering: true, recovered: true, lost: [] });
    }
  });
});
