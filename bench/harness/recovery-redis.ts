/**
 * The Redis half of the `recovery` scenario: the scaleout layouts (a room local to each instance,
 * one spanning all) with recovery off and with the Redis stream log (history 100 per stream), on
 * a private `redis-server` so that `INFO commandstats` and `INFO cpu` count this run only; then
 * the Redis memory a kept entry takes (`MEMORY USAGE` of the stream keys). Skipped, with a note,
 * when the package has no Redis stream log or `redis-server` is missing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { scaleoutSuite, type RedisRun } from './redis-suites.js';
import { historyMemory, type RecoveryConfig, type RecoveryContext } from './recovery-suite.js';
import type { ScaleOut } from './scaleout.js';
import { ServerProcess, type ServerSpec } from './servers.js';
import { REALTIME_ENVELOPE } from './wire.js';
import type { RecoveryInfo } from '../servers/realtime-history.js';

/**
 * BENCH_RECOVERY_ANY_LOG=1 runs the Redis half whatever log the servers have (checks the
 * plumbing before the Redis log lands; its numbers then say nothing about a Redis log).
 */
const ANY_LOG = process.env['BENCH_RECOVERY_ANY_LOG'] === '1';

const REDIS_LOG = fileURLToPath(
  new URL(
    '../node_modules/nestjs-realtime/dist/server/recovery/redis.stream-log.js',
    import.meta.url,
  ),
);

export const REDIS_SPECS: ServerSpec[] = [
  { name: 'realtime', label: 'recovery off', file: 'realtime.js', dialect: REALTIME_ENVELOPE },
  {
    name: 'realtime-redis-h100',
    label: 'Redis stream log, 100 per stream',
    file: 'realtime.js',
    dialect: REALTIME_ENVELOPE,
    env: { BENCH_RECOVERY: '100' },
  },
];

/** Redis's side of a measured window (differences of INFO between its start and its end). */
export interface RedisWindow {
  /** Redis CPU (user + system), µs. */
  cpuUs: number;
  /** EVALSHA + EVAL + FCALL: calls and µs inside Redis (the commands they run included). */
  scriptCalls: number;
  scriptUs: number;
  /** SPUBLISH + PUBLISH, wherever issued (in a script too). */
  publishCalls: number;
  publishUs: number;
}

export type ScaleOutRecovery = ScaleOut & Partial<RedisWindow>;

let skipped: string | undefined;

/** Why the Redis half did not run (the last repetition's reason), or undefined. */
export const redisSkipped = (): string | undefined => skipped;

function skip(ctx: RecoveryContext, why: string): void {
  skipped = why;
  ctx.log(`  recovery on Redis skipped: ${why}.`);
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** A private redis-server (no persistence) for the run; undefined if it cannot start. */
export async function privateRedis(): Promise<{ url: string; child: ChildProcess } | undefined> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const started = await new Promise<boolean>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve(true);
    });
    child.once('exit', () => resolve(false));
    child.once('error', () => resolve(false));
  });
  return started ? { url: `redis://127.0.0.1:${port}`, child } : undefined;
}

type Info = Record<string, number>;

