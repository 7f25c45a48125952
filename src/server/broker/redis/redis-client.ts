import type { Logger } from '@nestjs/common';
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { redact } from '../../errors/redact.js';
import type { RedisTopology } from './redis-topology.js';

/** A standalone client or a cluster client: the commands this package uses exist on both. */
export type RedisConnection = Redis | Cluster;

/** The options every connection shares: fail fast instead of queueing, reconnect with backoff. */
function commonOptions(commandTimeoutMs: number): RedisOptions {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: commandTimeoutMs,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
  };
}

/** host, port and credentials of a `redis://` URL, as ioredis's node and redisOptions take them. */
function nodeOf(seed: string): { host: string; port: number } {
  const url = new URL(seed);
  return { host: url.hostname, port: Number(url.port || 6379) };
}

function credentialsOf(seed: string | undefined): RedisOptions {
  if (!seed) return {};
  const url = new URL(seed);
  return {
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * A client that fails fast instead of queueing (no offline queue, one retry, a command timeout)
 * and reconnects by itself with backoff. Created disconnected: `connect()` runs in the
 * background, so an unreachable Redis never blocks the boot. `ioredis` is loaded here, on
 * demand, so that apps without the `redis` option need not install it.
 *
 * For a cluster, `ordered: true` keeps the order of commands to one slot across failovers
 * (failed commands are not retried). `sharded: true` gives the client one subscriber connection per master, for
 * `SSUBSCRIBE` (ioredis routes each channel to the master of its slot and moves it on a
 * failover); a standalone client used for `SSUBSCRIBE` is in subscriber mode and cannot publish.
 */
export async function createRedisClient(
  topology: RedisTopology,
  commandTimeoutMs: number,
  extra: RedisOptions & { sharded?: boolean; ordered?: boolean } = {},
): Promise<RedisConnection> {
  const { Redis, Cluster } = await import('ioredis');
  const { sharded, ordered, ...redisExtra } = extra;
  if (topology.cluster) {
    const seeds = topology.cluster;
    const options: ClusterOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      shardedSubscribers: sharded === true,
      // A manual failover moves slots without closing a connection: the periodic refresh is
      // what notices (see watchShardMoves for the fast path).
      slotsRefreshInterval: 1000,
      // `ordered`: a command that fails (a master going down, a slot that moved) fails instead
      // of being retried later on another node, where it would overtake the ones sent after it.
      ...(ordered ? { maxRedirections: 0 } : {}),
      clusterRetryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
      redisOptions: {
        ...commonOptions(commandTimeoutMs),
        // Ordered: node connections connect at once. Lazily connected, the first commands to a
        // node wait for its connection while later ones may not, and a burst is reordered.
        lazyConnect: !ordered,
        ...credentialsOf(seeds[0]),
        ...redisExtra,
      },
    };
    return new Cluster(seeds.map(nodeOf), options);
  }
  return new Redis(topology.url ?? 'redis://127.0.0.1:6379', {
    ...commonOptions(commandTimeoutMs),
    ...redisExtra,
  });
}

/**
 * A cluster master that hands its slots to a replica (`CLUSTER FAILOVER`, a resharding) drops
 * their sharded subscribers with an `SUNSUBSCRIBE` push, which ioredis reports as a node error
 * and does not act on. The slot map is refreshed until the subscribers are placed again, so the
 * channels come back within a few hundred milliseconds instead of at the next periodic refresh.
 */
export function watchShardMoves(cluster: Cluster): void {
  let retry: NodeJS.Timeout | undefined;
  cluster.on('nodeError', (error: Error) => {
    if (retry || !String(error?.message).includes('sunsubscribe')) return;
    let tries = 0;
    const stop = (): void => {
      clearInterval(retry);
      retry = undefined;
      cluster.off('+subscriber', stop);
      cluster.off('end', stop);
    };
    // At most 5 s of it: the periodic refresh is there anyway.
    retry = setInterval(() => (++tries > 50 ? stop() : cluster.refreshSlotsCache()), 100);
    retry.unref();
    cluster.once('+subscriber', stop);
    cluster.once('end', stop);
  });
}

/** Quits politely when the server answers, then drops the connection either way. */
export async function closeRedisClient(client: RedisConnection | undefined): Promise<void> {
  await client?.quit().catch(() => undefined);
  client?.disconnect();
}

/** Logs a Redis error once per distinct message, not once per retry; tokens redacted. */
export class RedisErrorLog {
  private last = '';

  constructor(private readonly logger: Logger) {}

  readonly log = (error: Error): void => {
    const message = redact(error.message);
    if (message === this.last) return;
    this.last = message;
    this.logger.warn(`Redis: ${message}`);
  };
}
