import type { Logger } from '@nestjs/common';
import type { Redis, RedisOptions } from 'ioredis';
import { redact } from '../../errors/redact.js';

/**
 * A client that fails fast instead of queueing (no offline queue, one retry, a command timeout)
 * and reconnects by itself with backoff. Created disconnected: `connect()` runs in the
 * background, so an unreachable Redis never blocks the boot. `ioredis` is loaded here, on
 * demand, so that apps without the `redis` option need not install it.
 */
export async function createRedisClient(
  url: string,
  commandTimeoutMs: number,
  extra: RedisOptions = {},
): Promise<Redis> {
  const { Redis } = await import('ioredis');
  return new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: commandTimeoutMs,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
    ...extra,
  });
}

/** Quits politely when the server answers, then drops the connection either way. */
export async function closeRedisClient(client: Redis | undefined): Promise<void> {
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
