import {
  BadRequestException,
  ForbiddenException,
  InternalServerErrorException,
} from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { RealtimeException } from './realtime.exception.js';
import { toErrorPayload } from './to-error-payload.js';

describe('toErrorPayload', () => {
  it('keeps the code, message and details of a RealtimeException', () => {
    const details = [{ field: 'text', errors: ['too long'] }];
    expect(toErrorPayload(new RealtimeException('VALIDATION_FAILED', 'bad', details))).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'bad',
      details,
    });
  });

  it('maps Nest guard rejections and HTTP exceptions to protocol codes', () => {
    expect(toErrorPayload(new WsException('Forbidden resource'))?.code).toBe('FORBIDDEN');
    expect(toErrorPayload(new ForbiddenException('no'))).toEqual({
      code: 'FORBIDDEN',
      message: 'no',
    });
    expect(toErrorPayload(new WsException({ code: 'GAME_OVER', message: 'done' }))).toEqual({
      code: 'GAME_OVER',
      message: 'done',
    });
  });

  it('turns a global ValidationPipe error into VALIDATION_FAILED', () => {
    const error = new BadRequestException(['text must be a string']);
    expect(toErrorPayload(error)).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'Payload validation failed',
      details: [{ field: '', errors: ['text must be a string'] }],
    });
  });

  it('returns undefined (INTERNAL, logged) for anything unexpected', () => {
    expect(toErrorPayload(new Error('password=hunter2'))).toBeUndefined();
    expect(toErrorPayload(new InternalServerErrorException('db down'))).toBeUndefined();
    expect(toErrorPayload('a string')).toBeUndefined();
  });

  it('refuses app codes that are not UPPER_SNAKE_CASE', () => {
    expect(() => new RealtimeException('notYourTurn', 'x')).toThrow(/UPPER_SNAKE_CASE/);
  });
});
