/** results.json, results.md and chart.svg from the repetitions of one run. */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chart } from './chart.js';
import {
  allMedians,
  count,
  kb,
  median,
  ms,
  pct,
  rate,
  x,
  type Medians,
  type Results,
} from './format.js';
import type { Machine } from './machine.js';
import { scaleoutMarkdown } from './report-scaleout.js';
import type { Memory, Throughput } from './scenarios.js';

export type { Results } from './format.js';
export { collectMachine, type Machine } from './machine.js';

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
    /** Absent in results.json files written before the scenario existed. */
    scaleout?: { instances: number[]; subscribers: number };
    timing: { warmupMs: number; measureMs: number; attempts: number; quietWaitMs: number };
  };
  servers: { name: string; label: string }[];
}

export interface Target {
  text: string;
  /** The ratio the target is about (throughput, or memory). */
  measured: string;
  /** The same comparison by server CPU time per operation (throughput targets only). */
  byCpu: string;
  met: boolean | undefined;
}

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

/** The summary table and the chart, when the run had a scenario of one server at a time. */
function summary(m: Medians, meta: Meta, label: Map<string, string>): string[] {
  const cols = throughputScenarios(meta).filter(([s]) => s !== 'redis' && m[s]);
  if (cols.length === 0 && !m['memory']) return [];
  const lines = ['## Summary: ratio to raw `ws` in the same run', ''];
  const base = (scenario: string): Throughput | undefined =>
    m[scenario]?.['raw-ws'] as Throughput | undefined;
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
  return lines;
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
  lines.push(...summary(m, meta, label));
  lines.push('## Targets (nestjs-realtime, ratios measured in this run)', '');
  lines.push('| target | measured | by server CPU per op | met |', '| --- | ---: | ---: | :---: |');
  for (const target of targets(m, meta)) {
    const met = target.met === undefined ? 'not run' : target.met ? 'yes' : '**no**';
    lines.push(`| ${target.text} | ${target.measured} | ${target.byCpu} | ${met} |`);
  }
  lines.push('');
  const base = (scenario: string): Throughput | undefined =>
    m[scenario]?.['raw-ws'] as Throughput | undefined;
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
  lines.push(...scaleoutMarkdown(m, meta, (name) => label.get(name) ?? name));
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
      return `Two instances of each server (both on the server core) on one Redis, ${count(c.redisSubscribers)} subscribers alternating between them, the publisher on the first; raw ws publishes the frame once on the room’s Redis 7 sharded channel (SPUBLISH), which each instance with a member of the room subscribes (SSUBSCRIBE). CPU is both instances together.`;
    default:
      return `One publisher (not a member) asks the server to push a message with its send time to the room, at most ${c.broadcastWindow} broadcasts in flight. Latency: publish written to delivery read.`;
  }
}

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
