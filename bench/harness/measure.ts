/**
 * Measured windows: the servers' CPU time (over IPC) and the generator's around a window of
 * load, what other processes on the machine used meanwhile, and the numbers a throughput
 * scenario reports.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Stats } from '../servers/common.js';
import type { Histogram } from './histogram.js';
import type { ServerProcess } from './servers.js';

/** One measured window of a throughput scenario. */
export interface Throughput {
  /** Operations (replies, deliveries, handshakes) per second. */
  rate: number;
  /** Latency quantiles in milliseconds. */
  p50: number;
  p99: number;
  /** Server CPU time (user + system) per operation, microseconds. */
  cpuPerOp: number;
  /** Server CPU use during the window, in cores (1 = one core busy). */
  serverCpu: number;
  /** Load generator CPU use during the window, in cores. */
  genCpu: number;
  /** CPU other processes on the machine used during the window, in cores. */
  foreignCpu: number;
  ops: number;
  errors: number;
}

export interface Memory {
  /** Resident memory per connection, bytes (RSS after GC, with minus without). */
  rssPerConn: number;
  /** JS heap per connection, bytes. */
  heapPerConn: number;
  connections: number;
}

export interface Timing {
  warmupMs: number;
  measureMs: number;
  /** Windows measured at most while other processes load the machine (1: never again). */
  attempts: number;
  /** How long to wait, before a window, for other processes to calm down (0: not at all). */
  quietWaitMs: number;
  /** When set: .cpuprofile paths, one per server, of the measured window. */
  profile?: string[];
  /** Called right before and right after each measured window (e.g. Redis INFO snapshots). */
  probe?: { start(): Promise<void>; stop(): Promise<void> };
}

export interface Window {
  seconds: number;
  serverCpuUs: number;
  /** The servers' own wall time between their two samples (their event loop may lag ours). */
  serverSeconds: number;
  genCpuUs: number;
  /** CPU (in cores) that processes other than the server(s) and the generator used meanwhile. */
  foreignCpu: number;
}

/** A window, its operations, and each server's stats at its start and at its end. */
export interface Measured {
  window: Window;
  ops: number;
  before: Stats[];
  after: Stats[];
}

/** Busy time of every core (user + nice + system + steal), in microseconds, from /proc/stat. */
function machineBusyUs(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const [, user, nice, system, , , , , steal] = line.trim().split(/\s+/).map(Number);
    return (user! + nice! + system! + (steal ?? 0)) * 10_000;
  } catch {
    return NaN;
  }
}

/** Retry a window when other processes took more than this share of a core meanwhile. */
const FOREIGN_CPU_LIMIT = 0.1;

/**
 * Waits (at most `timing.quietWaitMs`) until, over a 300 ms probe, processes other than the
 * servers and the generator use less than a tenth of a core.
 */
export async function waitQuiet(servers: ServerProcess[], timing: Timing): Promise<void> {
  const deadline = performance.now() + timing.quietWaitMs;
  let waited = false;
  while (performance.now() < deadline) {
    const before = await Promise.all(servers.map((s) => s.stats()));
    const gen = process.cpuUsage();
    const busy = machineBusyUs();
    const t0 = performance.now();
    await sleep(300);
    const seconds = (performance.now() - t0) / 1000;
    const genCpu = process.cpuUsage(gen);
    const busyUs = machineBusyUs() - busy;
    const after = await Promise.all(servers.map((s) => s.stats()));
    let ours = genCpu.user + genCpu.system;
    for (let i = 0; i < servers.length; i++) ours += after[i]!.cpu - before[i]!.cpu;
    if (!((busyUs - ours) / 1e6 / seconds > FOREIGN_CPU_LIMIT)) break;
    if (!waited) console.warn('    other processes are busy: waiting for a quieter machine');
    waited = true;
  }
}

/**
 * One measured window: `begin()` starts counting, `end()` stops and returns the operations.
 * The load itself runs before and after. A window during which other processes on the machine
 * used more than a tenth of a core is measured again (up to `timing.attempts` windows in all),
 * unless `noRetry`.
 */
export async function measure(
  servers: ServerProcess[],
  timing: Timing,
  begin: () => void,
  end: () => number,
  noRetry = false,
): Promise<Measured> {
  for (let attempt = 1; ; attempt++) {
    if (timing.quietWaitMs > 0 && !noRetry) await waitQuiet(servers, timing);
    if (timing.profile) await Promise.all(servers.map((s) => s.request('profile-start')));
    await timing.probe?.start();
    const before = await Promise.all(servers.map((s) => s.stats()));
    const gen = process.cpuUsage();
    const busy = machineBusyUs();
    const t0 = performance.now();
    begin();
    await sleep(timing.measureMs);
    const ops = end();
    const seconds = (performance.now() - t0) / 1000;
    const genCpu = process.cpuUsage(gen);
    const busyUs = machineBusyUs() - busy;
    const after = await Promise.all(servers.map((s) => s.stats()));
    await timing.probe?.stop();
    if (timing.profile) {
      await Promise.all(
        servers.map((s, i) => s.request('profile-stop', { file: timing.profile![i] })),
      );
    }
    let serverCpuUs = 0;
    let serverSeconds = 0;
    for (let i = 0; i < servers.length; i++) {
      serverCpuUs += after[i]!.cpu - before[i]!.cpu;
      serverSeconds = Math.max(serverSeconds, (after[i]!.at - before[i]!.at) / 1e6);
    }
    const genCpuUs = genCpu.user + genCpu.system;
    const foreignCpu = Math.max(0, busyUs - serverCpuUs - genCpuUs) / 1e6 / seconds;
    const window = { seconds, serverCpuUs, serverSeconds, genCpuUs, foreignCpu: foreignCpu || 0 };
    if (noRetry || !(foreignCpu > FOREIGN_CPU_LIMIT) || attempt >= timing.attempts) {
      return { window, ops, before, after };
    }
    console.warn(
      `    other processes used ${Math.round(foreignCpu * 100)}% of a core: measuring again`,
    );
    await sleep(1000);
  }
}

export function throughput(
  window: Window,
  ops: number,
  histogram: Histogram,
  errors = 0,
): Throughput {
  return {
    rate: ops / window.seconds,
    p50: histogram.quantile(0.5) / 1000,
    p99: histogram.quantile(0.99) / 1000,
    cpuPerOp: ops > 0 ? window.serverCpuUs / ops : NaN,
    serverCpu: window.serverCpuUs / 1e6 / window.serverSeconds,
    genCpu: window.genCpuUs / 1e6 / window.seconds,
    foreignCpu: window.foreignCpu,
    ops,
    errors,
  };
}
