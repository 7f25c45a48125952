/** results.md's scaleout tables: per layout and instance count, ratios to raw ws at that count. */
import { count, known, ms, pct, rate, x, type Medians } from './format.js';
import type { Meta } from './report.js';
import type { ScaleOut } from './scaleout.js';

const perInstance = (values: number[] | undefined, format: (v: number) => string): string =>
  values?.map(format).join(' / ') ?? '–';

/** Milliseconds of CPU, from cores (per second) or microseconds (per publication). */
const msOf = (v: number | undefined): string => (known(v) ? v.toFixed(v < 10 ? 2 : 1) : '–');

function rows(m: Medians, meta: Meta, layout: string): { n: number; name: string; r: ScaleOut }[] {
  const out: { n: number; name: string; r: ScaleOut }[] = [];
  for (const n of meta.config.scaleout?.instances ?? []) {
    for (const { name } of meta.servers) {
      const r = m[`scaleout-${layout}-${n}`]?.[name] as ScaleOut | undefined;
      if (r) out.push({ n, name, r });
    }
  }
  return out;
}

const base = (m: Medians, layout: string, n: number): ScaleOut | undefined =>
  m[`scaleout-${layout}-${n}`]?.['raw-ws'] as ScaleOut | undefined;

function layoutTable(m: Medians, meta: Meta, layout: string, label: (s: string) => string) {
  const lines = [
    '| server | instances | deliveries/s per instance | × raw ws | server µs/delivery | × raw ws (CPU) | server CPU, each instance | bus `received`/s, each instance | publications/s | p50 ms | p99 ms | other processes (Redis too) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const { n, name, r } of rows(m, meta, layout)) {
    const ref = base(m, layout, n);
    const stalls = r.errors > 0 ? ` (${Math.round(r.errors)} stalls)` : '';
    lines.push(
      `| ${label(name)} | ${n} | ${rate(r.ratePerInstance)}${stalls} | ${x(r.ratePerInstance / (ref?.ratePerInstance ?? NaN))} | ${known(r.cpuPerOp) ? r.cpuPerOp.toFixed(2) : '–'} | ${x((ref?.cpuPerOp ?? NaN) / r.cpuPerOp)} | ${perInstance(r.serverCpu, pct)} | ${perInstance(r.received, rate)} | ${rate(r.publications)} | ${ms(r.p50)} | ${ms(r.p99)} | ${pct(r.foreignCpu)} |`,
    );
  }
  return lines;
}

function idleTable(m: Medians, meta: Meta, label: (s: string) => string): string[] {
  const lines = [
    '| server | instances | publications/s elsewhere | idle instance CPU, ms/s | idle instance CPU, ms per 1 000 publications elsewhere | × raw ws (CPU) | publications the idle instance heard, /s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const { n, name, r } of rows(m, meta, 'local')) {
    if (!known(r.idleCpuPer1000)) continue;
    const ref = base(m, 'local', n)?.idleCpuPer1000 ?? NaN;
    lines.push(
      `| ${label(name)} | ${n} | ${rate(r.idlePublications ?? NaN)} | ${msOf((r.idleCpu ?? NaN) * 1000)} | ${msOf(r.idleCpuPer1000)} | ${x(ref / r.idleCpuPer1000)} | ${rate(r.idleReceived ?? NaN)} |`,
    );
  }
  return lines;
}

/** The scaleout sections of results.md (none when the run had no scaleout). */
export function scaleoutMarkdown(
  m: Medians,
  meta: Meta,
  label: (name: string) => string,
): string[] {
  const c = meta.config;
  if (!c.scaleout || rows(m, meta, 'local').length + rows(m, meta, 'spanning').length === 0) {
    return [];
  }
  const n = c.scaleout.subscribers;
  const rest = c.reps > 1 ? ' Medians of the repetitions, instance by instance.' : '';
  const common =
    `${c.scaleout.instances.join(', ')} instances of each server on one Redis (fresh key prefix), ` +
    `${count(n)} subscribers connected to each instance, at most ${c.broadcastWindow} broadcasts in flight per room. ` +
    'Every server process runs on the one server core, so N instances share it and deliveries per ' +
    'second per instance fall with N by construction: **server µs per delivery (all instances ' +
    'together) and each instance’s CPU are the numbers to compare.** Raw ws crosses instances ' +
    'on Redis 7 sharded pub/sub, one channel per room, subscribed only where the room has a local ' +
    'member (the honest floor of interest routing). Bus `received`: publications of other ' +
    `instances that reached the instance (nestjs-realtime's \`registry.health()\`, counted the same way in raw ws).${rest}`;
  const lines: string[] = [];
  lines.push('## Scale-out on Redis: rooms local to an instance', '');
  lines.push(
    `${common} Instance i has its own room, whose members are all its ${count(n)} subscribers, and a publisher (not a member) on it publishing to that room. Nothing needs to cross instances: any \`received\` is waste.`,
    '',
  );
  lines.push(...layoutTable(m, meta, 'local', label), '');
  lines.push('## Scale-out: what other instances’ rooms cost an idle instance', '');
  lines.push(
    'The same local rooms, in a second window where the first instance publishes nothing (its members stay, and so does its interest in its own room) while every other instance goes on publishing to its own room. The first instance’s CPU during that window, absolute and per 1 000 publications elsewhere: the price of hearing rooms it has no member of. The goal is close to zero, as for raw ws. × raw ws (CPU): raw ws’s per-1 000 cost over the server’s.',
    '',
  );
  lines.push(...idleTable(m, meta, label), '');
  lines.push('## Scale-out: one room spanning every instance', '');
  lines.push(
    `${common} One room with every subscriber (${count(n)} on each instance, alternating), one publisher (not a member) on the first instance: every publication must reach every instance.`,
    '',
  );
  lines.push(...layoutTable(m, meta, 'spanning', label), '');
  return lines;
}
