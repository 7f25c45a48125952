/** results.json, results.md and chart.svg from the repetitions of one run. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Memory, Throughput } from './scenarios.js';
import { GENERATOR_CORE, SERVER_CORE } from './servers.js';

export type Results = Record<string, Record<string, (Throughput | Memory)[]>>;

export interface Meta {
  command: string;
  seconds: number;
  quick: boolean;
  config: {
    reps: number;
    reqrep: { connections: number; inFlight: number };
    broadcastSizes: number[];
    broadcastWindow: number;
    memoryConnections: number;
    handshakeConcurrency: number;
    redisSubscribers: number;
    timing: { warmupMs: number; measureMs: number; attempts: number; quietWaitMs: number };
  };
  servers: { name: string; label: string }[];
}

export interface Machine {
  date: string;
  cpu: string;
  cores: number;
  pinned: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  redis: string | undefined;
  commit: string;
  versions: Record<string, string>;
}

const PACKAGES = [
  'ws',
  '@nestjs/core',
  '@nestjs/websockets',
  '@nestjs/platform-ws',
  '@nestjs/platform-socket.io',
  'socket.io',
  'engine.io',
  'class-validator',
  'class-transformer',
  'jsonwebtoken',
  'ioredis',
  'rxjs',
];

function git(root: string, ...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

export function collectMachine(root: string, redis: string | undefined, pinned: boolean): Machine {
  const versions: Record<string, string> = {};
  for (const name of PACKAGES) {
    try {
      const file = join(root, 'node_modules', name, 'package.json');
      versions[name] = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    } catch {
      versions[name] = 'missing';
    }
  }
  const sha = git(root, 'rev-parse', '--short', 'HEAD') || 'unknown';
  const dirty = git(root, 'status', '--porcelain', '--', 'src').length > 0;
  return {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    pinned: pinned
      ? `generator on core ${GENERATOR_CORE}, servers on core ${SERVER_CORE} (taskset)`
      : 'not pinned (taskset or a second core missing)',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: `Linux ${release()}`,
    node: process.version,
    redis,
    commit: `${sha}${dirty ? ' + uncommitted changes in src/' : ''}`,
    versions,
  };
}

function median(values: number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The median of every field over the repetitions. */
function medians<T extends object>(runs: T[]): T {
  const out: Record<string, number> = {};
  for (const key of Object.keys(runs[0]!)) {
    out[key] = median(runs.map((r) => (r as Record<string, number>)[key]!));
  }
  return out as T;
}

type Medians = Record<string, Record<string, Throughput | Memory>>;

function allMedians(results: Results): Medians {
  const out: Medians = {};
  for (const [scenario, byServer] of Object.entries(results)) {
    out[scenario] = {};
    for (const [server, runs] of Object.entries(byServer)) out[scenario][server] = medians(runs);
  }
  return out;
}

const rate = (v: number): string =>
  Number.isNaN(v)
    ? '–'
    : v >= 1e6
      ? `${(v / 1e6).toFixed(2)}M`
      : v >= 1e4
        ? `${(v / 1e3).toFixed(1)}k`
        : v >= 1e3
          ? `${(v / 1e3).toFixed(2)}k`
          : v.toFixed(0);
const ms = (v: number): string => (Number.isNaN(v) ? '–' : v < 10 ? v.toFixed(2) : v.toFixed(1));
const x = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '–');
const pct = (v: number): string => `${Math.round(v * 100)}%`;
const kb = (v: number): string => (v / 1024).toFixed(1);

export interface Target {
  text: string;
  /** The ratio the target is about (throughput, or memory). */
  measured: string;
  /** The same comparison by server CPU time per operation (throughput targets only). */
  byCpu: string;
  met: boolean | undefined;
}

const count = (n: number): string => n.toLocaleString('en').replace(/,/g, ' ');

/** [scenario key, title, unit] of the throughput scenarios, in report order. */
function throughputScenarios(meta: Meta): [string, string, string][] {
  const sizes = [...meta.config.broadcastSizes].sort((a, b) => a - b);
  return [
    ['reqrep', 'Request/reply', 'replies/s'],
    ...sizes.map<[string, string, string]>((size) => [
      `broadcast-${size}`,
      `Room broadcast, ${count(size)} subscribers`,
      'deliveries/s',
    ]),
    ['handshakes', 'Handshakes (same HS256 JWT verified by every server)', 'connections/s'],
    ['redis', 'Room broadcast over Redis, two instances', 'deliveries/s'],
  ];
}

