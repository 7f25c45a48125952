import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RedisBroker, type RedisBrokerOptions } from '../../src/server/index.js';
import { RedisCluster } from '../support/redis-cluster.js';
import { describeBrokerConformance } from './broker-conformance.js';

/**
 * The Redis broker on a real 3-master Redis Cluster (started on loopback ports for this file)
 * against the shared conformance suite, a fresh key prefix per test. Run by `npm test` when
 * redis-server is installed.
 */

let cluster: RedisCluster;
let tests = 0;
beforeAll(async () => {
  if (!process.env.SHOW_LOGS) Logger.overrideLogger(false);
  cluster = await RedisCluster.start({ masters: 3, replicasPerMaster: 0 });
}, 30_000);
afterAll(() => cluster.stop());

describeBrokerConformance('Redis Cluster', async () => {
  const options: RedisBrokerOptions = {
    cluster: cluster.seeds,
    prefix: `cluster${++tests}`,
    presenceTtlMs: 3000,
    commandTimeoutMs: 1000,
  };
  return {
    instance: () => {
      const broker = new RedisBroker(options);
      return { bus: broker.bus, presence: broker.presence, ready: () => broker.whenReady() };
    },
    // Every master empties, as a cluster whose nodes all restarted empty.
    losePresence: async () => {
      await Promise.all(
        cluster.seeds.map(async (url) => {
          const node = new Redis(url);
          await node.flushall();
          await node.quit();
        }),
      );
    },
    close: () => Promise.resolve(),
  };
});
