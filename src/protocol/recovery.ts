/**
 * Missed-message recovery (issue 14; design in docs/recovery-design.md; wire format in
 * docs/protocol.md, section 8): the names and shapes the server (option `recovery`) and the SDK
 * (option `recovery`) share, so that both sides and their tests use one definition. Old clients
 * ignore every one of them.
 */

/** The reserved event a reconnecting client sends first, with the positions it has seen. */
export const RESUME_EVENT = '$resume';

/** Prefix of the `Sec-WebSocket-Protocol` entry naming the session a client resumes. */
export const SESSION_SUBPROTOCOL_PREFIX = 'session.';

/** Field names of a positioned push: `{"o":42,"e":"k3x9q0ab","s":"room:chat","event":...}`. */
export const PositionField = { OFFSET: 'o', EPOCH: 'e', STREAM: 's' } as const;

/** Why a stream, or a whole resume, was not recovered (`recovered: false`). */
export const RecoveryReason = {
  /** First connection: a new session, nothing to recover. */
  NEW: 'new',
  /** Unknown, expired, or another user's session: one answer for all three. */
  NO_SESSION: 'no_session',
  /** The `$resume` data was malformed. */
  INVALID: 'invalid',
  /** History may have been lost (a restart, a flush, an eviction, an outage). */
  EPOCH_CHANGED: 'epoch_changed',
  /** More was missed than the history holds, or it expired. */
  HISTORY_GAP: 'history_gap',
  /** The client claims a position the stream has not reached. */
  POSITION_AHEAD: 'position_ahead',
  /** More arrived during the resume than could be held. */
  OVERFLOW: 'overflow',
  /** The history store did not answer: fail closed. */
  UNAVAILABLE: 'unavailable',
  /** A position for a stream the session does not follow: ignored. */
  NOT_MEMBER: 'not_member',
} as const;

export type RecoveryReasonCode = (typeof RecoveryReason)[keyof typeof RecoveryReason];

/** Where a client is in a stream: an offset within an epoch. */
export interface StreamPosition {
  /** Epoch: changes whenever the stream's history may have been lost. */
  e: string;
  /** Offset of the last delivery seen (0: none yet). */
  o: number;
}

/** The data of `$resume`: the session to resume (none: start one) and the positions seen. */
export interface ResumeRequest {
  session?: string;
  streams: Record<string, StreamPosition>;
}

/** Limits of a `$resume` request's fields. */
export const RESUME_LIMITS = {
  /** A session id: 16 random bytes in base64url. */
  sessionId: /^[\w-]{22}$/,
  epoch: /^[\w-]{1,16}$/,
  streamNameLength: 256,
} as const;

/**
 * A push frame `{"event":...,"data":...}` with its position in front, built by concatenation so
 * the push is still serialized once: `{"o":42,"e":"k3x9q0ab","s":"room:chat","event":...}`.
 */
export function positionedFrame(frame: string, stream: string, at: StreamPosition): string {
  return `{"o":${at.o},"e":"${at.e}","s":${JSON.stringify(stream)},${frame.slice(1)}`;
}
