import { Logger } from '@nestjs/common';
import { isObservable, type Observable } from 'rxjs';
import type { RawData } from 'ws';
import {
  CloseCode,
  ErrorCode,
  isMessageId,
  MAX_EVENT_LENGTH,
  ReservedEvent,
  RESERVED_EVENT_PREFIX,
  type ErrorPayload,
  type MessageId,
} from '../../protocol/index.js';
import { InvalidTokenError, type TokenVerifier } from '../auth/token-verifier.js';
import { redact } from '../errors/redact.js';
import { INTERNAL_MESSAGE, toErrorPayload } from '../errors/to-error-payload.js';
import { isExpired, scheduleExpiry } from '../lifecycle/session-expiry.js';
import type { ResolvedRealtimeOptions } from '../realtime.options.js';
import { MAX_BACKLOG, type BoundHandler, type Session } from './session.js';

interface Envelope {
  event: string;
  data: unknown;
  id: MessageId | undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Whether objects and arrays nest deeper than `maxDepth`. The recursion stops at `maxDepth + 1`
 * levels whatever the input, so it cannot overflow the stack; it allocates nothing.
 */
export function exceedsDepth(value: unknown, maxDepth: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (maxDepth <= 0) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (exceedsDepth(value[i], maxDepth - 1)) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) if (exceedsDepth(record[key], maxDepth - 1)) return true;
  return false;
}

function isWsResponse(value: unknown): value is { event: string; data: unknown } {
  return isObject(value) && typeof value['event'] === 'string' && 'data' in value;
}

/**
 * The envelope of protocol sections 2-4 for one connection at a time: parses a frame, checks it,
 * answers reserved events, runs the Nest handler and sends exactly one reply per `id` (or a
 * `$error` push when there is no `id`). Nothing a client sends or a handler throws escapes.
 */
export class MessageDispatcher {
  private readonly logger = new Logger('RealtimeAdapter');

  private readonly toleranceMs: number;

  constructor(
    private readonly options: ResolvedRealtimeOptions,
    private readonly verifier: TokenVerifier,
  ) {
    this.toleranceMs = options.jwt.clockToleranceSec * 1000;
  }

  /** Entry point for every `message` event of a socket. */
  onMessage(session: Session, raw: RawData, isBinary: boolean): void {
    session.alive = true;
    if (session.failed) return;
    if (session.pendingHooks > 0) return this.hold(session, raw, isBinary);
    this.handle(session, raw, isBinary);
  }

  /** Handles the messages held while connection hooks ran. */
  replay(session: Session): void {
    const held = session.backlog;
    session.backlog = [];
    for (const [raw, isBinary] of held) this.onMessage(session, raw, isBinary);
  }

  private hold(session: Session, raw: RawData, isBinary: boolean): void {
    if (session.backlog.length >= MAX_BACKLOG) {
      session.connection.close(CloseCode.POLICY_VIOLATION, 'Too many messages before ready');
      return;
    }
    session.backlog.push([raw, isBinary]);
  }

  private handle(session: Session, raw: RawData, isBinary: boolean): void {
    if (isBinary) {
      session.connection.close(CloseCode.UNSUPPORTED_DATA, 'Binary frames are not supported');
      return;
    }
    // No handler runs for an expired session, even before its expiry timer has fired.
    if (isExpired(session, this.toleranceMs)) {
      session.connection.close(CloseCode.TOKEN_EXPIRED, 'Token expired');
      return;
    }
    const envelope = this.parse(session, raw);
    if (!envelope) return;
    if (!session.bucket.take(Date.now())) {
      return this.rateLimited(session, envelope, 'Message rate exceeded');
    }
    if (envelope.event.startsWith(RESERVED_EVENT_PREFIX)) return this.reserved(session, envelope);
    const handler = session.handlers.get(envelope.event);
    if (!handler) {
      return this.fail(session, envelope, {
        code: ErrorCode.UNKNOWN_EVENT,
        message: 'No handler for this event',
      });
    }
    this.schedule(session, envelope, handler);
  }

