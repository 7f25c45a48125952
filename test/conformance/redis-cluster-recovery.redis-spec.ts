import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RedisBroker, type RedisBrokerOptions } from '../../src/server/index.js';
import { RedisCluster } from '../support/redis-cluster.js';
import { waitFor } from '../support/wait-for.js';
import { describeSessionStoreConformance } from './session-store-conformance.js';
import { describeStreamLogConformance } from './stream-log-conformance.js';

/**
 * The Redis stream log and session store on a real 3-master Redis Cluster (started on loopback
 * ports for this file) against the shared conformance suites, a fresh key prefix per test: the
 * append script's keys and its shard channel share a slot. Run by `npm test` when redis-server
 * is installed.
 */

let cluster: RedisCluster;
let tests = 0;
beforeAll(async () => {
  if (!process.env.SHOW_LOGS) Logger.overrideLogger(false);
  cluster = await RedisCluster.start({ masters: 3, replicasPerMaster: 0 });
}, 30_000);
afterAll(() => cluster.stop());

const optionsOf = (prefix: string): RedisBrokerOptions => ({
  cluster: cluster.seeds,
  prefix,
  presenceTtlMs: 3000,
  commandTimeoutMs: 500,
});

/** Runs a command on every master, as on a cluster whose nodes all did it. */
async function onEveryMaster(run: (node: Redis) => Promise<unknown>): Promise<void> {
  await Promise.all(
    cluster.seeds.map(async (url) => {
      const node = new Redis(url);
      await run(node);
      await node.quit();
    }),
  );
}

describeStreamLogConformance(
  'Redis Cluster',
  () => {
    const options = optionsOf(`history${++tests}`);
    let paused: Redis | undefined;
    return Promise.resolve({
      instance: () => {
        const broker = new RedisBroker(options);
        return { bus: broker.bus, log: broker.log, ready: () => broker.bus.whenReady() };
      },
      lose: () => onEveryMaster((node) => node.flushall()),
      outages: {
        // The master of the stream's slot keeps its data but does not answer in time (its
        // cluster bus goes on, so no failover): the script runs late.
        "writes paused on the stream's master past the command timeout": {
          begin: async (stream: string) => {
            const master = await cluster.masterOf(`${options.prefix}:${stream}`);
            paused = new Redis(master.url);
            await paused.call('CLIENT', 'PAUSE', '60000', 'WRITE');
          },
          end: async () => {
            await paused?.call('CLIENT', 'UNPAUSE');
            await paused?.quit();
          },
        },
      },
      close: () => Promise.resolve(),
    });
  },
  ["writes paused on the stream's master past the command timeout"],
);

describeSessionStoreConformance('Redis Cluster', () => {
  const options = optionsOf(`sessions${++tests}`);
  return Promise.resolve({
    instance: () => {
      const broker = new RedisBroker(options);
      return {
        store: broker.sessions,
        start: async () => {
          await broker.bus.start(() => undefined);
          await broker.bus.whenReady();
        },
        stop: () => broker.bus.stop(),
      };
    },
    expire: async (id: string) => {
      const key = `${options.prefix}:s:{${id}}`;
      const master = await cluster.masterOf(key);
      const node = new Redis(master.url);
      await waitFor(async () => (await node.exists(key)) === 0, 'the session to expire');
      await node.quit();
    },
    close: () => Promise.resolve(),
  });
});
