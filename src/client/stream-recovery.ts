import {
  ErrorCode,
  RecoveryReason,
  RESUME_EVENT,
  SESSION_SUBPROTOCOL_PREFIX,
  type ResumeRequest,
  type StreamPosition,
} from '../protocol/index.js';
import { ClientErrorCode, RealtimeClientError, type RequestError } from './client.errors.js';
import type { RequestOutcome } from './pending-request.js';
import {
  readPushPosition,
  readResumeReply,
  type RecoveryInfo,
  type RecoveryState,
  type ResumeReply,
} from './resume-reply.js';

/** `RecoveryInfo.reason` when the server answers `$resume` with `UNKNOWN_EVENT`. */
export const RECOVERY_UNSUPPORTED = 'unsupported';

/** What the recovery needs from the client. */
export interface RecoveryHost {
  /** Sends an internal request on the open socket (never queued nor paced). */
  call(
    event: string,
    data: unknown,
    timeoutMs: number,
    onSettle: (outcome: RequestOutcome) => void,
  ): Promise<unknown>;
  report(error: RealtimeClientError): void;
}

/**
 * Missed-message recovery (docs/recovery-design.md section 5): tracks the last position seen of
 * every positioned push, offers the session on a reconnect (`session.<sid>` subprotocol entry),
 * sends `$resume` first on every open, and reads its reply. The session id lives in this object
 * only: it is never logged nor put in an error message.
 */
export class StreamRecovery {
  private on: boolean;
  private session: string | undefined;
  private readonly positions = new Map<string, StreamPosition>();
  private last: RecoveryInfo | undefined;
  /** A `$resume` awaits its reply: pushes are replays, not a reason for `STREAM_RESET`. */
  private resuming = false;

  constructor(
    enabled: boolean,
    private readonly timeoutMs: number,
    private readonly host: RecoveryHost,
  ) {
    this.on = enabled;
  }

  /** A read-only view (copies) for `RealtimeClient.recovery`. */
  get state(): RecoveryState {
    const positions: Record<string, StreamPosition> = {};
    for (const [stream, { e, o }] of this.positions) positions[stream] = { e, o };
    const last = this.last && { ...this.last, lost: [...this.last.lost] };
    return { enabled: this.on, hasSession: this.session !== undefined, last, positions };
  }

  /** The subprotocol entries to offer after `realtime.v1` and the token: the session, if any. */
  protocols(): string[] {
    return this.on && this.session ? [`${SESSION_SUBPROTOCOL_PREFIX}${this.session}`] : [];
  }

  /** `connect()` from `closed`: a new session (whether recovery is on is kept). */
  reset(): void {
    this.session = undefined;
    this.positions.clear();
    this.resuming = false;
  }

  /**
   * Tracks the position of a push, if it has one. A live push with another epoch than the one
   * tracked (at an offset > 0) is reported as `STREAM_RESET`; any other jump is just tracked.
   * An offset never moves back within an epoch.
   */
  track(event: string, message: Record<string, unknown>): void {
    if (!this.on) return;
    const at = readPushPosition(message);
    if (!at) return;
    const tracked = this.positions.get(at.stream);
    if (tracked && tracked.e === at.e) {
      tracked.o = Math.max(tracked.o, at.o);
      return;
    }
    this.positions.set(at.stream, { e: at.e, o: at.o });
    if (!tracked || tracked.o === 0 || this.resuming) return;
    const text = `Stream "${at.stream}" was reset while connected: pushes may have been missed`;
    const code = ClientErrorCode.STREAM_RESET;
    this.host.report(new RealtimeClientError(code, text, { event, stream: at.stream }));
  }

  /**
   * Sends `$resume` at once (call it on open, before anything else is sent), and resolves with
   * what it gave once the reply came (the replayed pushes have reached the listeners by then).
   * `undefined` when recovery is off, or when the socket went away before the reply. The reply
   * applies synchronously, so a live push right behind it (same read) is tracked after it.
   */
  resume(): Promise<RecoveryInfo | undefined> | undefined {
    if (!this.on) return undefined;
    const offered = this.session;
    const streams: ResumeRequest['streams'] = {};
    for (const [stream, { e, o }] of this.positions) streams[stream] = { e, o };
    const request: ResumeRequest =
      offered === undefined ? { streams } : { session: offered, streams };
    const tracked = [...this.positions.keys()];
    this.resuming = true;
    const wasRecovering = offered !== undefined;
    return new Promise((resolve) => {
      let seen = false;
      const settled = (outcome: RequestOutcome): void => {
        seen = true;
        resolve(
          'error' in outcome
            ? this.failed(wasRecovering, tracked, outcome.error)
            : this.settle(wasRecovering, tracked, readResumeReply(outcome.data)),
        );
      };
      // A rejection was seen by `settled`, unless the request could not even be made.
      this.host.call(RESUME_EVENT, request, this.timeoutMs, settled).catch(() => {
        if (seen) return;
        this.resuming = false;
        resolve(undefined);
      });
    });
  }

  private settle(
    wasRecovering: boolean,
    tracked: string[],
    reply: ResumeReply | undefined,
  ): RecoveryInfo {
    this.resuming = false;
    if (!reply) return this.lostAll(wasRecovering, tracked, RecoveryReason.UNAVAILABLE);
    this.session = reply.session;
    this.positions.clear();
    const lost = new Set<string>();
    for (const [stream, { recovered, e, o }] of reply.streams) {
      this.positions.set(stream, { e, o });
      if (!recovered) lost.add(stream);
    }
    // Not recovered: what the reply leaves out was not recovered either.
    if (!reply.recovered) {
      for (const stream of tracked) if (!reply.streams.has(stream)) lost.add(stream);
    }
    const recovered = reply.recovered && lost.size === 0;
    const info: RecoveryInfo = { wasRecovering, recovered, lost: [...lost] };
    if (!recovered && reply.reason !== undefined) info.reason = reply.reason;
    return (this.last = info);
  }

  private failed(
    wasRecovering: boolean,
    tracked: string[],
    error: RequestError,
  ): RecoveryInfo | undefined {
    this.resuming = false;
    // The socket went away (or the client closed): the next open sends `$resume` again.
    const { code, fromServer } = error;
    if (!fromServer && (code === ClientErrorCode.DISCONNECTED || code === ClientErrorCode.CLOSED)) {
      return undefined;
    }
    if (fromServer && code === ErrorCode.UNKNOWN_EVENT) {
      // A server without recovery: behave as if it had never been on.
      this.on = false;
      this.reset();
      return (this.last = {
        wasRecovering,
        recovered: false,
        reason: RECOVERY_UNSUPPORTED,
        lost: tracked,
      });
    }
    return this.lostAll(wasRecovering, tracked, RecoveryReason.UNAVAILABLE);
  }

  /**
   * The whole resume failed: every tracked stream is lost. Their positions are forgotten (the app
   * reloads them; live pushes start tracking afresh, with no `STREAM_RESET`); the session is kept.
   */
  private lostAll(wasRecovering: boolean, tracked: string[], reason: string): RecoveryInfo {
    this.positions.clear();
    return (this.last = { wasRecovering, recovered: false, reason, lost: tracked });
  }
}
