/**
 * The `connections` scenario as main.ts runs it (never by default, never with --quick unless
 * asked): every repetition grows one server of each kind through the steps, then its own report,
 * connections.md and connections.json (results.md is left as it was).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  CONNECTIONS_FULL,
  CONNECTIONS_QUICK,
  connectionsSuite,
  type ConnectionsConfig,
  type ConnectionsRow,
} from './connections.js';
import { count, kb, known, median, ms, x } from './format.js';
import type { Machine } from './machine.js';
import { writeFormatted } from './report.js';
import { SERVERS, type ServerSpec } from './servers.js';
import { FLOOR } from './targets.js';

/** By default the module and its floor (raw ws batched, heartbeat as in ws's README). */
export const CONNECTIONS_SERVERS = [FLOOR, 'realtime'];

export const connectionsConfig = (quick: boolean): ConnectionsConfig =>
  quick ? CONNECTIONS_QUICK : CONNECTIONS_FULL;

/** Every repetition of every server: rows by step. */
const runs: Record<string, ConnectionsRow[][]> = {};

export async function connectionsRepetition(
  specs: ServerSpec[],
  config: ConnectionsConfig,
  env: Record<string, string>,
  token: string,
  attempt: (what: string, work: () => Promise<void>) => Promise<void>,
  of: string,
  log: (line: string) => void,
): Promise<void> {
  for (const spec of specs) {
    await attempt(
      `${of}: ${spec.label}, up to ${count(Math.max(...config.steps))} connections`,
      async () => {
        (runs[spec.name] ??= []).push(await connectionsSuite(spec, config, env, token, log));
      },
    );
  }
}

type Fields = Omit<ConnectionsRow, 'connections'>;

/** The median of each field over the repetitions, per step. */
function medians(reps: ConnectionsRow[][], steps: number[]): ConnectionsRow[] {
  return steps.map((step) => {
    const rows = reps.map((r) => r.find((row) => row.connections === step)).filter((r) => !!r);
    const out = { connections: step } as ConnectionsRow;
    for (const key of Object.keys(rows[0] ?? {}) as (keyof Fields)[]) {
      out[key] = median(rows.map((r) => r[key]));
    }
    return out;
  });
}

/** Least-squares line through (n, y): the value it gives at `at`, and the slope. */
function fit(points: [number, number][], at: number): { value: number; slope: number } {
  const ok = points.filter(([, y]) => known(y));
  if (ok.length < 2) return { value: NaN, slope: NaN };
  const mx = ok.reduce((s, [n]) => s + n, 0) / ok.length;
  const my = ok.reduce((s, [, y]) => s + y, 0) / ok.length;
  const sxy = ok.reduce((s, [n, y]) => s + (n - mx) * (y - my), 0);
  const sxx = ok.reduce((s, [n]) => s + (n - mx) ** 2, 0);
  const slope = sxy / sxx;
  return { value: my + slope * (at - mx), slope };
}

const EXTRAPOLATE = 100_000;

type Meta = { command: string; seconds: number; quick: boolean; reps: number };

/** `--rereport bench/results/connections.json`: rewrites connections.md next to it. */
export async function rereportConnections(file: string): Promise<string> {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as {
    meta: Meta & { config: ConnectionsConfig; labels: [string, string][] };
    machine: Machine;
    runs: typeof runs;
  };
  Object.assign(runs, saved.runs);
  const { command, seconds, quick, reps, config } = saved.meta;
  const meta = { command, seconds, quick, reps };
  const labels = new Map(SERVERS.map((s) => [s.name, s.label]));
  return connectionsReport(dirname(resolve(file)), saved.machine, meta, config, labels);
}

