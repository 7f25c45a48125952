import {
  ClientErrorCode,
  ErrorCode,
  RealtimeClientError,
  RequestError,
} from '../../client/index.js';
import { describe as describeFailure } from './notices.js';

/** What an end user must never read: a code, the SDK's class names, a close code. */
const SDK_WORDING = /[A-Z]{2,}_[A-Z]|[A-Z]{5,}|Realtime|RequestError|\b\d{4}\b|maxQueue|timed out/;

/** Codes of the demo's gateways (src/demo/chat, ticker, game). */
const DEMO_CODES = [
  'USER_OFFLINE',
  'TOO_MANY_SYMBOLS',
  'GAME_NOT_FOUND',
  'GAME_OVER',
  'NOT_YOUR_TURN',
  'CELL_TAKEN',
  'CONNECTION_CLOSED',
];

describe('failures as the user reads them', () => {
  it('has a sentence of its own for each failed connection attempt the client reports', () => {
    const codes = [
      ClientErrorCode.TOKEN_FAILED,
      ClientErrorCode.CONNECT_TIMEOUT,
      ClientErrorCode.UNREACHABLE,
    ];
    const texts = codes.map((code) => describeFailure(new RealtimeClientError(code, code)));
    expect(texts.filter((text) => text.startsWith('Something went wrong'))).toEqual([]);
    expect(new Set(texts).size).toBe(codes.length);
  });

  it('turns every SDK, protocol and demo code into a plain sentence', () => {
    const codes = [...Object.values(ClientErrorCode), ...Object.values(ErrorCode), ...DEMO_CODES];
    for (const code of codes) {
      const error = new RealtimeClientError(code, `${code}: developer wording (4429)`);
      const text = describeFailure(error);
      expect({ code, text, sdkWording: SDK_WORDING.test(text) }).toEqual({
        code,
        text: expect.stringMatching(/^[A-Z].*\.$/),
        sdkWording: false,
      });
    }
  });

  it('says what happened, never the SDK’s message', () => {
    const timeout = new RequestError('chat:send', ClientErrorCode.TIMEOUT, 'Request timed out');
    expect(describeFailure(timeout)).toBe('The server did not answer in time.');
    const full = new RequestError('chat:send', ClientErrorCode.QUEUE_FULL, 'maxQueue 50');
    expect(describeFailure(full)).toBe(
      'Too much is waiting to be sent. Try again once you are back online.',
    );
    const offline = RequestError.fromReply('chat:direct', {
      code: 'USER_OFFLINE',
      message: 'That user is not connected',
    });
    expect(describeFailure(offline)).toBe('They are not online any more.');
    const unknown = new RealtimeClientError('SOMETHING_NEW', 'Internal detail');
    expect(describeFailure(unknown)).toBe('Something went wrong. Try again.');
  });

  it('reads a failed fetch as an unreachable server, and keeps the page’s own messages', () => {
    expect(describeFailure(new TypeError('Failed to fetch'))).toBe(
      'The demo server cannot be reached.',
    );
    expect(describeFailure(new Error('name must be shorter than or equal to 32 characters'))).toBe(
      'Name must be shorter than or equal to 32 characters.',
    );
  });
});
