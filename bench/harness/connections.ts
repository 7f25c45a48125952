/**
 * The `connections` scenario (issue 16): as many idle authenticated connections on one server
 * process as the machine allows (every process may hold 20 000 descriptors), grown in steps, the
 * load generator spread over several processes and 127.0.0.x source addresses, the heartbeat on
 * (a short interval, so it is measured). At each step: RSS per connection, the heartbeat's CPU per
 * interval, and the time and latency of a broadcast to every connection.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Conn, type Target } from './client.js';
import type { WorkerCommand, WorkerStats } from './conn-worker.js';
import { median } from './format.js';
import { ServerProcess, type ServerSpec } from './servers.js';
import { nowUs, textFrame, upgradeRequest } from './wire.js';

export interface ConnectionsConfig {
  steps: number[];
  workers: number;
  heartbeatMs: number;
  /** Heartbeat intervals in the CPU window. */
  intervals: number;
  /** Broadcasts to everyone per step (one at a time); the medians are reported. */
  broadcasts: number;
  warmConnections: number;
  settleMs: number;
}

export const CONNECTIONS_FULL: ConnectionsConfig = {
  steps: [2_500, 5_000, 10_000, 19_000],
  workers: 4,
  heartbeatMs: 5_000,
  intervals: 2,
  broadcasts: 5,
  warmConnections: 200,
  settleMs: 1_000,
};

export const CONNECTIONS_QUICK: ConnectionsConfig = {
  steps: [100, 200],
  workers: 2,
  heartbeatMs: 500,
  intervals: 2,
  broadcasts: 2,
  warmConnections: 20,
  settleMs: 50,
};

/** One step of one repetition. */
export interface ConnectionsRow {
  connections: number;
  /** Seconds to open this step's new connections (all workers at once). */
  openSeconds: number;
  rssPerConn: number;
  heapPerConn: number;
  /** Server CPU per heartbeat interval (ms), idle connections, heartbeat on. */
  heartbeatMs: number;
  /** The same per connection (µs): flat if the heartbeat is linear. */
  heartbeatUsPerConn: number;
  /** Publish to the last delivery, ms (median over the broadcasts). */
  broadcastMs: number;
  p50: number;
  p99: number;
  /** Server CPU per delivery of the broadcasts, µs. */
  cpuPerDelivery: number;
  /** Connections the server closed during the step (none expected). */
  closed: number;
}

class Worker {
  private nextId = 1;
  private readonly waiting = new Map<number, (r: { ok: boolean; result?: unknown }) => void>();
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: { id: number; ok: boolean; result?: unknown; error?: string }) => {
      const resolve = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      resolve?.(reply.ok ? reply : { ok: false, result: reply.error });
    });
  }

  static async start(): Promise<Worker> {
    const file = fileURLToPath(new URL('./conn-worker.js', import.meta.url));
    const worker = new Worker(fork(file, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    await worker.await(0);
    return worker;
  }

  async request<T>(command: Omit<WorkerCommand, 'id'>): Promise<T> {
    const id = this.nextId++;
    const reply = this.await(id);
    this.child.send({ ...command, id });
    return (await reply) as T;
  }

  stop(): void {
    this.child.kill();
  }

  private await(id: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (r) => (r.ok ? resolve(r.result) : reject(new Error(String(r.result)))));
    });
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : NaN;
}