export async function connectionsReport(
  outDir: string,
  machine: Machine,
  meta: Meta,
  config: ConnectionsConfig,
  labels: Map<string, string>,
): Promise<string> {
  const m = Object.fromEntries(
    Object.entries(runs).map(([name, reps]) => [name, medians(reps, config.steps)]),
  );
  const lines = ['# Many connections on one process', ''];
  lines.push(
    `${meta.quick ? '**Smoke run (`--quick`): tiny loads, numbers mean nothing.** ' : ''}${machine.date}, \`${meta.command}\`, ${meta.reps > 1 ? `${meta.reps} repetitions (medians)` : '1 repetition'}, ${Math.round(meta.seconds / 60)} min. Method: [bench/README.md](../README.md#many-connections-connections).`,
    '',
    `Idle authenticated connections (each verified the HS256 JWT at its upgrade, then sends nothing but pongs) grown on one server process through ${config.steps.map(count).join(', ')}, opened by ${config.workers} generator processes from 127.0.0.2-${1 + config.workers}; the heartbeat every ${config.heartbeatMs / 1000} s (nestjs-realtime's \`heartbeatIntervalMs\`; raw ws the liveness loop of ws's README). At each step: RSS after forced GCs minus before the first connection, per connection; server CPU over ${config.intervals} heartbeat intervals of idle connections, per interval; ${config.broadcasts} broadcasts to every connection, one at a time (publish written to the last delivery read, and the latency quantiles over all deliveries; medians over the broadcasts).`,
    '',
  );
  lines.push(
    '| server | connections | opened in s | RSS per connection | RSS added per connection since the previous step | heap per connection | heartbeat CPU per interval | per connection | broadcast to all: last delivery | p50 ms | p99 ms | server CPU per broadcast | µs per delivery | closed by the server |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const [name, rows] of Object.entries(m)) {
    rows.forEach((r, i) => {
      const prev = rows[i - 1];
      const added = prev
        ? (r.rssPerConn * r.connections - prev.rssPerConn * prev.connections) /
          (r.connections - prev.connections)
        : r.rssPerConn;
      lines.push(
        `| ${labels.get(name) ?? name} | ${count(r.connections)} | ${r.openSeconds.toFixed(1)} | ${kb(r.rssPerConn)} KB | ${kb(added)} KB | ${kb(r.heapPerConn)} KB | ${ms(r.heartbeatMs)} ms | ${r.heartbeatUsPerConn.toFixed(2)} µs | ${ms(r.broadcastMs)} ms | ${ms(r.p50)} | ${ms(r.p99)} | ${ms((r.cpuPerDelivery * r.connections) / 1000)} ms | ${r.cpuPerDelivery.toFixed(2)} | ${Math.round(r.closed)} |`,
      );
    });
  }
  lines.push('', '## Ratios to raw ws batched, per step', '');
  const base = m[FLOOR];
  lines.push(
    '| server | connections | RSS per connection | heartbeat CPU per interval | broadcast to all | broadcast p99 | server CPU per broadcast |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const [name, rows] of Object.entries(m)) {
    if (name === FLOOR || !base) continue;
    rows.forEach((r, i) => {
      const b = base[i]!;
      lines.push(
        `| ${labels.get(name) ?? name} | ${count(r.connections)} | ${x(r.rssPerConn / b.rssPerConn)} | ${x(r.heartbeatMs / b.heartbeatMs)} | ${x(r.broadcastMs / b.broadcastMs)} | ${x(r.p99 / b.p99)} | ${x(r.cpuPerDelivery / b.cpuPerDelivery)} |`,
      );
    });
  }
  lines.push('', `## Extrapolated to ${count(EXTRAPOLATE)} connections`, '');
  lines.push(
    `A least-squares line through the steps, per server (the slope is the cost of one more connection). A process may hold 20 000 descriptors here, so ${count(EXTRAPOLATE)} on one process is not measured: these are the lines, valid only as long as nothing grows faster than linearly, which the per-connection columns above show or refute.`,
    '',
    '| server | RSS (MB) | per connection (KB, slope) | heartbeat CPU per interval (ms) | server CPU per broadcast to all (ms) | broadcast to all, last delivery (ms) |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const [name, rows] of Object.entries(m)) {
    const rss = fit(
      rows.map((r) => [r.connections, r.rssPerConn * r.connections]),
      EXTRAPOLATE,
    );
    const hb = fit(
      rows.map((r) => [r.connections, r.heartbeatMs]),
      EXTRAPOLATE,
    );
    const bc = fit(
      rows.map((r) => [r.connections, r.broadcastMs]),
      EXTRAPOLATE,
    );
    const cpu = fit(
      rows.map((r) => [r.connections, (r.cpuPerDelivery * r.connections) / 1000]),
      EXTRAPOLATE,
    );
    lines.push(
      `| ${labels.get(name) ?? name} | ${(rss.value / 2 ** 20).toFixed(0)} | ${kb(rss.slope)} | ${ms(hb.value)} | ${ms(cpu.value)} | ${ms(bc.value)} |`,
    );
  }
  lines.push(
    '',
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.kernel}; ${machine.pinned}; Node ${machine.node}; nestjs-realtime at ${machine.commit}.`,
    '',
  );
  await writeFormatted(join(outDir, 'connections.md'), lines.join('\n'));
  const json = { meta: { ...meta, config, labels: [...labels] }, machine, medians: m, runs };
  await writeFormatted(join(outDir, 'connections.json'), JSON.stringify(json, null, 2));
  return join(outDir, 'connections.md');
}