function targets(m: Medians, meta: Meta): Target[] {
  const out: Target[] = [];
  const t = (scenario: string, server: string): Throughput | undefined =>
    m[scenario]?.[server] as Throughput | undefined;
  const ratio = (scenario: string, server: string, base: string): [number, number] => [
    (t(scenario, server)?.rate ?? NaN) / (t(scenario, base)?.rate ?? NaN),
    (t(scenario, base)?.cpuPerOp ?? NaN) / (t(scenario, server)?.cpuPerOp ?? NaN),
  ];
  const add = (text: string, [value, cpu]: [number, number], goal: number, atMost = false) => {
    const met = !Number.isFinite(value) ? undefined : atMost ? value <= goal : value >= goal;
    out.push({ text, measured: x(value), byCpu: x(cpu), met });
  };
  add('request/reply ≥ 0.9× raw ws', ratio('reqrep', 'realtime', 'raw-ws'), 0.9);
  add('request/reply ≥ 1.5× Nest WsAdapter', ratio('reqrep', 'realtime', 'nest-ws'), 1.5);
  add('request/reply with a DTO ≥ 0.75× raw ws', ratio('reqrep', 'realtime-dto', 'raw-ws'), 0.75);
  for (const size of [...meta.config.broadcastSizes].sort((a, b) => a - b)) {
    add(
      `broadcast to ${count(size)} ≥ 0.9× raw ws`,
      ratio(`broadcast-${size}`, 'realtime', 'raw-ws'),
      0.9,
    );
  }
  const mem = (server: string): number =>
    (m['memory']?.[server] as Memory | undefined)?.rssPerConn ?? NaN;
  add('memory per connection ≤ 1.25× raw ws', [mem('realtime') / mem('raw-ws'), NaN], 1.25, true);
  add('handshakes ≥ 0.8× raw ws', ratio('handshakes', 'realtime', 'raw-ws'), 0.8);
  return out;
}

/** Half the range over the repetitions, relative to the median: `±7%` (empty for one run). */
function spread(results: Results, scenario: string, server: string, key: string): string {
  const values = (results[scenario]?.[server] ?? []).map(
    (r) => (r as unknown as Record<string, number>)[key]!,
  );
  if (values.length < 2) return '';
  const mid = median(values);
  return ` ±${Math.round(((Math.max(...values) - Math.min(...values)) / 2 / mid) * 100)}%`;
}

