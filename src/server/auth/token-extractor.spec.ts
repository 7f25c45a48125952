import type { IncomingMessage } from 'node:http';
import { HandshakeException } from '../errors/handshake.exception.js';
import { extractToken } from './token-extractor.js';

const all = { header: true, subprotocol: true, query: true, cookie: 'rt' } as const;

function request(headers: Record<string, string>, path = '/ws') {
  const req = { headers, url: path } as unknown as IncomingMessage;
  return { req, url: new URL(path, 'http://localhost') };
}

describe('extractToken', () => {
  it('takes the URL lazily: parsed only when the query is looked at', () => {
    const { req, url } = request({ authorization: 'Bearer from-header' }, '/ws?access_token=q');
    let parsed = 0;
    const lazy = (): URL => (parsed++, url);
    expect(extractToken(req, lazy, all)).toBe('from-header');
    expect(parsed).toBe(0);
    expect(extractToken(req, lazy, { ...all, header: false })).toBe('q');
    expect(parsed).toBe(1);
  });

  it('takes the first source found: header, subprotocol, query, cookie', () => {
    const full = request(
      {
        authorization: 'Bearer from-header',
        'sec-websocket-protocol': 'realtime.v1, bearer.from-protocol',
        cookie: 'a=b; rt=from-cookie',
      },
      '/ws?access_token=from-query',
    );
    expect(extractToken(full.req, full.url, all)).toBe('from-header');
    expect(extractToken(full.req, full.url, { ...all, header: false })).toBe('from-protocol');
    expect(extractToken(full.req, full.url, { ...all, header: false, subprotocol: false })).toBe(
      'from-query',
    );
    expect(
      extractToken(full.req, full.url, {
        header: false,
        subprotocol: false,
        query: false,
        cookie: 'rt',
      }),
    ).toBe('from-cookie');
  });

  it('returns undefined without credentials or with every source off', () => {
    const { req, url } = request({ authorization: 'Bearer x' });
    expect(extractToken(request({}).req, request({}).url, all)).toBeUndefined();
    expect(
      extractToken(req, url, { header: false, subprotocol: false, query: false, cookie: false }),
    ).toBeUndefined();
  });

  it('refuses two bearer subprotocol entries and a malformed Authorization header', () => {
    const two = request({ 'sec-websocket-protocol': 'realtime.v1, bearer.a, bearer.b' });
    expect(() => extractToken(two.req, two.url, all)).toThrow(HandshakeException);
    const basic = request({ authorization: 'Basic dXNlcjpwYXNz' });
    expect(() => extractToken(basic.req, basic.url, all)).toThrow(/Bearer/);
  });
});
