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
import { IDLE_APP, sideBySideKey } from './side-by-side.js';
import { BASES, roundRatios, targets } from './targets.js';

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

/** `1.29× / 0.95×`: the ratio to each raw ws row present (raw ws, then raw ws batched). */
function ratios(m: Medians, scenario: string, of: (row: Throughput) => number, v: number): string {
  const cells = BASES.filter(([base]) => m[scenario]?.[base]).map(([base]) => {
    const ref = of(m[scenario]![base] as Throughput);
    return x(of === cpuOf ? ref / v : v / ref);
  });
  return cells.length > 0 ? cells.join(' / ') : '–';
}
const rateOf = (row: Throughput): number => row.rate;
const cpuOf = (row: Throughput): number => row.cpuPerOp;
const rssOf = (row: Throughput): number => (row as unknown as Memory).rssPerConn;

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
  const lines = [
    '## Summary: ratios to raw `ws` and to raw `ws` batched, in the same run',
    '',
    'Each cell: the value, then its ratio to raw `ws` / to raw `ws` batched. **Raw `ws` batched is the floor**: raw `ws` with the per-turn cork nestjs-realtime applies (the frames a socket is sent in one event-loop turn leave in one write), so the comparison with it measures the module, not the cork. Plain raw `ws` writes each frame with its own syscall.',
    '',
  ];
  const memCol = m['memory'] ? ' memory per connection |' : '';
  lines.push(
    `| server | ${cols.map(([, title]) => title.replace(/ \(.*\)/, '')).join(' | ')} |${memCol}`,
  );
  lines.push(`| --- | ${cols.map(() => '---:').join(' | ')} |${memCol ? ' ---: |' : ''}`);
  for (const { name } of meta.servers) {
    const cells = cols.map(([s]) => {
      const row = m[s]?.[name] as Throughput | undefined;
      if (!row) return '–';
      return `${rate(row.rate)}/s (${ratios(m, s, rateOf, row.rate)})`;
    });
    const mem = m['memory']?.[name] as Memory | undefined;
    const memCell = mem
      ? `${kb(mem.rssPerConn)} KB (${ratios(m, 'memory', rssOf, mem.rssPerConn)})`
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
  lines.push(
    '| target | measured | by server CPU per op | server µs/op (module vs base) | met | side by side: median ratio, by throughput / by CPU per op | met (side by side, by CPU) |',
    '| --- | ---: | ---: | ---: | :---: | ---: | :---: |',
  );
  const verdict = (met: boolean | undefined, none: string): string =>
    met === undefined ? none : met ? 'yes' : '**no**';
  for (const target of targets(m, c.broadcastSizes, results)) {
    lines.push(
      `| ${target.text} | ${target.measured} | ${target.byCpu} | ${target.cpu} | ${verdict(target.met, 'not run')} | ${target.sideBySide} | ${verdict(target.metSideBySide, '–')} |`,
    );
  }
  lines.push('');
  const sideBySide = Object.keys(results).filter((key) => key.startsWith(sideBySideKey('')));
  if (sideBySide.length > 0) {
    lines.push(
      '**Side-by-side rounds.** The columns before them compare medians of windows measured minutes apart (each server runs its whole suite in turn), and the speed of these cores drifts by up to 2× within seconds. In the side-by-side rounds the floor and the module are loaded at the same time, in windows that coincide, sharing the server core and whatever speed it has then (`bench/harness/side-by-side.ts`); each round gives one ratio, and the median of the rounds is shown. CPU per operation is inflated by the sharing, so only the ratios mean something, and the verdict is by CPU per operation. Both verdicts are reported.',
      '',
    );
    const control = sideBySide.map((key) => {
      const rounds = roundRatios(results, key, IDLE_APP);
      const [byRate, byCpu] = [0, 1].map((i) => x(median(rounds.map((r) => r[i]))));
      return `${key.slice(sideBySideKey('').length)} ${byRate} / ${byCpu}`;
    });
    lines.push(
      `**The control**: the floor's own server in a process that also boots the module's benchmark app (idle, on another port), against the floor, same rounds (by throughput / by CPU): ${control.join(', ')}. That is what the footprint of Nest, the module and their heap costs code that is the same.`,
      '',
    );
  }
  for (const [scenario, title, unit] of throughputScenarios(meta)) {
    const rows = m[scenario];
    if (!rows) continue;
    lines.push(`## ${title}`, '');
    lines.push(
      describe(scenario, meta) + (c.reps > 1 ? ' `±`: half the range over the repetitions.' : ''),
      '',
    );
    lines.push(
      `| server | ${unit} | × raw ws / batched | p50 ms | p99 ms | server µs/op | × raw ws / batched (CPU) | server CPU | generator CPU | other processes |`,
    );
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const [name, value] of Object.entries(rows)) {
      const row = value as Throughput;
      const errors = row.errors > 0 ? ` (${Math.round(row.errors)} errors)` : '';
      lines.push(
        `| ${label.get(name)}${scenario === 'redis' ? ' + Redis' : ''} | ${rate(row.rate)}${spread(results, scenario, name, 'rate')}${errors} | ${ratios(m, scenario, rateOf, row.rate)} | ${ms(row.p50)} | ${ms(row.p99)} | ${row.cpuPerOp.toFixed(1)} | ${ratios(m, scenario, cpuOf, row.cpuPerOp)} | ${pct(row.serverCpu)} | ${pct(row.genCpu)} | ${pct(row.foreignCpu)} |`,
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
    lines.push('| server | RSS per connection | × raw ws / batched | heap per connection |');
    lines.push('| --- | ---: | ---: | ---: |');
    for (const [name, value] of Object.entries(m['memory'])) {
      const row = value as Memory;
      lines.push(
        `| ${label.get(name)} | ${kb(row.rssPerConn)} KB${spread(results, 'memory', name, 'rssPerConn')} | ${ratios(m, 'memory', rssOf, row.rssPerConn)} | ${kb(row.heapPerConn)} KB |`,
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
  const json = {
    meta,
    machine,
    medians: m,
    targets: targets(m, meta.config.broadcastSizes, results),
    runs: results,
  };
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
