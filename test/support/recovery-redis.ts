import { Redis } from 'ioredis';
import { RealtimeBroker, type RedisBroker } from '../../src/server/index.js';
import type { RealtimeModuleOptions } from '../../src/server/index.js';
import type { RunningRealtimeApp } from '../../src/testing/index.js';
import { ResumingClient, startRecoveryApp } from './recovery-app.js';
import { RedisProcess } from './redis-server.js';
import { waitFor } from './wait-for.js';

/** The recovery rules of the Redis e2e suites: a latest-value ticker, 2 000 kept elsewhere. */
export const REDIS_RECOVERY = {
  streams: [
    { match: 'room:ticker:*', conflate: true, size: 10 },
    { match: '*', size: 2000 },
  ],
};

/**
 * Registers, in the calling spec file, a private redis-server on a free port for the file and
 * the teardown of each test's instances and clients; each call of `instances()` takes a fresh
 * key prefix.
 */
export function useRedisRecovery() {
  let redis: RedisProcess;
  let admin: Redis;
  let prefix = '';
  let count = 0;
  const servers: RunningRealtimeApp[] = [];
  const clients: ResumingClient[] = [];

  beforeAll(async () => {
    redis = await RedisProcess.start();
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    await admin.quit();
    await redis.kill();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.socket.close()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  const kit = {
    redis: () => redis,
    admin: () => admin,
    /** The key of a session record under the current prefix. */
    sessionKey: (session: string | undefined) => `${prefix}:s:{${session}}`,
    /** The keys of every stream's history and meta under the current prefix. */
    historyKeys: () => admin.keys(`${prefix}:h*`),

    /** `count` instances on one fresh prefix, each with the Redis broker ready. */
    async instances(
      n: number,
      recovery: RealtimeModuleOptions['recovery'] = REDIS_RECOVERY,
      redisOptions: { commandTimeoutMs?: number } = {},
    ): Promise<RunningRealtimeApp[]> {
      prefix = `rec${++count}`;
      // Generous by default: these cases check order and completeness with Redis healthy. On a
      // starved machine a burst of 1 000 pipelined appends can pass the default 1 s, and an
      // append that times out is served unpositioned to the publisher's own sockets.
      const redis = { url: kit.redis().url, prefix, commandTimeoutMs: 10_000, ...redisOptions };
      const started: RunningRealtimeApp[] = [];
      for (let i = 0; i < n; i++) {
        const app = await startRecoveryApp(recovery, { redis });
        await (app.app.get(RealtimeBroker) as RedisBroker).whenReady();
        servers.push(app);
        started.push(app);
      }
      return started;
    },

    /** A client of the recovery protocol, resumed into a fresh session, closed after the test. */
    async connect(server: RunningRealtimeApp, sub: string): Promise<ResumingClient> {
      const client = kit.track(await ResumingClient.connect(server.url, sub));
      await client.resume();
      return client;
    },

    /** Closes `client` after the test. */
    track(client: ResumingClient): ResumingClient {
      clients.push(client);
      return client;
    },

    /** Reconnects `client` to `server` with its session and positions. */
    async reconnect(client: ResumingClient, server: RunningRealtimeApp) {
      const result = await client.reconnect(server.url);
      kit.track(result.client);
      return result;
    },

    /** Cuts a client off; resolves once the server wrote its closed session (in the window). */
    async cut(server: RunningRealtimeApp, client: ResumingClient, windowMs = 120_000) {
      const before = server.registry().size;
      client.socket.ws.terminate();
      await waitFor(() => server.registry().size < before, 'the server to see the close');
      const key = kit.sessionKey(client.session);
      await waitFor(async () => {
        const ttl = await admin.pttl(key);
        return ttl > 0 && ttl <= windowMs;
      }, 'the closed session record');
    },

    /** Alice in room r1, one push seen, then cut off (her closed session written). */
    async aliceAway(server: RunningRealtimeApp): Promise<ResumingClient> {
      const alice = await kit.connect(server, 'alice');
      await alice.join('r1');
      server.registry().to('r1').emit('msg', { n: 1 });
      await alice.take('msg', 1);
      await kit.cut(server, alice);
      return alice;
    },
  };
  return kit;
}