function markdown(
  m: Medians,
  results: Results,
  machine: Machine,
  meta: Meta,
  extras: string[],
): string {
  const label = new Map(meta.servers.map((s) => [s.name, s.label]));
  const c = meta.config;
  const lines: string[] = [];
  lines.push('# Benchmark results', '');
  lines.push(
    `${meta.quick ? '**Smoke run (`--quick`): tiny loads, numbers mean nothing.** ' : ''}` +
      `${machine.date}, \`${meta.command}\`, ` +
      `${c.reps > 1 ? `${c.reps} repetitions (medians)` : '1 repetition'}, ` +
      `${Math.round(meta.seconds / 60)} min. Method and how to read this: ` +
      '[bench/README.md](../README.md). In short: a throughput ratio means something when the ' +
      "server's CPU is near 100% (it is then the bottleneck); the ratio of server CPU time per " +
      'operation stays honest when it is not.',
    '',
  );
  if (extras.length > 0) lines.push(`See also: ${extras.join(', ')}.`, '');
  lines.push('## Summary: ratio to raw `ws` in the same run', '');
  const base = (scenario: string): Throughput | undefined =>
    m[scenario]?.['raw-ws'] as Throughput | undefined;
  const cols = throughputScenarios(meta).filter(([s]) => s !== 'redis' && m[s]);
  const memCol = m['memory'] ? ' memory per connection |' : '';
  lines.push(
    `| server | ${cols.map(([, title]) => title.replace(/ \(.*\)/, '')).join(' | ')} |${memCol}`,
  );
  lines.push(`| --- | ${cols.map(() => '---:').join(' | ')} |${memCol ? ' ---: |' : ''}`);
  for (const { name } of meta.servers) {
    const cells = cols.map(([s]) => {
      const row = m[s]?.[name] as Throughput | undefined;
      if (!row) return '–';
      return `${rate(row.rate)}/s (${x(row.rate / (base(s)?.rate ?? NaN))})`;
    });
    const mem = m['memory']?.[name] as Memory | undefined;
    const rawMem = m['memory']?.['raw-ws'] as Memory | undefined;
    const memCell = mem
      ? `${kb(mem.rssPerConn)} KB (${x(mem.rssPerConn / (rawMem?.rssPerConn ?? NaN))})`
      : '–';
    lines.push(`| ${label.get(name)} | ${cells.join(' | ')} |${memCol ? ` ${memCell} |` : ''}`);
  }
  lines.push('', '![Benchmark chart](chart.svg)', '');
  lines.push('## Targets (nestjs-realtime, ratios measured in this run)', '');
  lines.push('| target | measured | by server CPU per op | met |', '| --- | ---: | ---: | :---: |');
  for (const target of targets(m, meta)) {
    const met = target.met === undefined ? 'not run' : target.met ? 'yes' : '**no**';
    lines.push(`| ${target.text} | ${target.measured} | ${target.byCpu} | ${met} |`);
  }
  lines.push('');
  for (const [scenario, title, unit] of throughputScenarios(meta)) {
    const rows = m[scenario];
    if (!rows) continue;
    lines.push(`## ${title}`, '');
    lines.push(
      describe(scenario, meta) + (c.reps > 1 ? ' `±`: half the range over the repetitions.' : ''),
      '',
    );
    lines.push(
      `| server | ${unit} | × raw ws | p50 ms | p99 ms | server µs/op | × raw ws (CPU) | server CPU | generator CPU | other processes |`,
    );
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const [name, value] of Object.entries(rows)) {
      const row = value as Throughput;
      const ref = base(scenario);
      const errors = row.errors > 0 ? ` (${Math.round(row.errors)} errors)` : '';
      lines.push(
        `| ${label.get(name)}${scenario === 'redis' ? ' + Redis' : ''} | ${rate(row.rate)}${spread(results, scenario, name, 'rate')}${errors} | ${x(row.rate / (ref?.rate ?? NaN))} | ${ms(row.p50)} | ${ms(row.p99)} | ${row.cpuPerOp.toFixed(1)} | ${x((ref?.cpuPerOp ?? NaN) / row.cpuPerOp)} | ${pct(row.serverCpu)} | ${pct(row.genCpu)} | ${pct(row.foreignCpu)} |`,
      );
    }
    lines.push('');
  }
  if (m['memory']) {
    lines.push(`## Memory: ${count(c.memoryConnections)} idle authenticated connections`, '');
    lines.push(
      'Resident set size (after forced GCs) with the connections open, minus before they were opened, divided by their number; the JS heap part alone in the last column. `±`: half the range over the repetitions.',
      '',
    );
    lines.push('| server | RSS per connection | × raw ws | heap per connection |');
    lines.push('| --- | ---: | ---: | ---: |');
    const ref = m['memory']['raw-ws'] as Memory | undefined;
    for (const [name, value] of Object.entries(m['memory'])) {
      const row = value as Memory;
      lines.push(
        `| ${label.get(name)} | ${kb(row.rssPerConn)} KB${spread(results, 'memory', name, 'rssPerConn')} | ${x(row.rssPerConn / (ref?.rssPerConn ?? NaN))} | ${kb(row.heapPerConn)} KB |`,
      );
    }
    lines.push('');
  }
  lines.push('## Machine and versions', '');
  lines.push(
    `- ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.kernel}`,
  );
  lines.push(`- ${machine.pinned}`);
  lines.push(`- Node ${machine.node}${machine.redis ? `, Redis ${machine.redis}` : ''}`);
  lines.push(`- nestjs-realtime at ${machine.commit}`);
  lines.push(
    `- ${Object.entries(machine.versions)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}`,
  );
  lines.push('', `Reproduce: \`${meta.command}\` (after \`npm ci\`; it builds what is stale).`, '');
  return lines.join('\n');
}

