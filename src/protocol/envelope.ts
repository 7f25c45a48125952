import type { ValidationDetail } from './error-codes.js';
import { MAX_ID_LENGTH } from './reserved-events.js';

/** A correlation id: an integer, or a string of at most 64 characters. */
export type MessageId = number | string;

/** Client to server. */
export interface ClientMessage<E extends string = string, D = unknown> {
  event: E;
  data?: D;
  id?: MessageId;
}

/** The `error` object of a failed reply or of a `$error` push. */
export interface ErrorPayload {
  code: string;
  message: string;
  details?: ValidationDetail[];
}

/** Server to client: the one reply to a message that had an `id`. */
export type ReplyMessage<D = unknown> =
  { id: MessageId; data: D; error?: never } | { id: MessageId; error: ErrorPayload; data?: never };

/** Server to client: a push. */
export interface PushMessage<E extends string = string, D = unknown> {
  event: E;
  data: D;
}

/** `data` of a `$error` push. */
export interface ErrorPushData extends ErrorPayload {
  /** The client's event, when it is known. */
  event?: string;
}

/** `data` of the reply to `$ping`. */
export interface PingReply {
  t: number;
}

/** `data` of a `$auth` request and of its reply. */
export interface AuthRequest {
  token: string;
}
export interface AuthReply {
  /** New expiry of the session, ms since the epoch; `null` when the token has no `exp`. */
  expiresAt: number | null;
}

/** Body of a rejected handshake (protocol section 1). */
export interface HandshakeErrorBody {
  error: { code: string; message: string };
}

export type ServerMessage = ReplyMessage | PushMessage;

/** Whether `value` is a valid correlation id. */
export function isMessageId(value: unknown): value is MessageId {
  if (typeof value === 'number') return Number.isSafeInteger(value);
  return typeof value === 'string' && value.length <= MAX_ID_LENGTH;
}
