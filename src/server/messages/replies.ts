import { Logger } from '@nestjs/common';
import {
  ErrorCode,
  ReservedEvent,
  type ErrorPayload,
  type MessageId,
} from '../../protocol/index.js';
import type { ConnectionState } from '../connection/connection-state.js';
import { redact } from '../errors/redact.js';
import { EventLog } from '../logging/event-log.js';
import { HandledByFilter } from '../filters/handled-by-filter.js';
import { INTERNAL_MESSAGE, toErrorPayload } from '../errors/to-error-payload.js';

/** A client message as the handlers see it (protocol section 2). */
export interface Envelope {
  readonly event: string;
  readonly data: unknown;
  readonly id: MessageId | undefined;
}

const logger = new Logger('RealtimeAdapter');
/** Handler failures: one line each (with the stack), a flood of them held to a burst per 10 s. */
const events = new EventLog(logger);

const INTERNAL: ErrorPayload = { code: ErrorCode.INTERNAL, message: INTERNAL_MESSAGE };

/** The frame of a reply or push; `INTERNAL` in its place when the data cannot be serialized. */
function serialize(id: MessageId | undefined, message: object): string {
  try {
    return JSON.stringify(message);
  } catch (error) {
    logger.error(`A reply could not be serialized: ${redact(String(error))}`);
    return JSON.stringify(
      id === undefined ? { event: ReservedEvent.ERROR, data: INTERNAL } : { id, error: INTERNAL },
    );
  }
}

/** The reply to a message with an `id`: `{id, data}`. */
export function reply(state: ConnectionState, id: MessageId, data: unknown): void {
  const sent = state.writer.write(serialize(id, { id, data }));
  if (sent && state.writer.meter) state.writer.meter.replies++;
}

/** A push: `{event, data}`. False when nothing was sent. */
export function push(state: ConnectionState, event: string, data: unknown): boolean {
  return state.writer.write(serialize(undefined, { event, data }));
}

/**
 * Sends an error: as the reply when there is an `id`, else as a `$error` push that names the
 * client's event (unless `withEvent` is false: the event was not read).
 */
export function fail(
  state: ConnectionState,
  envelope: Pick<Envelope, 'event' | 'id'>,
  error: ErrorPayload,
  withEvent = true,
): void {
  const meter = state.writer.meter;
  meter?.statsOf(envelope.event, state.handlers.has(envelope.event)).answered(error.code);
  let sent: boolean;
  if (envelope.id !== undefined) {
    sent = state.writer.write(serialize(envelope.id, { id: envelope.id, error }));
  } else {
    const data = withEvent && envelope.event ? { ...error, event: envelope.event } : error;
    sent = push(state, ReservedEvent.ERROR, data);
  }
  if (sent && meter) meter.errors++;
}

/** A handler threw or rejected: its coded error, or `INTERNAL` (logged, tokens redacted). */
export function handlerFailed(state: ConnectionState, envelope: Envelope, error: unknown): void {
  // The app's filter handled it (and logged it if it wanted): a request still gets its error.
  if (error instanceof HandledByFilter) {
    if (envelope.id === undefined) {
      const code = toErrorPayload(error.original)?.code ?? ErrorCode.INTERNAL;
      state.writer.meter?.statsOf(envelope.event, true).answered(code);
      return;
    }
    return fail(state, envelope, toErrorPayload(error.original) ?? INTERNAL);
  }
  let payload = toErrorPayload(error);
  if (!payload) {
    const fields = {
      event: envelope.event,
      id: envelope.id,
      connection: state.id,
      user: state.userId,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
    events.write(
      'error',
      'handler_failed',
      fields,
      error instanceof Error ? error.stack : undefined,
    );
    payload = INTERNAL;
  }
  fail(state, envelope, payload);
}