function describe(scenario: string, meta: Meta): string {
  const c = meta.config;
  switch (scenario) {
    case 'reqrep':
      return `${c.reqrep.connections} connections, ${c.reqrep.inFlight} requests in flight on each (a reply triggers the next request), small JSON echoed back. Latency: request written to reply read.`;
    case 'handshakes':
      return `${c.handshakeConcurrency} connections being opened at any time: TCP connect, upgrade with \`Authorization: Bearer\` (Socket.IO: and the namespace connect), then the WebSocket closing handshake. Latency: connect to usable.`;
    case 'redis':
      return `Two instances of each server (both on the server core) on one Redis, ${count(c.redisSubscribers)} subscribers alternating between them, the publisher on the first; raw ws publishes the frame on a Redis channel as nestjs-realtime does. CPU is both instances together.`;
    default:
      return `One publisher (not a member) asks the server to push a message with its send time to the room, at most ${c.broadcastWindow} broadcasts in flight. Latency: publish written to delivery read.`;
  }
}

// ----- chart -----

const COLORS: Record<string, string> = {
  'raw-ws': '#6b7280',
  'nest-ws': '#e0234e',
  socketio: '#2563eb',
  'nest-socketio': '#7c3aed',
  realtime: '#10b981',
  'realtime-dto': '#047857',
};

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

interface Panel {
  title: string;
  rows: { name: string; label: string; value: number }[];
  format: (v: number) => string;
  /** Where a target for nestjs-realtime sits (absolute value), if any. */
  targets: { value: number; label: string }[];
  lowerIsBetter?: boolean;
}

