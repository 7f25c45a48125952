/**
 * The `recovery` scenario: what missed-message recovery's history costs. Room broadcast with
 * recovery off (the baseline) and with in-process history of 100 and 1 000 entries per stream,
 * the servers interleaved in every repetition; then the heap each kept entry takes. The Redis
 * half (recovery-redis.ts) runs when the package has a Redis stream log.
 */
import { Conn, openMany, type Target } from './client.js';
import type { Results } from './format.js';
import { broadcast, joinRoom, type Throughput, type Timing } from './scenarios.js';
import { ServerProcess, type ServerSpec } from './servers.js';
import { REALTIME_ENVELOPE, upgradeRequest } from './wire.js';
import type { HistoryFill, RecoveryInfo } from '../servers/realtime-history.js';

/** recovery off, then in-process history of 100 and 1 000 entries per stream. */
export const RECOVERY_SPECS: ServerSpec[] = [
  { name: 'realtime', label: 'recovery off', file: 'realtime.js', dialect: REALTIME_ENVELOPE },
  {
    name: 'realtime-h100',
    label: 'in-process history, 100 per stream',
    file: 'realtime.js',
    dialect: REALTIME_ENVELOPE,
    env: { BENCH_RECOVERY: '100' },
  },
  {
    name: 'realtime-h1000',
    label: 'in-process history, 1 000 per stream',
    file: 'realtime.js',
    dialect: REALTIME_ENVELOPE,
    env: { BENCH_RECOVERY: '1000' },
  },
];

/** What the recovery scenario measures, full run or `--quick`. */
export interface RecoveryConfig {
  broadcastSizes: number[];
  /** History entries kept in the memory measurement (pushes per room = the history size). */
  entries: number;
  /** Redis: instance counts of the scaleout layouts, subscribers per instance, entries kept. */
  redis: { instances: number[]; subscribers: number; entries: number };
}

export const RECOVERY_FULL: RecoveryConfig = {
  broadcastSizes: [10_000, 1_000],
  entries: 100_000,
  redis: { instances: [1, 2], subscribers: 100, entries: 20_000 },
};

export const RECOVERY_QUICK: RecoveryConfig = {
  broadcastSizes: [50],
  entries: 2_000,
  redis: { instances: [1], subscribers: 10, entries: 1_000 },
};

/** Heap taken by kept history entries (recovery off: the same pushes, nothing kept). */
export interface HistoryMemory {
  /** Entries asked to be kept (pushes to rooms nobody is in, at most the history size each). */
  entries: number;
  appended: number;
  /** JS heap after forced GCs, with the entries minus without, per entry (bytes). */
  heapPerEntry: number;
  rssPerEntry: number;
  plainFrame: number;
  positionedFrame: number;
  /** How long the pushes took in the server, ms (not a throughput figure: no sockets). */
  fillMs: number;
}

export interface RecoveryContext {
  env: Record<string, string>;
  nodeFlags: string[];
  token: string;
  inFlight: number;
  timing: (server: string, scenario: string, count?: number) => Timing;
  record: (scenario: string, server: string, value: object) => void;
  log: (line: string) => void;
  fmt: (t: Throughput) => string;
}

/** Where the recovery scenario puts its repetitions (apart from the main report's). */
export const recoveryResults: Results = {};

export function recordRecovery(scenario: string, server: string, value: object): void {
  ((recoveryResults[scenario] ??= {})[server] ??= []).push(value as Results[string][string][0]);
}

/** Pushes to fresh rooms until `entries` are kept; heap and RSS per entry after forced GCs. */
export async function historyMemory(
  server: ServerProcess,
  entries: number,
  size: number,
  prefix: string,
): Promise<HistoryMemory> {
  const pushes = Math.min(size, entries);
  const rooms = Math.ceil(entries / pushes);
  const before = await server.gc();
  const t0 = performance.now();
  const fill = await server.request<HistoryFill>(
    'fill-history',
    { rooms, pushes, prefix, batch: 1000 },
    120_000,
  );
  const fillMs = performance.now() - t0;
  const after = await server.gc();
  const kept = rooms * pushes;
  return {
    entries: kept,
    appended: fill.appended,
    heapPerEntry: (after.heapUsed - before.heapUsed) / kept,
    rssPerEntry: (after.rss - before.rss) / kept,
    plainFrame: fill.plainFrame,
    positionedFrame: fill.positionedFrame,
    fillMs,
  };
}

/** One server of the in-process half: broadcasts (largest room first), then memory per entry. */
async function inProcess(ctx: RecoveryContext, spec: ServerSpec, config: RecoveryConfig) {
  const server = await ServerProcess.start(spec, ctx.env, ctx.nodeFlags);
  try {
    const info = await server.request<RecoveryInfo>('recovery-info');
    if (info.recovery !== !!spec.env?.['BENCH_RECOVERY']) {
      throw new Error(`${spec.name}: recovery is ${info.recovery ? 'on' : 'off'}, not as asked`);
    }
    const target: Target = {
      port: server.port,
      dialect: spec.dialect,
      upgrade: upgradeRequest(spec.dialect, server.port, ctx.token),
    };
    const sizes = [...config.broadcastSizes].sort((a, b) => b - a);
    const conns = await openMany(target, sizes[0]!, 200);
    await server.waitConnections(sizes[0]!);
    const publisher = await Conn.open(target);
    await joinRoom(conns, spec.dialect);
    for (const size of sizes) {
      for (const conn of conns.slice(size)) conn.reset();
      await server.waitConnections(size + 1);
      const scenario = `recovery-broadcast-${size}`;
      const t = await broadcast(
        [server],
        conns.slice(0, size),
        publisher,
        spec.dialect,
        ctx.inFlight,
        ctx.timing(spec.name, scenario),
      );
      ctx.record(scenario, spec.name, t);
      ctx.log(`  ${spec.label}, broadcast to ${size}: ${ctx.fmt(t)}`);
    }
    for (const conn of [...conns, publisher]) conn.reset();
    await server.waitConnections(0);
    const size = Number(spec.env?.['BENCH_RECOVERY'] ?? 100);
    const m = await historyMemory(server, config.entries, size, 'mem');
    ctx.record('recovery-memory', spec.name, m);
    ctx.log(
      `  ${spec.label}, ${m.entries} entries: ${m.heapPerEntry.toFixed(0)} B heap/entry, ` +
        `frame ${m.plainFrame} -> ${m.positionedFrame} B, fill ${m.fillMs.toFixed(0)} ms`,
    );
  } finally {
    await server.stop();
  }
}

/** One repetition of the in-process half: every spec, in order (recovery off first). */
export async function recoveryRep(
  ctx: RecoveryContext,
  config: RecoveryConfig,
  attempt: (what: string, work: () => Promise<void>) => Promise<void>,
  of: string,
): Promise<void> {
  for (const spec of RECOVERY_SPECS) {
    await attempt(`${of}: recovery, ${spec.label}`, () => inProcess(ctx, spec, config));
  }
}
