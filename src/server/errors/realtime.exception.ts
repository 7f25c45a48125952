import { APP_ERROR_CODE_PATTERN, type ValidationDetail } from '../../protocol/index.js';

/**
 * Throw from a handler to answer with a coded error:
 * `throw new RealtimeException('NOT_YOUR_TURN', 'Wait for the other player')`.
 * The code must be UPPER_SNAKE_CASE; the message is shown to the client as is.
 */
export class RealtimeException extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: ValidationDetail[],
  ) {
    super(message);
    this.name = 'RealtimeException';
    if (!APP_ERROR_CODE_PATTERN.test(code)) {
      throw new TypeError(`RealtimeException code must be UPPER_SNAKE_CASE, got "${code}"`);
    }
  }
}