/** The numbers of `INFO commandstats` and `INFO cpu` that a window's differences are made of. */
async function info(redis: Redis): Promise<Info> {
  const out: Info = {};
  const text = await redis.info('all');
  for (const m of text.matchAll(/^cmdstat_(\w+):calls=(\d+),usec=(\d+)/gm)) {
    out[`${m[1]}.calls`] = Number(m[2]);
    out[`${m[1]}.usec`] = Number(m[3]);
  }
  for (const m of text.matchAll(/^used_cpu_(sys|user):([\d.]+)/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

function windowOf(a: Info, b: Info): RedisWindow {
  const d = (k: string): number => (b[k] ?? 0) - (a[k] ?? 0);
  const sum = (cmds: string[], f: string): number => cmds.reduce((s, c) => s + d(`${c}.${f}`), 0);
  const scripts = ['evalsha', 'eval', 'fcall', 'evalsha_ro', 'eval_ro', 'fcall_ro'];
  const publishes = ['spublish', 'publish'];
  return {
    cpuUs: (d('user') + d('sys')) * 1e6,
    scriptCalls: sum(scripts, 'calls'),
    scriptUs: sum(scripts, 'usec'),
    publishCalls: sum(publishes, 'calls'),
    publishUs: sum(publishes, 'usec'),
  };
}

/** Keys of the run's prefix that are streams: their MEMORY USAGE and length, summed. */
async function streamMemory(redis: Redis, prefix: string): Promise<{ bytes: number; len: number }> {
  let cursor = '0';
  let bytes = 0;
  let len = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
    for (const key of keys) {
      if ((await redis.type(key)) !== 'stream') continue;
      bytes += Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
      len += await redis.xlen(key);
    }
    cursor = next;
  } while (cursor !== '0');
  return { bytes, len };
}

/** One repetition of the Redis half; `run` as for the scaleout suite, its url ignored. */
export async function recoveryRedisRep(
  ctx: RecoveryContext,
  run: RedisRun,
  config: RecoveryConfig,
  attempt: (what: string, work: () => Promise<void>) => Promise<void>,
  of: string,
  rep: number,
): Promise<void> {
  if (!existsSync(REDIS_LOG) && !ANY_LOG) {
    return skip(
      ctx,
      'the package has no Redis stream log (src/server/recovery/redis.stream-log.ts) yet',
    );
  }
  const redisServer = await privateRedis();
  if (!redisServer) return skip(ctx, '`redis-server` is not installed or did not start');
  const redis = new Redis(redisServer.url);
  try {
    let pending: Info | undefined;
    const windows = new Map<string, RedisWindow>();
    const timing = (server: string, scenario: string, count?: number) => {
      const key = `${scenario}/${server}`;
      return {
        ...run.timing(server, scenario, count),
        probe: {
          start: async () => void (pending = await info(redis)),
          // The first window of a scenario (not the idle window after it) is the one reported.
          stop: async () => {
            const after = await info(redis);
            if (!windows.has(key)) windows.set(key, windowOf(pending!, after));
          },
        },
      };
    };
    const record = (scenario: string, server: string, value: object): void => {
      const key = `${scenario}/${server}`;
      ctx.record(`recovery-${scenario}`, server, { ...value, ...windows.get(key) });
      windows.delete(key);
    };
    const here: RedisRun = { ...run, url: redisServer.url, timing, record };
    for (const count of config.redis.instances) {
      for (const spec of REDIS_SPECS) {
        await attempt(`${of}: recovery, ${spec.label}, scaleout x${count}`, async () => {
          if (spec.env) await checkLog(ctx, spec, redisServer.url);
          await scaleoutSuite(here, spec, count, config.redis.subscribers, rep);
        });
      }
    }
    await attempt(`${of}: recovery, Redis memory per entry`, () =>
      redisMemory(ctx, redis, redisServer.url, config.redis.entries),
    );
  } finally {
    redis.disconnect();
    redisServer.child.kill('SIGTERM');
    await once(redisServer.child, 'exit');
  }
}

/** The server with recovery on Redis must run the Redis stream log, not the in-process one. */
async function checkLog(ctx: RecoveryContext, spec: ServerSpec, url: string): Promise<void> {
  const env = { ...ctx.env, BENCH_REDIS_URL: url, BENCH_REDIS_PREFIX: 'bench-check' };
  const server = await ServerProcess.start(spec, env, ctx.nodeFlags);
  try {
    const { log } = await server.request<RecoveryInfo>('recovery-info');
    if (log !== 'RedisStreamLog' && !ANY_LOG)
      throw new Error(`${spec.name} runs ${log}, not RedisStreamLog`);
  } finally {
    await server.stop();
  }
}

/** Fills a Redis stream log with `entries` (100 per stream); MEMORY USAGE per entry. */
async function redisMemory(ctx: RecoveryContext, redis: Redis, url: string, entries: number) {
  const spec = REDIS_SPECS[1]!;
  const prefix = `bench-mem-${Date.now().toString(36)}`;
  const env = { ...ctx.env, BENCH_REDIS_URL: url, BENCH_REDIS_PREFIX: prefix };
  const server = await ServerProcess.start(spec, env, ctx.nodeFlags);
  try {
    const usedBefore = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
    const m = await historyMemory(server, entries, Number(spec.env!['BENCH_RECOVERY']), 'mem');
    const usedAfter = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
    const { bytes, len } = await streamMemory(redis, prefix);
    const row = {
      ...m,
      redisStreamEntries: len,
      redisBytesPerEntry: bytes / len,
      redisUsedPerEntry: (usedAfter - usedBefore) / m.entries,
    };
    ctx.record('recovery-redis-memory', spec.name, row);
    ctx.log(
      `  Redis log, ${len} entries in streams: ${row.redisBytesPerEntry.toFixed(0)} B/entry ` +
        `(MEMORY USAGE), ${row.redisUsedPerEntry.toFixed(0)} B/entry (used_memory); ` +
        `server heap ${m.heapPerEntry.toFixed(0)} B/entry`,
    );
  } finally {
    await server.stop();
    await redis.flushall();
  }
}
