import type { RealtimeRedisOptions, ResolvedRedisOptions } from './realtime.options.js';
import { REALTIME_DEFAULTS as D } from './realtime.defaults.js';
import { positiveInt, RealtimeConfigError } from './realtime.config-error.js';

/** A `redis://` or `rediss://` URL, or a clear error naming the option. */
function redisUrl(name: string, value: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url)
    throw new RealtimeConfigError(`"${name}" must be a URL such as redis://127.0.0.1:6379.`);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new RealtimeConfigError(`"${name}" must start with redis:// or rediss://.`);
  }
  return value as string;
}

/** Exactly one of `url` and `cluster`: a standalone Redis or the seed nodes of a cluster. */
function redisTopology(redis: RealtimeRedisOptions): Pick<ResolvedRedisOptions, 'url' | 'cluster'> {
  if ((redis.url === undefined) === (redis.cluster === undefined)) {
    throw new RealtimeConfigError(
      'set exactly one of "redis.url" (a standalone Redis) and "redis.cluster" (the seed nodes of a Redis Cluster).',
    );
  }
  if (redis.url !== undefined) return { url: redisUrl('redis.url', redis.url) };
  if (!Array.isArray(redis.cluster) || redis.cluster.length === 0) {
    throw new RealtimeConfigError(
      '"redis.cluster" must list at least one seed node, such as ["redis://10.0.0.1:6379"].',
    );
  }
  return { cluster: redis.cluster.map((seed, i) => redisUrl(`redis.cluster[${i}]`, seed)) };
}

export function resolveRedis(
  redis: RealtimeRedisOptions | undefined,
): ResolvedRedisOptions | undefined {
  if (redis === undefined) return undefined;
  const topology = redisTopology(redis);
  const prefix = redis.prefix ?? D.redis.prefix;
  if (!/^[\w.-]{1,64}$/.test(prefix)) {
    throw new RealtimeConfigError(
      '"redis.prefix" must be 1-64 characters of letters, digits, _ . -',
    );
  }
  return {
    ...topology,
    prefix,
    presenceTtlMs: positiveInt(
      'redis.presenceTtlMs',
      redis.presenceTtlMs,
      D.redis.presenceTtlMs,
      300,
    ),
    commandTimeoutMs: positiveInt(
      'redis.commandTimeoutMs',
      redis.commandTimeoutMs,
      D.redis.commandTimeoutMs,
    ),
    maxMessageBytes: positiveInt(
      'redis.maxMessageBytes',
      redis.maxMessageBytes,
      D.redis.maxMessageBytes,
      1024,
    ),
  };
}
