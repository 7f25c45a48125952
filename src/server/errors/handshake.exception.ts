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

  static badRequest(message: string): HandshakeException {
    return new HandshakeException(400, HandshakeErrorCode.BAD_REQUEST, message);
  }
}