function chart(m: Medians, meta: Meta): string {
  const labels = new Map(meta.servers.map((s) => [s.name, s.label]));
  const panels: Panel[] = [];
  const fmtRate = (v: number): string => `${rate(v)}/s`;
  const add = (scenario: string, title: string, goals: [string, number, string][]): void => {
    const rows = m[scenario];
    if (!rows) return;
    panels.push({
      title,
      rows: Object.entries(rows).map(([name, v]) => ({
        name,
        label: labels.get(name)! + (scenario === 'redis' ? ' + Redis' : ''),
        value: (v as Throughput).rate,
      })),
      format: fmtRate,
      targets: goals.map(([base, ratio, text]) => ({
        value: ((m[scenario]?.[base] as Throughput | undefined)?.rate ?? NaN) * ratio,
        label: `target ${text}`,
      })),
    });
  };
  add('reqrep', 'Request/reply (replies/s)', [['raw-ws', 0.9, '0.9× ws']]);
  for (const size of [...meta.config.broadcastSizes].sort((a, b) => a - b)) {
    add(`broadcast-${size}`, `Broadcast to ${count(size)} (deliveries/s)`, [
      ['raw-ws', 0.9, '0.9× ws'],
    ]);
  }
  add('handshakes', 'Handshakes with JWT (connections/s)', [['raw-ws', 0.8, '0.8× ws']]);
  if (m['memory']) {
    const rows = Object.entries(m['memory']).map(([name, v]) => ({
      name,
      label: labels.get(name)!,
      value: (v as Memory).rssPerConn / 1024,
    }));
    const raw = (m['memory']['raw-ws'] as Memory | undefined)?.rssPerConn ?? NaN;
    panels.push({
      title: 'Memory per idle connection (KB RSS, lower is better)',
      rows,
      format: (v) => `${v.toFixed(1)} KB`,
      targets: [{ value: (raw / 1024) * 1.25, label: 'target 1.25× ws' }],
      lowerIsBetter: true,
    });
  }
  add('redis', 'Broadcast over Redis, 2 instances (deliveries/s)', []);

  const panelWidth = 520;
  const labelWidth = 160;
  const barWidth = 250;
  const rowHeight = 22;
  const columns = 2;
  const heights = panels.map((p) => 44 + p.rows.length * rowHeight + 10);
  const rowsOfPanels = Math.ceil(panels.length / columns);
  const rowHeights = Array.from({ length: rowsOfPanels }, (_, r) =>
    Math.max(...heights.slice(r * columns, r * columns + columns)),
  );
  const top = 56;
  const width = panelWidth * columns + 20;
  const height = top + rowHeights.reduce((a, b) => a + b, 0) + 10;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="14" y="24" font-size="16" font-weight="bold">nestjs-realtime vs raw ws, stock Nest and Socket.IO (${meta.config.reps > 1 ? `medians of ${meta.config.reps} runs` : 'one run'}, same machine, same run)</text>`,
    `<text x="14" y="43" fill="#555">Bars: absolute values; label: value and ratio to raw ws. Dashed line: the nestjs-realtime target.</text>`,
  );
  let y = top;
  panels.forEach((panel, i) => {
    const column = i % columns;
    if (column === 0 && i > 0) y += rowHeights[Math.floor(i / columns) - 1]!;
    const x0 = 10 + column * panelWidth;
    const max =
      Math.max(...panel.rows.map((r) => r.value), ...panel.targets.map((t) => t.value)) || 1;
    const raw = panel.rows.find((r) => r.name === 'raw-ws')?.value ?? NaN;
    out.push(
      `<rect x="${x0}" y="${y}" width="${panelWidth - 10}" height="${heights[i]! - 6}" fill="#f9fafb" stroke="#e5e7eb"/>`,
      `<text x="${x0 + 10}" y="${y + 22}" font-size="13" font-weight="bold">${escape(panel.title)}</text>`,
    );
    for (const target of panel.targets) {
      if (!Number.isFinite(target.value)) continue;
      const tx = x0 + labelWidth + 8 + (target.value / max) * barWidth;
      const y1 = y + 32;
      const y2 = y + 36 + panel.rows.length * rowHeight;
      out.push(
        `<line x1="${tx.toFixed(1)}" y1="${y1}" x2="${tx.toFixed(1)}" y2="${y2}" stroke="#111" stroke-dasharray="4 3"/>`,
        `<text x="${(tx + 3).toFixed(1)}" y="${y1 + 2}" font-size="10" fill="#111">${escape(target.label)}</text>`,
      );
    }
    panel.rows.forEach((row, j) => {
      const ry = y + 36 + j * rowHeight;
      const w = Number.isFinite(row.value) ? (row.value / max) * barWidth : 0;
      const ratio = row.value / raw;
      const text = `${panel.format(row.value)}${Number.isFinite(ratio) && row.name !== 'raw-ws' ? `  ${ratio.toFixed(2)}×` : ''}`;
      out.push(
        `<text x="${x0 + labelWidth}" y="${ry + 14}" text-anchor="end">${escape(row.label)}</text>`,
        `<rect x="${x0 + labelWidth + 8}" y="${ry + 3}" width="${w.toFixed(1)}" height="${rowHeight - 7}" fill="${COLORS[row.name] ?? '#999'}"/>`,
        `<text x="${x0 + labelWidth + 14 + w}" y="${ry + 14}" fill="#111" stroke="#f9fafb" stroke-width="3" paint-order="stroke">${escape(text)}</text>`,
      );
    });
  });
  out.push('</svg>', '');
  return out.join('\n');
}

/** Writes a text file formatted as the project's Prettier would (so `npm run lint` passes). */
export async function writeFormatted(file: string, text: string): Promise<void> {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(file, await prettier.format(text, { ...options, filepath: file }));
}

export async function writeReport(
  outDir: string,
  results: Results,
  machine: Machine,
  meta: Meta,
): Promise<void> {
  const m = allMedians(results);
  const json = { meta, machine, medians: m, targets: targets(m, meta), runs: results };
  await writeFormatted(join(outDir, 'results.json'), JSON.stringify(json, null, 2));
  const extras = [
    ['findings.md', 'findings and hot-path analysis'],
    ['profiles.md', 'CPU profiles of the measured windows'],
  ]
    .filter(([file]) => existsSync(join(outDir, file!)))
    .map(([file, text]) => `[${text}](${file})`);
  await writeFormatted(join(outDir, 'results.md'), markdown(m, results, machine, meta, extras));
  writeFileSync(join(outDir, 'chart.svg'), chart(m, meta));
}
