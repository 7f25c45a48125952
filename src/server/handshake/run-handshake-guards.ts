import { HttpException, type LoggerService } from '@nestjs/common';
import { HandshakeErrorCode } from '../../protocol/index.js';
import { TIMED_OUT, within } from '../common/within.js';
import type { HandshakeContext, HandshakeGuard } from './handshake-guard.js';
import type { RealtimePrincipal } from '../auth/principal.js';
import { HandshakeException } from '../errors/handshake.exception.js';
import { redact } from '../errors/redact.js';

class GuardTimeout extends Error {}

async function runAll(guards: HandshakeGuard[], context: HandshakeContext): Promise<void> {
  for (const guard of guards) {
    if (!(await guard.canHandshake(context))) throw HandshakeException.forbidden();
  }
}

interface GuardLimits {
  timeoutMs: number;
  retryAfterSec: number;
}

function principalOf(context: HandshakeContext): RealtimePrincipal {
  if (!context.principal) {
    throw HandshakeException.unauthorized('No guard authenticated the request');
  }
  return context.principal;
}

async function finishAsync(
  pending: Promise<boolean>,
  rest: HandshakeGuard[],
  context: HandshakeContext,
  limits: GuardLimits,
  logger: LoggerService,
): Promise<RealtimePrincipal> {
  const work = (async () => {
    if (!(await pending)) throw HandshakeException.forbidden();
    await runAll(rest, context);
  })();
  try {
    if ((await within(work, limits.timeoutMs)) === TIMED_OUT) throw new GuardTimeout();
  } catch (error) {
    throw toHandshakeException(error, logger, limits);
  }
  return principalOf(context);
}

/**
 * Runs a path's handshake guards in order and returns the principal they established. Guards
 * that answer synchronously (the JWT guard does) cost no promise and no timer; from the first
 * guard that returns a promise on, the rest must settle within `timeoutMs`. Every refusal is
 * thrown (or rejected) as a `HandshakeException`.
 */
export function runHandshakeGuards(
  guards: HandshakeGuard[],
  context: HandshakeContext,
  limits: GuardLimits,
  logger: LoggerService,
): RealtimePrincipal | Promise<RealtimePrincipal> {
  for (let i = 0; i < guards.length; i++) {
    let result: boolean | Promise<boolean>;
    try {
      result = guards[i]!.canHandshake(context);
    } catch (error) {
      throw toHandshakeException(error, logger, limits);
    }
    if (result instanceof Promise) {
      return finishAsync(result, guards.slice(i + 1), context, limits, logger);
    }
    if (!result) throw HandshakeException.forbidden();
  }
  return principalOf(context);
}

/** Maps what a guard threw to an HTTP refusal; unexpected errors are logged and become 500. */
function toHandshakeException(
  error: unknown,
  logger: LoggerService,
  limits: GuardLimits,
): HandshakeException {
  if (error instanceof HandshakeException) return error;
  if (error instanceof GuardTimeout) {
    logger.warn?.(`Handshake guards took longer than ${limits.timeoutMs} ms; refused with 503`);
    return HandshakeException.unavailable('Handshake timed out', limits.retryAfterSec);
  }
  if (error instanceof HttpException && error.getStatus() < 500) {
    const status = error.getStatus();
    if (status === 401) return HandshakeException.unauthorized(error.message);
    const code = status === 403 ? HandshakeErrorCode.FORBIDDEN : HandshakeErrorCode.BAD_REQUEST;
    return new HandshakeException(status, code, error.message);
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  logger.error(`Handshake guard failed: ${redact(detail)}`);
  return HandshakeException.internal();
}
