/**
 * The realtime server's IPC commands for the recovery scenario: which stream log it runs on, and
 * filling history with pushes to rooms nobody is in (memory per history entry).
 */
import type { ConnectionRegistry, StreamLog } from 'nestjs-realtime';
import type { Command, ExtraCommands } from './common.js';

/** What `fill-history` did: pushes, entries kept, and one kept frame with and without its position. */
export interface HistoryFill {
  pushes: number;
  appended: number;
  failures: number;
  /** Bytes (UTF-8 = length here) of one frame as published, and as kept (positioned). */
  plainFrame: number;
  positionedFrame: number;
}

export interface RecoveryInfo {
  recovery: boolean;
  /** The stream log's class (`InProcessStreamLog`, `RedisStreamLog`). */
  log: string;
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

/**
 * `fill-history` publishes `pushes` pushes to each of `rooms` rooms named `<prefix>-<i>`,
 * `batch` at a time, waiting between batches until the log has kept them (a Redis log appends
 * asynchronously, and a deep queue would time its commands out).
 */
async function fill(
  registry: ConnectionRegistry,
  log: StreamLog,
  command: Command,
  recovery: boolean,
): Promise<HistoryFill> {
  const rooms = Number(command['rooms']);
  const pushes = Number(command['pushes']);
  const prefix = String(command['prefix']);
  const batch = Number(command['batch'] ?? 1000);
  const start = log.health();
  const done = (): number => {
    if (!recovery) return Number.POSITIVE_INFINITY;
    const h = log.health();
    return h.appended - start.appended + h.appendFailures - start.appendFailures;
  };
  let sent = 0;
  for (let p = 0; p < pushes; p++) {
    for (let r = 0; r < rooms; r++) {
      registry.to(`${prefix}-${r}`).emit('tick', { room: `${prefix}-${r}`, t: 1_000_000 + p });
      if (++sent % batch === 0) while (done() < sent) await tick();
    }
  }
  const deadline = Date.now() + 30_000;
  while (done() < sent && Date.now() < deadline) await tick();
  const end = log.health();
  const stream = `room:${prefix}-0`;
  const kept = (await log.read(stream, 0, 1)).entries[0]?.frame ?? '';
  const head = `"s":${JSON.stringify(stream)},`;
  const cut = kept.indexOf(head);
  return {
    pushes: sent,
    appended: end.appended - start.appended,
    failures: end.appendFailures - start.appendFailures,
    plainFrame: cut < 0 ? NaN : kept.length - cut - head.length + 1,
    positionedFrame: kept.length,
  };
}

export function historyCommands(
  registry: ConnectionRegistry,
  log: StreamLog,
  recovery: boolean,
): ExtraCommands {
  return (command) => {
    switch (command.cmd) {
      case 'recovery-info':
        return Promise.resolve<RecoveryInfo>({ recovery, log: log.constructor.name });
      case 'fill-history':
        return fill(registry, log, command, recovery);
      default:
        return undefined;
    }
  };
}
