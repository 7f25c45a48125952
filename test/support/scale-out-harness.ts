import { ConnectionRegistry, RealtimeBroker, type RedisBroker } from '../../src/server/index.js';
import type { DemoContract } from '../../src/demo/contract.js';
import { startDemo, type RunningApp } from './demo-app.js';
import { RedisProcess } from './redis-server.js';
import { TestSocket } from './ws-client.js';

/**
 * Shared harness of the Redis scale-out suites (scale-out-*.redis-spec.ts): a private
 * `redis-server` per test, demo instances on it and sockets to them, all torn down after each test.
 */

export const brokerOf = (demo: RunningApp): RedisBroker =>
  demo.app.get(RealtimeBroker) as unknown as RedisBroker;
export const registryOf = (demo: RunningApp): ConnectionRegistry<DemoContract> =>
  demo.app.get(ConnectionRegistry);

/** The Redis of the running test (a new process for each test): what the fault tests act on. */
export type CurrentRedis = Pick<RedisProcess, 'url' | 'kill' | 'restart'>;

/**
 * Registers, in the calling describe block, a fresh `redis-server` before each test and the
 * teardown after it (sockets, then instances, then Redis). Returns that Redis, the started
 * instances, and the helpers that start a demo instance on it and connect a user to one.
 */
export function installScaleOutHarness() {
  let redis: RedisProcess;
  const apps: RunningApp[] = [];
  const sockets: TestSocket[] = [];

  const instance = async (overrides: Parameters<typeof startDemo>[0] = {}) => {
    const demo = await startDemo({ redisUrl: redis.url, redisPresenceTtlMs: 3000, ...overrides });
    apps.push(demo);
    return demo;
  };
  const connect = async (demo: RunningApp, sub: string, claims: Record<string, unknown> = {}) => {
    const socket = await TestSocket.connect(demo.baseUrl, {
      token: demo.sign({ sub, name: sub, ...claims }),
    });
    sockets.push(socket);
    return socket;
  };

  beforeEach(async () => {
    redis = await RedisProcess.start();
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
    await Promise.all(apps.splice(0).map((a) => a.close()));
    await redis.kill();
  });

  const current: CurrentRedis = {
    get url() {
      return redis.url;
    },
    kill: () => redis.kill(),
    restart: () => redis.restart(),
  };
  return { redis: current, apps, sockets, instance, connect };
}
