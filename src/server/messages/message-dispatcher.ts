import type { RawData } from 'ws';
import {
  CloseCode,
  ErrorCode,
  parseClientMessage,
  RESERVED_EVENT_PREFIX,
} from '../../protocol/index.js';
import type { CloseVerdict } from '../connection/inbound-limits.js';
import { MAX_BACKLOG, type ConnectionState } from '../connection/connection-state.js';
import { isExpired } from '../connection/token-expiry.js';
import type { ResolvedRealtimeOptions } from '../realtime.options.js';
import type { SessionResumer } from '../recovery/session-resumer.js';
import { HandlerRunner } from './handler-runner.js';
import { fail, type Envelope } from './replies.js';
import { ReservedEvents, type RefreshPrincipal } from './reserved-events.js';

/**
 * The way of one client frame (protocol sections 2-4): held while connection hooks run, refused
 * when binary or after the token expired, parsed, counted against the inbound limits, then
 * answered as a reserved event or run by its gateway handler. Every failure is a coded reply
 * or `$error` push; a limit's verdict is the only thing that closes the socket here.
 */
export class MessageDispatcher {
  private readonly toleranceMs: number;
  private readonly runner: HandlerRunner;
  private readonly reserved: ReservedEvents;

  constructor(
    private readonly options: ResolvedRealtimeOptions,
    /** How `$auth` checks a new token (the upgrade's guards, verification and mapping). */
    refresh: RefreshPrincipal,
    /** Answers `$resume` (with the `recovery` option). */
    resumer?: SessionResumer,
  ) {
    this.toleranceMs = options.jwt.clockToleranceSec * 1000;
    this.runner = new HandlerRunner(options.limits);
    this.reserved = new ReservedEvents(refresh, this.toleranceMs, resumer);
  }

  /** Entry point for every `message` event of a socket. */
  onMessage(state: ConnectionState, raw: RawData, isBinary: boolean): void {
    state.alive = true;
    // A close is decided: what already ran gets its reply before the close frame, nothing new runs.
    if (state.failed || state.writer.isClosing) return;
    if (state.pendingHooks > 0) return this.hold(state, raw, isBinary);
    this.handle(state, raw, isBinary);
  }

  /** Handles the messages held while connection hooks ran. */
  replay(state: ConnectionState): void {
    const held = state.backlog;
    state.backlog = [];
    for (const [raw, isBinary] of held) this.onMessage(state, raw, isBinary);
  }

  private hold(state: ConnectionState, raw: RawData, isBinary: boolean): void {
    if (state.backlog.length >= MAX_BACKLOG) {
      state.close(CloseCode.POLICY_VIOLATION, 'Too many messages before ready');
      return;
    }
    state.backlog.push([raw, isBinary]);
  }

  private handle(state: ConnectionState, raw: RawData, isBinary: boolean): void {
    if (isBinary) {
      state.close(CloseCode.UNSUPPORTED_DATA, 'Binary frames are not supported');
      return;
    }
    // No handler runs for an expired token, even before its expiry timer has fired.
    const now = Date.now();
    if (isExpired(state, this.toleranceMs, now)) {
      state.close(CloseCode.TOKEN_EXPIRED, 'Token expired');
      return;
    }
    const envelope = this.parse(state, raw);
    if (!envelope) return;
    if (!state.limits.admit(now)) {
      return this.rateLimited(state, envelope, 'Message rate exceeded');
    }
    if (envelope.event.startsWith(RESERVED_EVENT_PREFIX)) {
      return this.reserved.handle(state, envelope);
    }
    const handler = state.handlers.get(envelope.event);
    if (!handler) {
      return fail(state, envelope, {
        code: ErrorCode.UNKNOWN_EVENT,
        message: 'No handler for this event',
      });
    }
    if (!this.runner.schedule(state, envelope, handler)) {
      this.rateLimited(state, envelope, 'Too many requests in flight');
    }
  }

  /** A malformed message: coded error, no log line, and 1008 once the client keeps at it. */
  private parse(state: ConnectionState, raw: RawData): Envelope | undefined {
    const parsed = parseClientMessage(raw.toString(), this.options.maxDepth);
    if (parsed.ok) return parsed;
    const verdict = state.limits.malformed(Date.now());
    if (verdict) return this.closeWith(state, verdict);
    const { id, event, reason } = parsed;
    const envelope = { id, event: event ?? '' };
    fail(state, envelope, { code: ErrorCode.BAD_MESSAGE, message: reason }, event !== undefined);
    return undefined;
  }

  /** `RATE_LIMITED`, and 4429 once the client keeps at it within the window. */
  private rateLimited(state: ConnectionState, envelope: Envelope, message: string): void {
    const verdict = state.limits.rateLimited(Date.now());
    if (verdict) return this.closeWith(state, verdict);
    fail(state, envelope, { code: ErrorCode.RATE_LIMITED, message });
  }

  private closeWith(state: ConnectionState, verdict: CloseVerdict): undefined {
    state.close(verdict.code, verdict.reason);
    return undefined;
  }
}
