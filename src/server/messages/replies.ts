import { Logger } from '@nestjs/common';
import {
  ErrorCode,
  ReservedEvent,
  type ErrorPayload,
  type MessageId,
} from '../../protocol/index.js';
import type { ConnectionState } from '../connection/connection-state.js';
import { redact } from '../errors/redact.js';
import { HandledByFilter } from '../filters/handled-by-filter.js';
import { INTERNAL_MESSAGE, toErrorPayload } from '../errors/to-error-payload.js';

/** A client message as the handlers see it (protocol section 2). */
export interface Envelope {
  readonly event: string;
  readonly data: unknown;
  readonly id: MessageId | undefined;
}

const logger = new Logger('RealtimeAdapter');

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
  state.writer.write(serialize(id, { id, data }));
}

/** A push: `{event, data}`. */
export function push(state: ConnectionState, event: string, data: unknown): void {
  state.writer.write(serialize(undefined, { event, data }));
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
  if (envelope.id !== undefined) {
    state.writer.write(serialize(envelope.id, { id: envelope.id, error }));
    return;
  }
  const data = withEvent && envelope.event ? { ...error, event: envelope.event } : error;
  push(state, ReservedEvent.ERROR, data);
}

/** A handler threw or rejected: its coded error, or `INTERNAL` (logged, tokens redacted). */
export function handlerFailed(state: ConnectionState, envelope: Envelope, error: unknown): void {
  // The app's filter handled it (and logged it if it wanted): a request still gets its error.
  if (error instanceof HandledByFilter) {
    if (envelope.id === undefined) return;
    return fail(state, envelope, toErrorPayload(error.original) ?? INTERNAL);
  }
  let payload = toErrorPayload(error);
  if (!payload) {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    logger.error(
      `Handler for "${envelope.event}" failed (connection ${state.id}, user ${state.userId}): ${redact(detail)}`,
    );
    payload = INTERNAL;
  }
  fail(state, envelope, payload);
}
