/**
 * The `recovery` scenario as main.ts runs it: both halves per repetition, then its own report
 * (recovery.md; a run of this scenario alone leaves results.md as it was).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Machine } from './machine.js';
import { recoveryRedisRep, redisSkipped, REDIS_SPECS } from './recovery-redis.js';
import {
  RECOVERY_FULL,
  RECOVERY_QUICK,
  RECOVERY_SPECS,
  recordRecovery,
  recoveryResults,
  recoveryRep,
  type RecoveryConfig,
} from './recovery-suite.js';
import type { Results } from './format.js';
import type { RedisRun } from './redis-suites.js';
import { writeRecoveryReport, type RecoveryMeta } from './report-recovery.js';

export const recoveryConfig = (quick: boolean): RecoveryConfig =>
  quick ? RECOVERY_QUICK : RECOVERY_FULL;

type Attempt = (what: string, work: () => Promise<void>) => Promise<void>;

/** One repetition: in-process (off, 100, 1 000), then on Redis (off, Redis log). */
export async function recoveryRepetition(
  run: RedisRun,
  config: RecoveryConfig,
  attempt: Attempt,
  of: string,
  rep: number,
): Promise<void> {
  const ctx = { ...run, record: recordRecovery };
  // BENCH_RECOVERY_ONLY=redis (or in-process) runs one half.
  const only = process.env['BENCH_RECOVERY_ONLY'];
  if (only !== 'redis') await recoveryRep(ctx, config, attempt, of);
  if (only === 'in-process') return;
  await recoveryRedisRep(ctx, run, config, attempt, of, rep);
}

/** Writes recovery.md and recovery.json into `outDir`; returns the .md's path. */
export async function recoveryReport(
  outDir: string,
  machine: Machine,
  meta: Omit<RecoveryMeta, 'servers' | 'redisSkipped'>,
): Promise<string> {
  const servers = [...RECOVERY_SPECS, ...REDIS_SPECS].map((s) => ({
    name: s.name,
    label: s.label,
  }));
  const skipped = redisSkipped();
  await writeRecoveryReport(outDir, recoveryResults, machine, {
    ...meta,
    servers,
    ...(skipped ? { redisSkipped: skipped } : {}),
  });
  return `${outDir}/recovery.md`;
}

/** `--rereport bench/results/recovery.json`: rewrites recovery.md next to it, measuring nothing. */
export async function rereportRecovery(file: string): Promise<string> {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as {
    meta: RecoveryMeta;
    machine: Machine;
    runs: Results;
  };
  const outDir = dirname(resolve(file));
  await writeRecoveryReport(outDir, saved.runs, saved.machine, saved.meta);
  return `rewrote ${outDir}/recovery.md`;
}