  /** `RATE_LIMITED`, and 4429 once the client keeps at it within the window. */
  private rateLimited(session: Session, envelope: Envelope, message: string): void {
    const now = Date.now();
    if (now - session.rateWindowStart > this.options.badMessageWindowMs) {
      session.rateWindowStart = now;
      session.rateLimited = 0;
    }
    session.rateLimited++;
    if (session.rateLimited > this.options.limits.rateLimitedBeforeClose) {
      session.connection.close(CloseCode.RATE_EXCEEDED, 'Message rate exceeded');
      return;
    }
    this.fail(session, envelope, { code: ErrorCode.RATE_LIMITED, message });
  }

  /** Runs the handler now, or queues it while the connection has too many in flight. */
  private schedule(session: Session, envelope: Envelope, handler: BoundHandler): void {
    const run = (): void => this.invoke(session, envelope, handler);
    if (session.inFlight < this.options.limits.concurrentHandlers) return run();
    if (session.queue.length >= this.options.limits.queuedMessages) {
      return this.rateLimited(session, envelope, 'Too many requests in flight');
    }
    session.queue.push(run);
  }

  /** A handler finished: start the next queued one (none once the socket is closed). */
  private release(session: Session): void {
    session.inFlight--;
    if (!session.connection.isOpen) {
      session.queue.length = 0;
      return;
    }
    session.queue.shift()?.();
  }

  private parse(session: Session, raw: RawData): Envelope | undefined {
    let message: unknown;
    try {
      message = JSON.parse(raw.toString());
    } catch {
      return this.bad(session, undefined, undefined, 'Message is not valid JSON');
    }
    if (!isObject(message))
      return this.bad(session, undefined, undefined, 'Message must be a JSON object');
    const { event, id, data } = message;
    if (id !== undefined && !isMessageId(id)) {
      return this.bad(
        session,
        undefined,
        undefined,
        '"id" must be an integer or a string of at most 64 characters',
      );
    }
    if (typeof event !== 'string' || event.length === 0 || event.length > MAX_EVENT_LENGTH) {
      return this.bad(
        session,
        id,
        undefined,
        `"event" must be a string of 1-${MAX_EVENT_LENGTH} characters`,
      );
    }
    if (exceedsDepth(data, this.options.maxDepth)) {
      return this.bad(
        session,
        id,
        event,
        `"data" nests deeper than ${this.options.maxDepth} levels`,
      );
    }
    return { event, data, id };
  }

  /** A malformed message: coded error, no log line, and 1008 once the client keeps at it. */
  private bad(
    session: Session,
    id: MessageId | undefined,
    event: string | undefined,
    message: string,
  ): undefined {
    const now = Date.now();
    if (now - session.badWindowStart > this.options.badMessageWindowMs) {
      session.badWindowStart = now;
      session.badMessages = 0;
    }
    session.badMessages++;
    if (session.badMessages > this.options.maxBadMessages) {
      session.connection.close(CloseCode.POLICY_VIOLATION, 'Too many malformed messages');
      return undefined;
    }
    this.fail(
      session,
      { id, event: event ?? '', data: undefined },
      { code: ErrorCode.BAD_MESSAGE, message },
      event !== undefined,
    );
    return undefined;
  }

  private reserved(session: Session, envelope: Envelope): void {
    switch (envelope.event) {
      case ReservedEvent.PING:
        if (envelope.id !== undefined) this.reply(session, envelope.id, { t: Date.now() });
        return;
      case ReservedEvent.AUTH:
        return this.refreshToken(session, envelope);
      default:
        this.fail(session, envelope, {
          code: ErrorCode.UNKNOWN_EVENT,
          message: 'Unknown reserved event',
        });
    }
  }

