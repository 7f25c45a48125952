import { HandshakeErrorCode } from '../../protocol/index.js';

/**
 * Throw from a handshake guard to reject the HTTP Upgrade with a given status and code.
 * Returning `false` from a guard is the same as `HandshakeException.forbidden()`.
 */
export class HandshakeException extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HandshakeException';
  }

  static unauthorized(message = 'A valid bearer token is required'): HandshakeException {
    return new HandshakeException(401, HandshakeErrorCode.UNAUTHORIZED, message, {
      'WWW-Authenticate': 'Bearer',
    });
  }

  static forbidden(message = 'The handshake was refused'): HandshakeException {
    return new HandshakeException(403, HandshakeErrorCode.FORBIDDEN, message);
  }

  /** 503 `UNAVAILABLE` with `Retry-After`: the server is full or draining. */
  static unavailable(message: string, retryAfterSec: number): HandshakeException {
    return new HandshakeException(503, HandshakeErrorCode.UNAVAILABLE, message, {
      'Retry-After': String(retryAfterSec),
    });
  }

  /** 429 `TOO_MANY_CONNECTIONS` with `Retry-After`: the user has too many sockets open. */
  static tooManyConnections(message: string, retryAfterSec: number): HandshakeException {
    return new HandshakeException(429, HandshakeErrorCode.TOO_MANY_CONNECTIONS, message, {
      'Retry-After': String(retryAfterSec),
    });
  }

  /** 500 `INTERNAL`: the upgrade failed unexpectedly (the detail is logged, never sent). */
  static internal(): HandshakeException {
    return new HandshakeException(500, HandshakeErrorCode.INTERNAL, 'Internal error');
  }

  /** 404 `NOT_FOUND`: no gateway on the request's path. */
  static notFound(): HandshakeException {
    return new HandshakeException(
      404,
      HandshakeErrorCode.NOT_FOUND,
      'No WebSocket endpoint on this path',
    );
  }

  static badRequest(message: string): HandshakeException {
    return new HandshakeException(400, HandshakeErrorCode.BAD_REQUEST, message);
  }
}
