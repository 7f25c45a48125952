import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RedisBroker, type RedisBrokerOptions } from '../../src/server/index.js';
import { RedisProcess } from '../support/redis-server.js';
import { waitFor } from '../support/wait-for.js';
import { describeSessionStoreConformance } from './session-store-conformance.js';
import { describeStreamLogConformance } from './stream-log-conformance.js';

/**
 * The Redis stream log and session store against the shared conformance suites, on a private
 * `redis-server` (a fresh key prefix per test). Run by `npm test` when redis-server is installed.
 */

let redis: RedisProcess;
let tests = 0;
beforeAll(async () => {
  if (!process.env.SHOW_LOGS) Logger.overrideLogger(false);
  redis = await RedisProcess.start();
});
afterAll(() => redis.kill());

const optionsOf = (prefix: string): RedisBrokerOptions => ({
  url: redis.url,
  prefix,
  presenceTtlMs: 3000,
  commandTimeoutMs: 500,
});

describeStreamLogConformance(
  'Redis',
  () => {
    const options = optionsOf(`history${++tests}`);
    const admin = new Redis(redis.url);
    return Promise.resolve({
      instance: () => {
        const broker = new RedisBroker(options);
        return { bus: broker.bus, log: broker.log, ready: () => broker.bus.whenReady() };
      },
      lose: async () => void (await admin.flushall()),
      outages: {
        // Redis gone and back empty.
        'kill -9 and restart': {
          begin: () => redis.kill(),
          end: () => redis.restart(),
        },
        // Redis keeps its data but does not answer in time; the script runs late.
        'writes paused past the command timeout': {
          begin: async () => void (await admin.call('CLIENT', 'PAUSE', '60000', 'WRITE')),
          end: async () => void (await admin.call('CLIENT', 'UNPAUSE')),
        },
      },
      close: async () => void (await admin.quit().catch(() => undefined)),
    });
  },
  ['kill -9 and restart', 'writes paused past the command timeout'],
);

describeSessionStoreConformance(
  'Redis',
  () => {
    const options = optionsOf(`sessions${++tests}`);
    const admin = new Redis(redis.url);
    const key = (id: string) => `${options.prefix}:s:{${id}}`;
    return Promise.resolve({
      instance: () => {
        const broker = new RedisBroker(options);
        return {
          store: broker.sessions,
          start: async () => {
            await broker.bus.start(() => undefined);
            await broker.sessions.start();
            await broker.bus.whenReady();
          },
          stop: async () => {
            await broker.sessions.stop();
            await broker.bus.stop();
          },
        };
      },
      expire: (id: string) =>
        waitFor(async () => (await admin.exists(key(id))) === 0, 'the session to expire'),
      corrupt: async (id: string, value: string) => void (await admin.set(key(id), value)),
      close: async () => void (await admin.quit()),
    });
  },
  { corrupt: true },
);
