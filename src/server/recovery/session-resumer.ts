import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { isObservable, lastValueFrom } from 'rxjs';
import { ErrorCode, RecoveryReason, type RecoveryReasonCode } from '../../protocol/index.js';
import type { ConnectionState } from '../connection/connection-state.js';
import { redact } from '../errors/redact.js';
import type { ConnectionResumeInfo } from '../gateway/connection-hooks.js';
import { fail, reply, type Envelope } from '../messages/replies.js';
import { ConnectionSession } from './connection-session.js';
import type { Recovery } from './recovery.js';
import { parseResumeRequest } from './resume-request.js';
import type { SessionRecord } from './session-store.js';
import { verdictOf, type StreamVerdict } from './stream-verdict.js';

const newSessionId = (): string => randomBytes(16).toString('base64url');

const logger = new Logger('RealtimeGateway');

/** The gateways' `onConnectionResume` hooks, each awaited; a failure is logged, not fatal. */
async function runResumeHooks(state: ConnectionState, info: ConnectionResumeInfo): Promise<void> {
  for (const hook of state.resumeHooks ?? []) {
    try {
      const result = hook(info);
      if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
      else await result;
    } catch (error) {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      logger.error(`onConnectionResume failed: ${redact(detail)}`);
    }
  }
}

/** The `$resume` reply's entry for one stream. */
function streamEntry(v: StreamVerdict): Record<string, unknown> {
  return {
    recovered: v.recovered,
    ...(v.reason ? { reason: v.reason } : {}),
    ...(v.top ? { e: v.top.e, o: v.top.o } : {}),
    replayed: v.replay.length,
  };
}

/**
 * Answers `$resume` (docs/protocol.md, "Recovery"): claims the session for the same user, joins
 * its rooms again, reads each stream's history after the client's position, and writes, in one
 * synchronous run, the missed pushes, the reply, then the pushes held since the upgrade that
 * came after them. A stream that cannot be proven complete replays nothing and says why.
 */
export class SessionResumer {
  constructor(
    private readonly recovery: Recovery,
    /** Joins a room on the connection's behalf (a restored membership: no app hook runs). */
    private readonly join: (state: ConnectionState, room: string) => boolean,
    private readonly maxStreams: number,
  ) {}

  handle(state: ConnectionState, envelope: Envelope): void {
    const session = (state.session ??= new ConnectionSession(undefined));
    if (session.resumeStarted) {
      return fail(state, envelope, {
        code: ErrorCode.CONFLICT,
        message: 'This connection has resumed its session already',
      });
    }
    session.resumeStarted = true;
    void this.resume(state, session, envelope).catch(() =>
      this.fresh(state, session, envelope, RecoveryReason.UNAVAILABLE),
    );
  }

  private async resume(
    state: ConnectionState,
    session: ConnectionSession,
    envelope: Envelope,
  ): Promise<void> {
    const request = parseResumeRequest(envelope.data, this.maxStreams);
    if (!request) return this.fresh(state, session, envelope, RecoveryReason.INVALID);
    if (request.session === undefined) {
      return this.fresh(state, session, envelope, RecoveryReason.NEW);
    }
    // Only a session named at the upgrade has had its pushes held from the first moment.
    if (request.session !== session.offered) {
      return this.fresh(state, session, envelope, RecoveryReason.INVALID);
    }
    let record: SessionRecord | undefined;
    try {
      record = await this.recovery.sessions.take(request.session);
    } catch {
      return this.fresh(state, session, envelope, RecoveryReason.UNAVAILABLE);
    }
    // Unknown, expired and another user's: one answer, so the reply is no oracle.
    if (!record || record.userId !== state.userId) {
      return this.fresh(state, session, envelope, RecoveryReason.NO_SESSION);
    }
    session.id = request.session;
    session.restoring = record;
    // Closed while the record was being read: it goes back, for the client's next attempt.
    if (!state.isOpen) return this.recovery.persist(state, true);
    for (const [stream, start] of Object.entries(record.starts)) session.starts.set(stream, start);
    const rooms = record.rooms.filter((room) => this.rejoin(state, room));
    await state.subscribing;
    const { ruleOf } = this.recovery.options;
    const streams = [...rooms.map((room) => `room:${room}`), `user:${state.userId}`, 'all'].filter(
      (stream) => ruleOf(stream) !== undefined,
    );
    const held = session.held;
    const verdicts = await Promise.all(
      streams.map((stream) =>
        verdictOf(this.recovery.log, stream, {
          client: request.streams[stream],
          start: record.starts[stream],
          rule: ruleOf(stream)!,
          overflowed: held?.overflowed.has(stream) ?? false,
          session: { ...record, rooms: record.rooms },
        }),
      ),
    );
    const ignored = Object.keys(request.streams).filter((stream) => !streams.includes(stream));
    await runResumeHooks(state, { rooms, recovered: verdicts.every((v) => v.recovered) });
    this.answer(state, session, envelope, { rooms, verdicts, ignored });
  }

