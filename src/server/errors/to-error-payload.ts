import { HttpException } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { ErrorCode, APP_ERROR_CODE_PATTERN, type ErrorPayload } from '../../protocol/index.js';
import { RealtimeException } from './realtime.exception.js';

const HTTP_CODES: Readonly<Record<number, string>> = {
  400: ErrorCode.BAD_REQUEST,
  401: ErrorCode.UNAUTHORIZED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  409: ErrorCode.CONFLICT,
  429: ErrorCode.RATE_LIMITED,
};

/** Nest's guard rejection message (`WsException('Forbidden resource')`). */
const NEST_FORBIDDEN = 'Forbidden resource';

export const INTERNAL_MESSAGE = 'Internal error';

function fromWsException(error: WsException): ErrorPayload | undefined {
  const body = error.getError();
  if (typeof body === 'string') {
    if (body === NEST_FORBIDDEN) return { code: ErrorCode.FORBIDDEN, message: body };
    return { code: ErrorCode.ERROR, message: body };
  }
  if (body && typeof body === 'object') {
    const { code, message } = body as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && APP_ERROR_CODE_PATTERN.test(code)) {
      return { code, message: typeof message === 'string' ? message : code };
    }
    // Nest's documented `new WsException({ status: 'error', message })`: the message is meant
    // for the client, the object has no code of ours.
    if (typeof message === 'string') return { code: ErrorCode.ERROR, message };
  }
  return undefined;
}

function fromHttpException(error: HttpException): ErrorPayload {
  const status = error.getStatus();
  const code = HTTP_CODES[status] ?? (status >= 500 ? ErrorCode.INTERNAL : ErrorCode.ERROR);
  if (code === ErrorCode.INTERNAL) return { code, message: INTERNAL_MESSAGE };
  const body = error.getResponse();
  const messages =
    typeof body === 'object' && body ? (body as { message?: unknown }).message : undefined;
  // Nest's ValidationPipe (e.g. a global one) throws 400 with a list of messages.
  if (status === 400 && Array.isArray(messages) && messages.every((m) => typeof m === 'string')) {
    return {
      code: ErrorCode.VALIDATION_FAILED,
      message: 'Payload validation failed',
      details: [{ field: '', errors: messages }],
    };
  }
  return { code, message: error.message };
}

/**
 * Maps anything a handler threw to the `error` of a reply. Returns `undefined` for an error
 * that is not meant for the client: the caller logs it and answers `INTERNAL`.
 */
export function toErrorPayload(error: unknown): ErrorPayload | undefined {
  if (error instanceof RealtimeException) {
    const payload: ErrorPayload = { code: error.code, message: error.message };
    if (error.details) payload.details = error.details;
    return payload;
  }
  if (error instanceof WsException) return fromWsException(error);
  if (error instanceof HttpException) {
    const payload = fromHttpException(error);
    return payload.code === ErrorCode.INTERNAL ? undefined : payload;
  }
  return undefined;
}
