/**
 * The suites that run several instances of a server on one Redis: `redis` (two instances, one
 * room spread over both) and `scaleout` (1, 2, 4 instances; rooms local to an instance, and one
 * room spread over all). Each run has a fresh key prefix, deleted afterwards.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { Conn, openMany, type Target } from './client.js';
import { scaleout, type ScaleOut, type Stream } from './scaleout.js';
import { broadcast, joinRoom, type Throughput, type Timing } from './scenarios.js';
import { ServerProcess, type ServerSpec } from './servers.js';
import { upgradeRequest } from './wire.js';

/** What the suites need from the run (main.ts). */
export interface RedisRun {
  url: string;
  env: Record<string, string>;
  nodeFlags: string[];
  token: string;
  /** Broadcasts in flight per room. */
  inFlight: number;
  record(scenario: string, server: string, value: Throughput | ScaleOut): void;
  log(line: string): void;
  fmt(t: Throughput): string;
  timing(server: string, scenario: string, count?: number): Timing;
}

/** The server's version, or undefined when it cannot be reached. */
export async function redisReachable(url: string): Promise<string | undefined> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    const info = await redis.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}

/** Deletes the keys a run left under its prefix (presence of killed instances). */
async function dropPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** `count` instances on a fresh prefix, stopped and their keys deleted after `work`. */
async function withInstances(
  run: RedisRun,
  spec: ServerSpec,
  count: number,
  tag: string,
  work: (instances: ServerProcess[], targets: Target[]) => Promise<void>,
): Promise<void> {
  const prefix = `nestjs-realtime-bench.${Date.now().toString(36)}.${spec.name}.${tag}`;
  const env = { ...run.env, BENCH_REDIS_URL: run.url, BENCH_REDIS_PREFIX: prefix };
  const instances: ServerProcess[] = [];
  try {
    const started = Array.from({ length: count }, () =>
      ServerProcess.start(spec, env, run.nodeFlags).then((s) => void instances.push(s)),
    );
    // Every start settles before a failure is thrown, so none is left running.
    const failed = (await Promise.allSettled(started)).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const targets = instances.map<Target>((s) => ({
      port: s.port,
      dialect: spec.dialect,
      upgrade: upgradeRequest(spec.dialect, s.port, run.token),
    }));
    await work(instances, targets);
  } finally {
    await Promise.all(instances.map((s) => s.stop()));
    await dropPrefix(run.url, prefix).catch(() => undefined);
  }
}

/** Subscribers alternating between the groups (one group per instance). */
const interleave = (groups: Conn[][]): Conn[] =>
  groups[0]!.flatMap((_, i) => groups.map((group) => group[i]!));

/** Two instances on one Redis, subscribers alternating between them, the publisher on the first. */
export async function redisSuite(
  run: RedisRun,
  spec: ServerSpec,
  subscriberCount: number,
  rep: number,
): Promise<void> {
  await withInstances(run, spec, 2, String(rep), async (instances, targets) => {
    const groups = await Promise.all(targets.map((t) => openMany(t, subscriberCount / 2, 100)));
    const subscribers = interleave(groups);
    await joinRoom(subscribers, spec.dialect);
    const publisher = await Conn.open(targets[0]!);
    await sleep(200);
    const t = await broadcast(
      instances,
      subscribers,
      publisher,
      spec.dialect,
      run.inFlight,
      run.timing(spec.name, 'redis', 2),
      true,
    );
    run.record('redis', spec.name, t);
    run.log(
      `  ${spec.name} + Redis, 2 instances, ${subscribers.length} subscribers: ${run.fmt(t)}`,
    );
    for (const conn of [...subscribers, publisher]) conn.reset();
  });
}

const kilo = (v: number): string => (v >= 1000 ? `${(v / 1000).toFixed(1)}k` : v.toFixed(0));
const cores = (v: number[]): string => v.map((c) => `${Math.round(c * 100)}%`).join(' ');

function summary(r: ScaleOut): string {
  const idle =
    r.idleCpuPer1000 === undefined
      ? ''
      : `; idle instance: ${(r.idleCpu! * 1000).toFixed(1)} ms/s CPU, ${r.idleCpuPer1000.toFixed(2)} ms per 1000 publications elsewhere (${kilo(r.idlePublications!)}/s), heard ${kilo(r.idleReceived!)}/s`;
  return (
    `${kilo(r.ratePerInstance)}/s per instance, ${r.cpuPerOp.toFixed(2)} µs/delivery, ` +
    `CPU ${cores(r.serverCpu)}, bus received/s ${r.received.map(kilo).join(' ')}, ` +
    `${kilo(r.publications)} publications/s${r.errors > 0 ? `, ${r.errors} stalls` : ''}${idle}`
  );
}

/**
 * `count` instances on one Redis, `perInstance` subscribers on each. Local rooms: room `local-i`
 * has the subscribers of instance i and a publisher on instance i; then (2+ instances) the idle
 * window. Spanning: one room with every subscriber, the publisher on instance 0.
 */
export async function scaleoutSuite(
  run: RedisRun,
  spec: ServerSpec,
  count: number,
  perInstance: number,
  rep: number,
): Promise<void> {
  await withInstances(run, spec, count, `x${count}.${rep}`, async (instances, targets) => {
    const reset = async (streams: Stream[]): Promise<void> => {
      for (const s of streams) for (const conn of [...s.subscribers, s.publisher]) conn.reset();
      await Promise.all(instances.map((s) => s.waitConnections(0)));
    };
    const local = await Promise.all(
      targets.map(async (target, i): Promise<Stream> => {
        const subscribers = await openMany(target, perInstance, 50);
        await joinRoom(subscribers, spec.dialect, `local-${i}`);
        return { publisher: await Conn.open(target), room: `local-${i}`, subscribers };
      }),
    );
    await sleep(200);
    const scenario = `scaleout-local-${count}`;
    const timing = run.timing(spec.name, scenario, count);
    const r = await scaleout(instances, local, spec.dialect, run.inFlight, timing, true);
    run.record(scenario, spec.name, r);
    run.log(`  ${spec.name} x${count}, local rooms: ${summary(r)}`);
    await reset(local);

    const groups = await Promise.all(targets.map((t) => openMany(t, perInstance, 50)));
    const subscribers = interleave(groups);
    await joinRoom(subscribers, spec.dialect, 'spanning');
    const spanning: Stream = {
      publisher: await Conn.open(targets[0]!),
      room: 'spanning',
      subscribers,
    };
    await sleep(200);
    const spanScenario = `scaleout-spanning-${count}`;
    const spanTiming = run.timing(spec.name, spanScenario, count);
    const s = await scaleout(instances, [spanning], spec.dialect, run.inFlight, spanTiming, false);
    run.record(spanScenario, spec.name, s);
    run.log(`  ${spec.name} x${count}, spanning room: ${summary(s)}`);
    await reset([spanning]);
  });
}