  /** A room of the record, joined again; false when it could not be (the room limit). */
  private rejoin(state: ConnectionState, room: string): boolean {
    try {
      this.join(state, room);
      return state.rooms.has(room);
    } catch {
      return false;
    }
  }

  /** Writes the replay, the reply and the held pushes after them, with nothing in between. */
  private answer(
    state: ConnectionState,
    session: ConnectionSession,
    envelope: Envelope,
    outcome: { rooms: string[]; verdicts: StreamVerdict[]; ignored: string[] },
  ): void {
    const { rooms, verdicts, ignored } = outcome;
    for (const v of verdicts) {
      for (const delivery of v.replay) state.writer.write(delivery.frame);
    }
    const streams: Record<string, unknown> = {};
    for (const v of verdicts) streams[v.stream] = streamEntry(v);
    for (const stream of ignored) {
      streams[stream] = { recovered: false, reason: RecoveryReason.NOT_MEMBER, replayed: 0 };
    }
    // A new id: a stale connection of the old session, closing later, cannot overwrite this one.
    session.id = newSessionId();
    session.restoring = undefined;
    session.starts.clear();
    for (const v of verdicts) if (v.top) session.starts.set(v.stream, v.top);
    this.recovery.persist(state);
    const recovered = verdicts.every((v) => v.recovered);
    const lost = verdicts.flatMap((v) => (v.recovered ? [] : [v.reason ?? 'unknown']));
    state.writer.meter?.resumed(recovered ? 'recovered' : 'partial', lost);
    if (envelope.id !== undefined) {
      reply(state, envelope.id, {
        session: session.id,
        recovered,
        windowMs: this.recovery.options.windowMs,
        rooms,
        streams,
      });
    }
    // Up to each top, the stream was replayed or is lost: not written again, held or late.
    session.replayedUpTo(verdicts.flatMap((v) => (v.top ? [{ stream: v.stream, ...v.top }] : [])));
    this.writeHeld(state, session);
  }

  /** A new session: nothing restored, nothing replayed; pushes held since the upgrade follow. */
  private async fresh(
    state: ConnectionState,
    session: ConnectionSession,
    envelope: Envelope,
    reason: RecoveryReasonCode,
  ): Promise<void> {
    session.id = newSessionId();
    session.restoring = undefined;
    session.starts.clear();
    const { log, options } = this.recovery;
    const streams = [`user:${state.userId}`, 'all'].filter((s) => options.ruleOf(s));
    await state.subscribing;
    const tops = await Promise.all(streams.map((s) => log.top(s).catch(() => undefined)));
    streams.forEach((stream, i) => {
      const top = tops[i];
      if (top && !session.starts.has(stream)) session.starts.set(stream, top);
    });
    this.recovery.persist(state);
    state.writer.meter?.resumed(reason);
    if (envelope.id !== undefined) {
      reply(state, envelope.id, {
        session: session.id,
        recovered: false,
        reason,
        windowMs: options.windowMs,
        rooms: [],
        streams: {},
      });
    }
    session.replayedUpTo([]);
    this.writeHeld(state, session);
  }

  /** The held pushes a verdict did not cover (those up to a stream's top were replayed or lost). */
  private writeHeld(state: ConnectionState, session: ConnectionSession): void {
    for (const delivery of session.release()) {
      if (session.replayed(delivery.position)) continue;
      state.writer.write(delivery.frame, delivery.volatile);
    }
  }
}
