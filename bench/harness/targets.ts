/**
 * The targets of nestjs-realtime (issue 16), as ratios to `raw-ws-batched` measured in the same
 * run: raw `ws` sending the frames of one event-loop turn in one write per socket, as the module
 * does. Plain raw `ws` (a syscall per frame) measures the cork, not the floor.
 */
import { count, median, x, type Medians, type Results } from './format.js';
import type { Memory, Throughput } from './scenarios.js';

/** The two raw `ws` rows every ratio is reported against; the floor is the batched one. */
export const RAW = 'raw-ws';
export const FLOOR = 'raw-ws-batched';
export const BASES: [string, string][] = [
  [RAW, 'raw ws'],
  [FLOOR, 'batched'],
];

export interface Target {
  text: string;
  /** The ratio the target is about (throughput, or memory). */
  measured: string;
  /** The same comparison by server CPU time per operation (throughput targets only). */
  byCpu: string;
  /** Server CPU per operation, the module's and the base's (µs), where there is one. */
  cpu: string;
  met: boolean | undefined;
  /** The median over the side-by-side rounds (throughput / CPU), where the run had them. */
  sideBySide: string;
  /** The verdict by the side-by-side ratio of CPU per operation; undefined where none. */
  metSideBySide: boolean | undefined;
}

/** What a target compares, for the report and the chart: [scenario, server, base, goal]. */
export interface Goal {
  scenario: string;
  server: string;
  base: string;
  ratio: number;
  atMost?: boolean;
  text: string;
}

export function goals(broadcastSizes: number[]): Goal[] {
  const out: Goal[] = [
    { scenario: 'reqrep', server: 'realtime', base: FLOOR, ratio: 0.85, text: 'request/reply' },
    {
      scenario: 'reqrep',
      server: 'realtime-dto',
      base: FLOOR,
      ratio: 0.7,
      text: 'request/reply with a class-validator DTO',
    },
  ];
  for (const size of [...broadcastSizes].sort((a, b) => a - b)) {
    const scenario = `broadcast-${size}`;
    const text = `room broadcast to ${count(size)}`;
    out.push({ scenario, server: 'realtime', base: FLOOR, ratio: 0.95, text });
  }
  out.push(
    { scenario: 'handshakes', server: 'realtime', base: FLOOR, ratio: 0.9, text: 'handshakes' },
    {
      scenario: 'memory',
      server: 'realtime',
      base: FLOOR,
      ratio: 1.1,
      atMost: true,
      text: 'memory per idle connection',
    },
    {
      scenario: 'reqrep',
      server: 'realtime-metrics',
      base: 'realtime',
      ratio: 0.95,
      text: 'request/reply with metrics on (vs off)',
    },
    { scenario: 'reqrep', server: 'realtime', base: 'nest-ws', ratio: 1.5, text: 'request/reply' },
    {
      scenario: 'reqrep',
      server: 'realtime',
      base: 'socketio',
      ratio: 1.5,
      text: 'request/reply',
    },
  );
  return out;
}

const LABELS: Record<string, string> = {
  [FLOOR]: 'raw ws, batched',
  'nest-ws': 'Nest WsAdapter',
  socketio: 'Socket.IO',
  realtime: 'nestjs-realtime (metrics off)',
};

export function targets(m: Medians, broadcastSizes: number[], results: Results = {}): Target[] {
  return goals(broadcastSizes).map((goal) => {
    const row = m[goal.scenario]?.[goal.server];
    const ref = m[goal.scenario]?.[goal.base];
    let value: number;
    let byCpu = NaN;
    let cpu = '–';
    if (goal.scenario === 'memory') {
      value = ((row as Memory)?.rssPerConn ?? NaN) / ((ref as Memory)?.rssPerConn ?? NaN);
    } else {
      const [t, b] = [row as Throughput | undefined, ref as Throughput | undefined];
      value = (t?.rate ?? NaN) / (b?.rate ?? NaN);
      byCpu = (b?.cpuPerOp ?? NaN) / (t?.cpuPerOp ?? NaN);
      if (t && b) cpu = `${t.cpuPerOp.toFixed(1)} vs ${b.cpuPerOp.toFixed(1)}`;
    }
    const met = !Number.isFinite(value)
      ? undefined
      : goal.atMost
        ? value <= goal.ratio
        : value >= goal.ratio;
    const text = `${goal.text} ${goal.atMost ? '≤' : '≥'} ${goal.ratio}× ${LABELS[goal.base] ?? goal.base}`;
    const rounds = roundRatios(results, `side-by-side-${goal.scenario}`, goal.server, goal.base);
    const [byRate, byCpuRounds] = [0, 1].map((i) => median(rounds.map((r) => r[i])));
    // Side by side, the servers share the core: CPU per operation is the ratio that counts.
    const sideBySide =
      rounds.length > 0 ? `${x(byRate!)} / ${x(byCpuRounds!)} (${rounds.length} rounds)` : '–';
    const metSideBySide = rounds.length > 0 ? byCpuRounds! >= goal.ratio : undefined;
    return { text, measured: x(value), byCpu: x(byCpu), cpu, met, sideBySide, metSideBySide };
  });
}

/** Per round, `server` against the floor: [throughput ratio, ratio of CPU per operation]. */
export function roundRatios(
  results: Results,
  scenario: string,
  server: string,
  against = FLOOR,
): number[][] {
  const rows = (results[scenario]?.[server] ?? []) as Throughput[];
  const base = (results[scenario]?.[against] ?? []) as Throughput[];
  return rows
    .map((row, i) => [row.rate / (base[i]?.rate ?? NaN), (base[i]?.cpuPerOp ?? NaN) / row.cpuPerOp])
    .filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
}
