/** The `recovery` scenario as main.ts runs it: both halves per repetition, then its report. */
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
  await recoveryRep(ctx, config, attempt, of);
  await recoveryRedisRep(ctx, run, config, attempt, of, rep);
}

/** Writes recovery.md and recovery.json into `outDir`; returns the .md's path. */
export function recoveryReport(
  outDir: string,
  machine: Machine,
  meta: Omit<RecoveryMeta, 'servers' | 'redisSkipped'>,
): string {
  const servers = [...RECOVERY_SPECS, ...REDIS_SPECS].map((s) => ({
    name: s.name,
    label: s.label,
  }));
  const skipped = redisSkipped();
  writeRecoveryReport(outDir, recoveryResults, machine, {
    ...meta,
    servers,
    ...(skipped ? { redisSkipped: skipped } : {}),
  });
  return `${outDir}/recovery.md`;
}
