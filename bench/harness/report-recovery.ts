/** recovery.json and recovery.md: what history costs, as ratios to recovery off in the same run. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  allMedians,
  count,
  known,
  ms,
  pct,
  rate,
  x,
  type Medians,
  type Results,
} from './format.js';
import type { Machine } from './machine.js';
import type { ScaleOutRecovery } from './recovery-redis.js';
import type { HistoryMemory, RecoveryConfig } from './recovery-suite.js';
import type { Throughput } from './scenarios.js';

export interface RecoveryMeta {
  command: string;
  seconds: number;
  quick: boolean;
  reps: number;
  config: RecoveryConfig;
  /** Why the Redis half did not run, if it did not. */
  redisSkipped?: string;
  servers: { name: string; label: string }[];
}

/** What follows this line in an existing recovery.md is kept when a run rewrites the file. */
const NOTES = '<!-- notes below this line are kept when `npm run bench` rewrites the file -->';
const BASE = 'realtime';

const get = <T>(m: Medians, scenario: string, server: string): T | undefined =>
  m[scenario]?.[server] as T | undefined;
const n = (v: number, digits = 1): string => (known(v) ? v.toFixed(digits) : '–');

function broadcastTables(m: Medians, meta: RecoveryMeta, label: (s: string) => string): string[] {
  const lines: string[] = [];
  for (const size of [...meta.config.broadcastSizes].sort((a, b) => a - b)) {
    const scenario = `recovery-broadcast-${size}`;
    const base = get<Throughput>(m, scenario, BASE);
    if (!m[scenario]) continue;
    lines.push(`### Room broadcast, ${count(size)} subscribers (in-process)`, '');
    lines.push(
      '| server | deliveries/s | × off | p50 ms | p99 ms | server µs/delivery | CPU/delivery × off | server CPU | generator CPU | other processes |',
      '| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
    );
    for (const [name, row] of Object.entries(m[scenario]) as [string, Throughput][]) {
      lines.push(
        `| ${label(name)} | ${rate(row.rate)} | ${x(row.rate / (base?.rate ?? NaN))} | ${ms(row.p50)} | ${ms(row.p99)} | ${n(row.cpuPerOp, 2)} | ${x(row.cpuPerOp / (base?.cpuPerOp ?? NaN))} | ${pct(row.serverCpu)} | ${pct(row.genCpu)} | ${pct(row.foreignCpu)} |`,
      );
    }
    lines.push('');
  }
  return lines;
}

function memoryTable(m: Medians, label: (s: string) => string): string[] {
  const rows = m['recovery-memory'];
  if (!rows) return [];
  const lines = [
    '### Memory per history entry (in-process)',
    '',
    'Pushes to rooms nobody is in (`{"room":"mem-<i>","t":<7 digits>}` as event `tick`), as many per room as the history keeps; JS heap and RSS after forced GCs, with minus without, per entry. Recovery off runs the same pushes and keeps nothing: its row is the noise floor. µs per push: the wall time the server takes to publish them (`registry.to(room).emit()` in a loop, no sockets), i.e. what a position and a kept entry add to a publication before any delivery.',
    '',
    '| server | entries kept | heap B/entry | RSS B/entry | frame bytes, published → kept | µs per push (no members) | × off |',
    '| --- | --: | --: | --: | --: | --: | --: |',
  ];
  const perPush = (row?: HistoryMemory): number =>
    ((row?.fillMs ?? NaN) * 1000) / (row?.entries ?? NaN);
  const base = perPush(rows[BASE] as unknown as HistoryMemory | undefined);
  for (const [name, row] of Object.entries(rows) as unknown as [string, HistoryMemory][]) {
    const frame = known(row.positionedFrame) && row.positionedFrame > 0;
    lines.push(
      `| ${label(name)} | ${count(row.entries)} | ${n(row.heapPerEntry, 0)} | ${n(row.rssPerEntry, 0)} | ${frame ? `${row.plainFrame} → ${row.positionedFrame}` : '–'} | ${n(perPush(row), 2)} | ${x(perPush(row) / base)} |`,
    );
  }
  return [...lines, ''];
}

