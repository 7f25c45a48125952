/**
 * Stable error codes of `realtime.v1` (protocol section 3). Clients switch on these strings;
 * never rename one. Applications add their own codes in UPPER_SNAKE_CASE.
 */
export const ErrorCode = {
  BAD_MESSAGE: 'BAD_MESSAGE',
  UNKNOWN_EVENT: 'UNKNOWN_EVENT',
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL: 'INTERNAL',
  /** A Nest `BadRequestException` (400) that is not a validation error. */
  BAD_REQUEST: 'BAD_REQUEST',
  /** A Nest `NotFoundException` (404) thrown by a handler. */
  NOT_FOUND: 'NOT_FOUND',
  /** A Nest `ConflictException` (409) thrown by a handler. */
  CONFLICT: 'CONFLICT',
  /**
   * An error the application raised without a code of its own: a `WsException` with a plain
   * string (other than Nest's guard refusal), or an `HttpException` of a 4xx status that has no
   * code above. The message is the exception's. Prefer `RealtimeException` with an app code.
   */
  ERROR: 'ERROR',
  /** `registry.join()` over `limits.roomsPerConnection` (the handler's reply when it joined). */
  TOO_MANY_ROOMS: 'TOO_MANY_ROOMS',
} as const;

export type ProtocolErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Error codes of a rejected HTTP Upgrade (protocol section 1). */
export const HandshakeErrorCode = {
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  TOO_MANY_CONNECTIONS: 'TOO_MANY_CONNECTIONS',
  UNAVAILABLE: 'UNAVAILABLE',
  /** 500: the upgrade failed unexpectedly (logged server-side, never detailed to the client). */
  INTERNAL: 'INTERNAL',
} as const;

export type HandshakeErrorCodeValue = (typeof HandshakeErrorCode)[keyof typeof HandshakeErrorCode];

/** An application code: upper snake case, e.g. `NOT_YOUR_TURN`. */
export const APP_ERROR_CODE_PATTERN = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

/** One field of a `VALIDATION_FAILED` error. */
export interface ValidationDetail {
  /** Dotted path of the field, e.g. `text` or `items.0.name`; empty for the payload itself. */
  field: string;
  errors: string[];
}
