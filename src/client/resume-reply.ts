import {
  isObject,
  PositionField,
  RESUME_LIMITS,
  type RecoveryReasonCode,
  type StreamPosition,
} from '../protocol/index.js';

/**
 * What the last `$resume` gave, passed to `onRecovery` after every open while recovery is on.
 * `recovered` is true only when every stream the client followed came back with nothing missed
 * (the server then restored the rooms too, and `onReconnect` does not run).
 */
export interface RecoveryInfo {
  /** Whether the client offered a session to resume (false on the first connection). */
  wasRecovering: boolean;
  /** Whether every stream was recovered: rooms restored and missed pushes replayed. */
  recovered: boolean;
  /**
   * Why not, when the server gave one reason for the whole resume (`new`, `no_session`, ...),
   * `unavailable` when the resume failed or timed out, `unsupported` when the server does not do
   * recovery (recovery is then off for the client's life).
   */
  reason?: RecoveryReasonCode | 'unsupported' | (string & {});
  /** The streams (`room:<name>`, `user:<id>`, `all`) whose missed pushes are lost: reload them. */
  lost: string[];
}

/** What the client knows about recovery: see `RealtimeClient.recovery`. */
export interface RecoveryState {
  /** Whether `$resume` is sent on the next open (the `recovery` option, and a server that has it). */
  readonly enabled: boolean;
  /** Whether the client holds a session to offer on its next reconnect (the id itself is secret). */
  readonly hasSession: boolean;
  /** What the last `$resume` gave (the last `onRecovery` info), until the first reply `undefined`. */
  readonly last: RecoveryInfo | undefined;
  /** The last position seen of every tracked stream (a copy). */
  readonly positions: Record<string, StreamPosition>;
}

/** One stream of a `$resume` reply: where its live traffic continues, and whether it was recovered. */
export interface StreamOutcome extends StreamPosition {
  recovered: boolean;
  reason: string | undefined;
}

/** A `$resume` reply, checked. */
export interface ResumeReply {
  session: string;
  recovered: boolean;
  reason: string | undefined;
  streams: Map<string, StreamOutcome>;
}

/** A positioned push's stream and position. */
export interface PushPosition extends StreamPosition {
  stream: string;
}

function isStreamName(value: unknown): value is string {
  return (
    typeof value === 'string' && value.length > 0 && value.length <= RESUME_LIMITS.streamNameLength
  );
}

function isEpoch(value: unknown): value is string {
  return typeof value === 'string' && RESUME_LIMITS.epoch.test(value);
}

function isOffset(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}

/** The position of a push `{"o":42,"e":"k3x9q0ab","s":"room:chat",...}`; none when unpositioned or malformed. */
export function readPushPosition(message: Record<string, unknown>): PushPosition | undefined {
  const o = message[PositionField.OFFSET];
  const e = message[PositionField.EPOCH];
  const stream = message[PositionField.STREAM];
  if (!isOffset(o, 1) || !isEpoch(e) || !isStreamName(stream)) return undefined;
  return { stream, e, o };
}

function readOutcome(value: unknown): StreamOutcome | undefined {
  if (!isObject(value)) return undefined;
  const { recovered, reason, e, o } = value;
  // `o` is 0 for a stream with no delivery yet.
  if (typeof recovered !== 'boolean' || !isEpoch(e) || !isOffset(o, 0)) return undefined;
  return { recovered, reason: typeof reason === 'string' ? reason : undefined, e, o };
}

/**
 * The data of a `$resume` reply, or `undefined` when it is malformed (treated as a failed resume).
 * A stream entry that is malformed is left out, as if the server had not named the stream.
 */
export function readResumeReply(data: unknown): ResumeReply | undefined {
  if (!isObject(data)) return undefined;
  const { session, recovered, reason, streams } = data;
  if (typeof session !== 'string' || !RESUME_LIMITS.sessionId.test(session)) return undefined;
  if (typeof recovered !== 'boolean') return undefined;
  const outcomes = new Map<string, StreamOutcome>();
  if (isObject(streams)) {
    for (const [stream, value] of Object.entries(streams)) {
      const outcome = readOutcome(value);
      if (outcome && isStreamName(stream)) outcomes.set(stream, outcome);
    }
  }
  return {
    session,
    recovered,
    reason: typeof reason === 'string' ? reason : undefined,
    streams: outcomes,
  };
}