  /** `$auth`: a fresh token for the same user replaces the connection's principal. */
  private refreshToken(session: Session, envelope: Envelope): void {
    const token = isObject(envelope.data) ? envelope.data['token'] : undefined;
    if (typeof token !== 'string' || token.length === 0) {
      return this.fail(session, envelope, {
        code: ErrorCode.VALIDATION_FAILED,
        message: 'Payload validation failed',
        details: [{ field: 'token', errors: ['token must be a non-empty string'] }],
      });
    }
    const connection = session.connection;
    try {
      const principal = this.verifier.verify(token);
      if (principal.userId !== connection.userId) {
        return this.fail(session, envelope, {
          code: ErrorCode.UNAUTHORIZED,
          message: 'Token is for another user',
        });
      }
      connection.principal = principal;
      scheduleExpiry(session, this.toleranceMs);
      if (envelope.id !== undefined)
        this.reply(session, envelope.id, { expiresAt: principal.expiresAt });
    } catch (error) {
      const message = error instanceof InvalidTokenError ? error.message : 'Invalid token';
      this.fail(session, envelope, { code: ErrorCode.UNAUTHORIZED, message });
    }
  }

  private invoke(session: Session, envelope: Envelope, handler: BoundHandler): void {
    session.inFlight++;
    let result: unknown;
    try {
      result = handler(envelope.data, envelope.event);
    } catch (error) {
      this.handlerFailed(session, envelope, error);
      return this.release(session);
    }
    if (result instanceof Promise) {
      result.then(
        (value) => {
          // Reply first, then start the next queued handler: its pushes come after this reply.
          this.settle(session, envelope, value);
          this.release(session);
        },
        (error) => {
          this.handlerFailed(session, envelope, error);
          this.release(session);
        },
      );
      return;
    }
    this.settle(session, envelope, result);
    this.release(session);
  }

  private settle(session: Session, envelope: Envelope, value: unknown): void {
    if (isObservable(value)) return this.settleObservable(session, envelope, value);
    if (envelope.id !== undefined) return this.reply(session, envelope.id, value ?? null);
    if (isWsResponse(value)) this.push(session, value.event, value.data);
  }

  /** With an `id`: the first value is the reply. Without: every `WsResponse` value is pushed. */
  private settleObservable(
    session: Session,
    envelope: Envelope,
    source: Observable<unknown>,
  ): void {
    const { id } = envelope;
    let replied = false;
    const subscription = source.subscribe({
      next: (value) => {
        if (id === undefined) {
          if (isWsResponse(value)) this.push(session, value.event, value.data);
          return;
        }
        if (replied) return;
        replied = true;
        this.reply(session, id, value ?? null);
        queueMicrotask(() => subscription?.unsubscribe());
      },
      error: (error: unknown) => {
        if (!replied) this.handlerFailed(session, envelope, error);
      },
      complete: () => {
        if (id !== undefined && !replied) {
          replied = true;
          this.reply(session, id, null);
        }
      },
    });
  }

  private handlerFailed(session: Session, envelope: Envelope, error: unknown): void {
    let payload = toErrorPayload(error);
    if (!payload) {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.logger.error(
        `Handler for "${envelope.event}" failed (connection ${session.connection.id}, user ${session.connection.userId}): ${redact(detail)}`,
      );
      payload = { code: ErrorCode.INTERNAL, message: INTERNAL_MESSAGE };
    }
    this.fail(session, envelope, payload);
  }

  /** Sends an error: as the reply when there is an `id`, else as a `$error` push. */
  private fail(session: Session, envelope: Envelope, error: ErrorPayload, withEvent = true): void {
    if (envelope.id !== undefined) {
      this.send(session, { id: envelope.id, error });
      return;
    }
    const data = withEvent && envelope.event ? { ...error, event: envelope.event } : error;
    this.push(session, ReservedEvent.ERROR, data);
  }

  private reply(session: Session, id: MessageId, data: unknown): void {
    this.send(session, { id, data });
  }

  private push(session: Session, event: string, data: unknown): void {
    this.send(session, { event, data });
  }

  private send(session: Session, message: object): void {
    let frame: string;
    try {
      frame = JSON.stringify(message);
    } catch (error) {
      this.logger.error(`A reply could not be serialized: ${redact(String(error))}`);
      const id = (message as { id?: MessageId }).id;
      frame = JSON.stringify(
        id === undefined
          ? {
              event: ReservedEvent.ERROR,
              data: { code: ErrorCode.INTERNAL, message: INTERNAL_MESSAGE },
            }
          : { id, error: { code: ErrorCode.INTERNAL, message: INTERNAL_MESSAGE } },
      );
    }
    session.connection.sendFrame(frame);
  }
}
