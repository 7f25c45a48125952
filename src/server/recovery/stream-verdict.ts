import {
  RecoveryReason,
  type RecoveryReasonCode,
  type StreamPosition,
} from '../../protocol/index.js';
import type { HistoryRule, PositionedDelivery, StreamLog, StreamRead } from './stream-log.js';
import { leavesOut } from './stream-split.js';

/** Whether one stream of a resumed session is recovered, and what to replay. */
export interface StreamVerdict {
  readonly stream: string;
  readonly recovered: boolean;
  readonly reason?: RecoveryReasonCode;
  /** Where live traffic continues (unknown when the log did not answer). */
  readonly top: StreamPosition | undefined;
  /** The pushes the client missed, in order (empty unless recovered). */
  readonly replay: PositionedDelivery[];
}

/** What is known of one stream of the session being resumed. */
export interface StreamClaim {
  /** The last position the client saw (its word: checked, never trusted). */
  readonly client: StreamPosition | undefined;
  /** Where the session started following the stream (the server's record). */
  readonly start: StreamPosition | undefined;
  readonly rule: HistoryRule;
  /** Pushes held for the connection were dropped for this stream. */
  readonly overflowed: boolean;
  /** Who the session was, to leave out again what its pushes left out. */
  readonly session: { connectionId: string; userId: string; rooms: readonly string[] };
}

const failed = (
  stream: string,
  reason: RecoveryReasonCode,
  top: StreamPosition | undefined,
): StreamVerdict => ({ stream, recovered: false, reason, top, replay: [] });

/**
 * Decides one stream: recovered only when the history of the current epoch holds every push
 * after the position the client resumes from (the later of its own and the session's start),
 * with no gap; then the replay is exactly those pushes, minus the ones that left it out.
 */
export async function verdictOf(
  log: StreamLog,
  stream: string,
  claim: StreamClaim,
): Promise<StreamVerdict> {
  const { client, start, rule } = claim;
  const guess = Math.max(client?.o ?? 0, start?.o ?? 0);
  let read: StreamRead;
  try {
    read = await log.read(stream, guess, rule.size);
  } catch {
    return failed(stream, RecoveryReason.UNAVAILABLE, undefined);
  }
  const { top } = read;
  if (claim.overflowed) return failed(stream, RecoveryReason.OVERFLOW, top);
  if (client && client.e !== top.e) return failed(stream, RecoveryReason.EPOCH_CHANGED, top);
  const current = [client, start].filter((p): p is StreamPosition => p?.e === top.e);
  if (current.length === 0) {
    return failed(stream, start ? RecoveryReason.EPOCH_CHANGED : RecoveryReason.HISTORY_GAP, top);
  }
  const from = Math.max(...current.map((p) => p.o));
  if (from > top.o) return failed(stream, RecoveryReason.POSITION_AHEAD, top);
  if (from !== guess) {
    try {
      read = await log.read(stream, from, rule.size);
    } catch {
      return failed(stream, RecoveryReason.UNAVAILABLE, undefined);
    }
    if (read.top.e !== top.e) return failed(stream, RecoveryReason.EPOCH_CHANGED, read.top);
  }
  const now = read.top;
  const missed = read.entries.filter((d) => d.position.o > from && d.position.o <= now.o);
  // A latest-value stream is whole with the newest push of each key, whatever the gap; else,
  // offsets are unique and increasing: as many as the distance means none is missing.
  const whole = rule.conflate || missed.length === now.o - from;
  if (!whole || (!rule.conflate && missed[0] && missed[0].position.o !== from + 1)) {
    return failed(stream, RecoveryReason.HISTORY_GAP, now);
  }
  const replay = missed.filter((d) => !leavesOut(d.target, claim.session));
  return { stream, recovered: true, top: now, replay };
}
