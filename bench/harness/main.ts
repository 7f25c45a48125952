/**
 * `npm run bench`: the same load generator drives every server in one run, one after another.
 *
 *   npm run bench                       full run (~25 min), writes bench/results/
 *   npm run bench -- --quick            smoke run (~1 min), writes node_modules/.cache/nestjs-realtime-bench/results-quick/
 *   npm run bench -- --profile          CPU profiles of the measured windows (see bench/README.md)
 *   --only raw-ws,realtime              some servers only   --reps 5   --out <dir>
 *   --scenarios memory,broadcast,reqrep,handshakes,side-by-side,redis,scaleout,recovery (default), connections
 *   --rereport bench/results/results.json   rewrite results.md and chart.svg, measuring nothing
 *   --node-flags="--max-semi-space-size=32"  flags for the server processes (experiments)
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import jwt from 'jsonwebtoken';
import { Conn, type Target } from './client.js';
import { FULL, QUICK } from './config.js';
import * as many from './connections-run.js';
import { summarizeProfiles } from './profile.js';
import { sideBySideSuite } from './side-by-side.js';
import * as recoveryRun from './recovery-run.js';
import { redisReachable, redisSuite, scaleoutSuite, type RedisRun } from './redis-suites.js';
import { collectMachine, writeReport, type Machine, type Meta, type Results } from './report.js';
import {
  broadcast,
  handshakes,
  joinRoom,
  memory,
  requestReply,
  type Throughput,
  type Timing,
} from './scenarios.js';
import { CAN_PIN, SERVERS, ServerProcess, type ServerSpec } from './servers.js';
import { upgradeRequest } from './wire.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    only: { type: 'string' },
    scenarios: { type: 'string' },
    reps: { type: 'string' },
    /** Timing on a busy machine: how long to wait for quiet before a window, windows at most. */
    'quiet-wait': { type: 'string' },
    attempts: { type: 'string' },
    out: { type: 'string' },
    redis: { type: 'string', default: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379' },
    /** Extra flags for the server processes (experiments): --node-flags=--max-semi-space-size=32 */
    'node-flags': { type: 'string' },
    /** Rewrites results.md and chart.svg from a results.json, without measuring. */
    rereport: { type: 'string' },
  },
});

/** The project (run.sh starts the harness there). */
const ROOT = process.cwd();
/** Compiled bench, snapshot of the package, profiles and smoke results (see run.sh). */
const WORK = resolve(ROOT, 'node_modules/.cache/nestjs-realtime-bench');

const config = args.quick ? QUICK : FULL;
if (args.profile) config.reps = 1;
if (args.reps) config.reps = Number(args.reps);
if (args['quiet-wait']) config.timing.quietWaitMs = Number(args['quiet-wait']);
if (args.attempts) config.timing.attempts = Number(args.attempts);
const scenarios = new Set(
  (
    args.scenarios ?? 'memory,broadcast,reqrep,handshakes,side-by-side,redis,scaleout,recovery'
  ).split(','),
);
const only = args.only?.split(',');
const servers = SERVERS.filter((s) =>
  only ? only.includes(s.name) : !args.profile || s.name.startsWith('realtime'),
);
const manySpecs = only ? servers : SERVERS.filter((s) => many.CONNECTIONS_SERVERS.includes(s.name));
const manyConfig = scenarios.has('connections') ? many.connectionsConfig(args.quick) : undefined;
const outDir = resolve(args.out ?? (args.quick ? resolve(WORK, 'results-quick') : 'bench/results'));
const profileDir = resolve(WORK, 'profiles');

const secret = randomBytes(32).toString('base64url');
const token = jwt.sign({ sub: 'bench-user', name: 'Bench User' }, secret, {
  algorithm: 'HS256',
  expiresIn: '2h',
});
const env = { BENCH_JWT_SECRET: secret };
const nodeFlags = args['node-flags']?.split(' ').filter(Boolean) ?? [];

const results: Results = {};
function record(scenario: string, server: string, value: Results[string][string][number]): void {
  ((results[scenario] ??= {})[server] ??= []).push(value);
}

function log(line: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
}

