import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RedisBroker, type RedisBrokerOptions } from '../../src/server/index.js';
import { RedisProcess } from '../support/redis-server.js';
import { describeBrokerConformance } from './broker-conformance.js';

/**
 * The Redis broker against the shared conformance suite, on a private `redis-server` (a fresh key
 * prefix per test). Run by `npm test` when redis-server is installed.
 */

let redis: RedisProcess;
let tests = 0;
beforeAll(async () => {
  Logger.overrideLogger(false);
  redis = await RedisProcess.start();
});
afterAll(() => redis.kill());

describeBrokerConformance('Redis', async () => {
  const options: RedisBrokerOptions = {
    url: redis.url,
    prefix: `conformance${++tests}`,
    presenceTtlMs: 3000,
    commandTimeoutMs: 1000,
  };
  const admin = new Redis(redis.url);
  return {
    instance: () => {
      const broker = new RedisBroker(options);
      return { bus: broker.bus, presence: broker.presence, ready: () => broker.whenReady() };
    },
    losePresence: async () => void (await admin.flushall()),
    close: async () => void (await admin.quit()),
  };
});