/** One repetition on one server: every step, growing the same connections. */
export async function connectionsSuite(
  spec: ServerSpec,
  config: ConnectionsConfig,
  env: Record<string, string>,
  token: string,
  log: (line: string) => void,
): Promise<ConnectionsRow[]> {
  const heartbeat = { BENCH_HEARTBEAT_MS: String(config.heartbeatMs) };
  const server = await ServerProcess.start({ ...spec, env: { ...spec.env, ...heartbeat } }, env);
  const workers = await Promise.all(Array.from({ length: config.workers }, Worker.start));
  const dialect = spec.dialect.kind === 'sio' ? 'sio' : spec.dialect.headers ? 'realtime' : 'ws';
  const upgrade = upgradeRequest(spec.dialect, server.port, token);
  const open = (w: number, count: number): Promise<{ ms: number }> =>
    workers[w]!.request({
      cmd: 'open',
      port: server.port,
      dialect,
      upgrade: upgrade.toString('base64'),
      localAddress: `127.0.0.${2 + w}`,
      count,
    });
  const rows: ConnectionsRow[] = [];
  try {
    // Warm the connection path, so its compiled code is not counted as per-connection memory.
    await open(0, config.warmConnections);
    await workers[0]!.request({ cmd: 'close' });
    await server.waitConnections(0);
    const target: Target = { port: server.port, dialect: spec.dialect, upgrade };
    const publisher = await Conn.open(target);
    await server.waitConnections(1);
    const before = await server.gc();
    let total = 0;
    for (const step of config.steps) {
      const started = performance.now();
      const add = step - total;
      await Promise.all(
        workers.map((_, w) =>
          open(w, Math.floor(add / config.workers) + (w < add % config.workers ? 1 : 0)),
        ),
      );
      const openSeconds = (performance.now() - started) / 1000;
      total = step;
      await server.waitConnections(step + 1, 60_000);
      await sleep(config.settleMs);
      const after = await server.gc();
      // Heartbeat: server CPU over whole intervals of idle connections.
      const cpu0 = await server.stats();
      await sleep(config.heartbeatMs * config.intervals);
      const cpu1 = await server.stats();
      const heartbeatUs = (cpu1.cpu - cpu0.cpu) / config.intervals;
      const broadcast = await broadcastAll(server, workers, publisher, spec, config, step);
      const stats = await Promise.all(workers.map((w) => w.request<WorkerStats>({ cmd: 'stats' })));
      const row: ConnectionsRow = {
        connections: step,
        openSeconds,
        rssPerConn: (after.rss - before.rss) / step,
        heapPerConn: (after.heapUsed - before.heapUsed) / step,
        heartbeatMs: heartbeatUs / 1000,
        heartbeatUsPerConn: heartbeatUs / step,
        ...broadcast,
        closed: stats.reduce((sum, s) => sum + s.closed, 0),
      };
      rows.push(row);
      log(
        `  ${spec.name} ${step} connections: opened in ${openSeconds.toFixed(1)} s, ${(row.rssPerConn / 1024).toFixed(2)} KB RSS each, heartbeat ${row.heartbeatMs.toFixed(1)} ms CPU per interval, broadcast to all ${row.broadcastMs.toFixed(1)} ms (p99 ${row.p99.toFixed(1)} ms, ${row.cpuPerDelivery.toFixed(2)} µs CPU per delivery), ${row.closed} closed`,
      );
    }
    publisher.reset();
  } finally {
    await Promise.all(workers.map((w) => w.request({ cmd: 'close' }).catch(() => undefined)));
    for (const worker of workers) worker.stop();
    await server.stop();
  }
  return rows;
}

/** `config.broadcasts` broadcasts to every connection, one after the other. */
async function broadcastAll(
  server: ServerProcess,
  workers: Worker[],
  publisher: Conn,
  spec: ServerSpec,
  config: ConnectionsConfig,
  count: number,
): Promise<Pick<ConnectionsRow, 'broadcastMs' | 'p50' | 'p99' | 'cpuPerDelivery'>> {
  const times: number[] = [];
  const p50s: number[] = [];
  const p99s: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < config.broadcasts; i++) {
    await Promise.all(workers.map((w) => w.request({ cmd: 'arm' })));
    const cpu0 = await server.stats();
    publisher.send(textFrame(spec.dialect.publish('*', Math.round(nowUs()))));
    // Done when every connection has it (or after 10 s: a loss shows as a short count).
    const deadline = performance.now() + 10_000;
    let latencies: number[] = [];
    while (performance.now() < deadline) {
      await sleep(Math.max(20, count / 500));
      const parts = await Promise.all(workers.map((w) => w.request<number[]>({ cmd: 'collect' })));
      latencies = parts.flat();
      if (latencies.length >= count) break;
    }
    const cpu1 = await server.stats();
    latencies.sort((a, b) => a - b);
    times.push(latencies.length >= count ? latencies[latencies.length - 1]! / 1000 : NaN);
    p50s.push(quantile(latencies, 0.5) / 1000);
    p99s.push(quantile(latencies, 0.99) / 1000);
    cpus.push((cpu1.cpu - cpu0.cpu) / Math.max(1, latencies.length));
    await sleep(100);
  }
  return {
    broadcastMs: median(times),
    p50: median(p50s),
    p99: median(p99s),
    cpuPerDelivery: median(cpus),
  };
}