function fmt(t: Throughput): string {
  const rate = t.rate >= 1000 ? `${(t.rate / 1000).toFixed(1)}k/s` : `${t.rate.toFixed(0)}/s`;
  return `${rate}  p50 ${t.p50.toFixed(2)} ms  p99 ${t.p99.toFixed(2)} ms  server ${t.cpuPerOp.toFixed(1)} µs/op (${(t.serverCpu * 100).toFixed(0)}% cpu)  generator ${(t.genCpu * 100).toFixed(0)}% cpu`;
}

function timing(server: string, scenario: string, count = 1): Timing {
  if (!args.profile) return config.timing;
  const profile = Array.from({ length: count }, (_, i) =>
    resolve(profileDir, `${server}-${scenario}${count > 1 ? `-${i}` : ''}.cpuprofile`),
  );
  return { ...config.timing, profile };
}

async function suite(spec: ServerSpec): Promise<void> {
  const server = await ServerProcess.start(spec, env, nodeFlags);
  const target: Target = {
    port: server.port,
    dialect: spec.dialect,
    upgrade: upgradeRequest(spec.dialect, server.port, token),
  };
  try {
    if (scenarios.has('memory') || scenarios.has('broadcast')) {
      const sizes = scenarios.has('broadcast') ? config.broadcastSizes : [];
      const count = Math.max(...sizes, scenarios.has('memory') ? config.memoryConnections : 0);
      const { conns, result } = await memory(
        server,
        target,
        count,
        config.warmConnections,
        config.settleMs,
      );
      if (scenarios.has('memory')) {
        record('memory', spec.name, result);
        log(`  ${spec.name} memory: ${(result.rssPerConn / 1024).toFixed(1)} KB/connection RSS`);
      }
      if (sizes.length > 0) {
        const publisher = await Conn.open(target);
        await joinRoom(conns, spec.dialect);
        for (const size of [...sizes].sort((a, b) => b - a)) {
          for (const conn of conns.slice(size)) conn.reset();
          await server.waitConnections(size + 1);
          const subscribers = conns.slice(0, size);
          const t = await broadcast(
            [server],
            subscribers,
            publisher,
            spec.dialect,
            config.broadcastWindow,
            timing(spec.name, `broadcast-${size}`),
          );
          record(`broadcast-${size}`, spec.name, t);
          log(`  ${spec.name} broadcast to ${size}: ${fmt(t)}`);
        }
        publisher.reset();
      }
      for (const conn of conns) conn.reset();
      await server.waitConnections(0);
    }
    if (scenarios.has('reqrep')) {
      const { connections, inFlight } = config.reqrep;
      const t = await requestReply(
        server,
        target,
        connections,
        inFlight,
        timing(spec.name, 'reqrep'),
      );
      record('reqrep', spec.name, t);
      log(`  ${spec.name} request/reply: ${fmt(t)}`);
    }
    if (scenarios.has('handshakes')) {
      const t = await handshakes(
        server,
        target,
        config.handshakeConcurrency,
        timing(spec.name, 'handshakes'),
      );
      record('handshakes', spec.name, t);
      log(`  ${spec.name} handshakes: ${fmt(t)}`);
    }
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  if (args.rereport?.endsWith('recovery.json'))
    return log(await recoveryRun.rereportRecovery(args.rereport));
  if (args.rereport?.endsWith('connections.json'))
    return log(await many.rereportConnections(args.rereport));
  if (args.rereport) {
    const saved = JSON.parse(readFileSync(args.rereport, 'utf8')) as {
      meta: Meta;
      machine: Machine;
      runs: Results;
    };
    await writeReport(dirname(resolve(args.rereport)), saved.runs, saved.machine, saved.meta);
    log(`rewrote the report next to ${args.rereport}`);
    return;
  }
  if (!CAN_PIN) {
    console.warn('taskset or a second core is missing: processes are NOT pinned to cores.');
  }
  mkdirSync(outDir, { recursive: true });
  if (args.profile) mkdirSync(profileDir, { recursive: true });
  const started = Date.now();
  const onRedis = scenarios.has('redis') || scenarios.has('scaleout');
  const redisVersion = onRedis ? await redisReachable(args.redis) : undefined;
  if (onRedis && !redisVersion) {
    console.warn(`Redis at ${args.redis} is not reachable: the Redis scenarios are skipped.`);
  }
  // Sharded pub/sub (SSUBSCRIBE, SPUBLISH), which scaleout's raw ws uses, came with Redis 7.
  const sharded = Number(redisVersion?.split('.')[0]) >= 7;
  if (redisVersion && scenarios.has('scaleout') && !sharded) {
    console.warn(`Redis ${redisVersion} has no sharded pub/sub (7+): scaleout is skipped.`);
  }
  const redisServers = servers.filter((s) => s.name === 'raw-ws' || s.name === 'realtime');
  const perServer = ['memory', 'broadcast', 'reqrep', 'handshakes'].some((s) => scenarios.has(s));
  const run: RedisRun = {
    url: args.redis,
    env,
    nodeFlags,
    token,
    inFlight: config.broadcastWindow,
    record,
    log,
    fmt,
    timing,
  };
  const recovery = scenarios.has('recovery') ? recoveryRun.recoveryConfig(args.quick) : undefined;
  const failures: string[] = [];
  const attempt = async (what: string, work: () => Promise<void>): Promise<void> => {
    log(what);
    try {
      await work();
    } catch (error) {
      failures.push(`${what}: ${String(error)}`);
      log(`  FAILED: ${String(error)}`);
    }
  };
  for (let rep = 1; rep <= config.reps; rep++) {
    const of = `rep ${rep}/${config.reps}`;
    for (const spec of perServer ? servers : []) {
      await attempt(`${of}: ${spec.label}`, () => suite(spec));
    }
    for (const spec of redisVersion && scenarios.has('redis') ? redisServers : []) {
      await attempt(`${of}: ${spec.label} + Redis`, () =>
        redisSuite(run, spec, config.redisSubscribers, rep),
      );
    }
    // Interleaved (raw ws, then the module, per instance count), as the rest of the run is.
    for (const count of sharded && scenarios.has('scaleout') ? config.scaleout.instances : []) {
      for (const spec of redisServers) {
        await attempt(`${of}: ${spec.label} scaleout, ${count} instance(s) on Redis`, () =>
          scaleoutSuite(run, spec, count, config.scaleout.subscribers, rep),
        );
      }
    }
    if (recovery) await recoveryRun.recoveryRepetition(run, recovery, attempt, of, rep);
    if (manyConfig)
      await many.connectionsRepetition(manySpecs, manyConfig, env, token, attempt, of, log);
  }
  if (scenarios.has('side-by-side')) {
    // Profiled: one round of 3 s windows, each server profiled while the others run beside it.
    const rounds = args.profile ? 1 : config.sideBySide.rounds;
    const timing = args.profile
      ? { ...config.sideBySide.timing, measureMs: 3_000 }
      : config.sideBySide.timing;
    const profileOf = args.profile
      ? (key: string, server: string) => resolve(profileDir, `${server}-${key}.cpuprofile`)
      : undefined;
    await attempt(`side by side: ${rounds} rounds`, () =>
      sideBySideSuite(servers, {
        ...config,
        rounds,
        starts: config.sideBySide.starts,
        timing,
        env,
        nodeFlags,
        token,
        record,
        log,
        profileOf,
      }),
    );
  }
  if (failures.length > 0) process.exitCode = 1;
  const seconds = (Date.now() - started) / 1000;
  log(`done in ${seconds.toFixed(0)} s`);
  if (args.profile) {
    const file = resolve(ROOT, 'bench/results/profiles.md');
    await summarizeProfiles(profileDir, file);
    log(`profiles: ${profileDir}/*.cpuprofile, summary in ${file}`);
    return;
  }
  const machine = collectMachine(ROOT, redisVersion, CAN_PIN);
  const command = `npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  if (recovery) {
    const meta = { command, seconds, quick: args.quick, reps: config.reps, config: recovery };
    log(`recovery: ${await recoveryRun.recoveryReport(outDir, machine, meta)}`);
  }
  if (manyConfig) {
    const meta = { command, seconds, quick: args.quick, reps: config.reps };
    const labels = new Map(SERVERS.map((s) => [s.name, s.label]));
    log(`connections: ${await many.connectionsReport(outDir, machine, meta, manyConfig, labels)}`);
  }
  if (perServer || onRedis || scenarios.has('side-by-side')) {
    await writeReport(outDir, results, machine, {
      command,
      seconds,
      quick: args.quick,
      config,
      servers: servers.map((s) => ({ name: s.name, label: s.label })),
    });
    log(`results: ${outDir}/results.md`);
  }
  for (const failure of failures) console.error(`FAILED ${failure}`);
}

await main();