function redisTables(m: Medians, meta: RecoveryMeta, label: (s: string) => string): string[] {
  if (meta.redisSkipped) return [`### On Redis`, '', `Skipped: ${meta.redisSkipped}.`, ''];
  const lines = [
    '### Scale-out on Redis, recovery off vs the Redis stream log',
    '',
    'The scaleout layouts (bench/README.md) on a private `redis-server`. Redis CPU is `INFO cpu` (user + system) over the measured window, per room publication; script and publish µs per call are `INFO commandstats` (`evalsha`/`eval`/`fcall`; `spublish`/`publish`, also when a script issues it). Ratios are to recovery off at the same layout and instance count.',
    '',
    '| layout | instances | server | deliveries/s per instance | × off | server µs/delivery | CPU × off | p50 ms | p99 ms | Redis CPU µs/publication | scripts/publication | script µs/call | (S)PUBLISH/publication | (S)PUBLISH µs/call |',
    '| --- | --: | --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
  ];
  for (const layout of ['local', 'spanning']) {
    for (const instances of meta.config.redis.instances) {
      const scenario = `recovery-scaleout-${layout}-${instances}`;
      const base = get<ScaleOutRecovery>(m, scenario, BASE);
      for (const [name, r] of Object.entries(m[scenario] ?? {}) as [string, ScaleOutRecovery][]) {
        const pubs = (r.publications * r.ops) / r.rate;
        const per = (v: number | undefined): number => (v ?? NaN) / pubs;
        lines.push(
          `| ${layout} | ${instances} | ${label(name)} | ${rate(r.ratePerInstance)} | ${x(r.ratePerInstance / (base?.ratePerInstance ?? NaN))} | ${n(r.cpuPerOp, 2)} | ${x(r.cpuPerOp / (base?.cpuPerOp ?? NaN))} | ${ms(r.p50)} | ${ms(r.p99)} | ${n(per(r.cpuUs))} | ${n(per(r.scriptCalls), 2)} | ${n((r.scriptUs ?? NaN) / (r.scriptCalls ?? NaN))} | ${n(per(r.publishCalls), 2)} | ${n((r.publishUs ?? NaN) / (r.publishCalls ?? NaN))} |`,
        );
      }
    }
  }
  lines.push('');
  const mem = m['recovery-redis-memory'];
  for (const [name, row] of Object.entries(mem ?? {}) as unknown as [
    string,
    Record<string, number>,
  ][]) {
    lines.push(
      `Redis memory, ${label(name)}: ${count(row['redisStreamEntries']!)} entries kept in streams take ${n(row['redisBytesPerEntry']!, 0)} B each (\`MEMORY USAGE\` of the stream keys), ${n(row['redisUsedPerEntry']!, 0)} B each by \`used_memory\` (meta keys included); frame ${row['plainFrame']} → ${row['positionedFrame']} B.`,
      '',
    );
  }
  return lines;
}

export async function writeRecoveryReport(
  outDir: string,
  results: Results,
  machine: Machine,
  meta: RecoveryMeta,
): Promise<void> {
  const prettier = await import('prettier');
  const json = join(outDir, 'recovery.json');
  const jsonText = JSON.stringify({ meta, machine, runs: results }, null, 2);
  writeFileSync(json, await prettier.format(jsonText, { filepath: json }));
  const m = allMedians(results);
  const labels = new Map(meta.servers.map((s) => [s.name, s.label]));
  const label = (s: string): string => labels.get(s) ?? s;
  const file = join(outDir, 'recovery.md');
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const notes = old.includes(NOTES) ? old.slice(old.indexOf(NOTES)) : NOTES + '\n';
  const lines = [
    '# What history costs (missed-message recovery)',
    '',
    `${machine.date}, \`${meta.command}\`, ${meta.reps} repetition(s), medians, ${Math.round(meta.seconds / 60)} min. ${machine.cpu}, ${machine.cores} cores; ${machine.pinned}; Node ${machine.node}; nestjs-realtime at ${machine.commit}.`,
    '',
    '**Baseline: "recovery off"**, the `realtime` server of bench/README.md (no `recovery` option), started, loaded and measured in the same run, interleaved with the others in every repetition. It is the same code and load with the one option changed, so a ratio isolates what positions and history add; a ratio to raw ws, or to an earlier run, would also carry the machine and the rest of the module. `recovery: { history: { size } }` is the only difference: every push to the room is given a position, its frame is prefixed with it (`{"o":…,"e":"…","s":"room:bench",…`) and kept. The clients speak plain `realtime.v1` (no session), so they receive the positioned frames but never resume: this measures the cost of history while nobody reconnects.',
    '',
    ...broadcastTables(m, meta, label),
    ...memoryTable(m, label),
    ...redisTables(m, meta, label),
    '## How to reproduce',
    '',
    '```bash',
    'npm ci',
    'npm run bench -- --scenarios recovery            # this file (and recovery.json); ~6 min, +Redis ~5 min',
    'npm run bench -- --scenarios recovery --reps 1   # one repetition',
    'npm run bench -- --scenarios recovery --profile  # CPU profiles of the windows (bench/README.md)',
    '```',
    '',
    'The Redis half needs `redis-server` on the PATH (it starts a private one, so that INFO counts this run only) and a package with the Redis stream log; without either it is skipped with a note. Loads, windows and repetitions are those of bench/README.md (broadcast: 2 publications in flight; 1 s warm-up, 3 s windows, 3 repetitions). `--quick` runs a 50-subscriber broadcast and 2 000 entries only (it checks that the scenario runs; its numbers mean nothing).',
    '',
    notes,
  ];
  const options = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(file, await prettier.format(lines.join('\n'), { ...options, filepath: file }));
}
