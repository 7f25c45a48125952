import { fakeJwt } from '../../test/client/fake-web-socket.js';
import { decodeBase64Url, MIN_REFRESH_DELAY_MS, readTokenExpiry, refreshDelay } from './token.js';

describe('readTokenExpiry', () => {
  it('reads exp (seconds) as ms without verifying the token', () => {
    expect(readTokenExpiry(fakeJwt({ sub: 'u1', exp: 1_763_683_200 }))).toBe(1_763_683_200_000);
  });

  it('decodes base64url with - and _ and without padding, and UTF-8 claims', () => {
    // "?>?" encodes to "Pz4_" in base64url: the payload holds the characters base64 lacks.
    const token = fakeJwt({ name: 'Zoë ?>?~~~', exp: 2_000_000_000 });
    const payload = token.split('.')[1] ?? '';
    expect(payload).toMatch(/[-_]/);
    expect(payload.endsWith('=')).toBe(false);
    expect(readTokenExpiry(token)).toBe(2_000_000_000_000);
    expect(JSON.parse(decodeBase64Url(payload))).toEqual({
      name: 'Zoë ?>?~~~',
      exp: 2_000_000_000,
    });
  });

  it('is undefined for a token without a numeric exp, or not a JWT', () => {
    expect(readTokenExpiry(fakeJwt({ sub: 'u1' }))).toBeUndefined();
    expect(readTokenExpiry(fakeJwt({ exp: '2030' }))).toBeUndefined();
    expect(readTokenExpiry('opaque-token')).toBeUndefined();
    expect(readTokenExpiry('a.%%%.c')).toBeUndefined();
    expect(readTokenExpiry(`a.${Buffer.from('[1]').toString('base64url')}.c`)).toBeUndefined();
  });
});

describe('refreshDelay', () => {
  const now = 1_000_000;

  it('refreshes beforeMs ahead of exp', () => {
    expect(refreshDelay(now + 3_600_000, now, 30_000)).toBe(3_570_000);
  });

  it('refreshes half-way for a token that lives shorter than beforeMs, never under 1 s', () => {
    expect(refreshDelay(now + 20_000, now, 30_000)).toBe(10_000);
    expect(refreshDelay(now + 1_500, now, 30_000)).toBe(MIN_REFRESH_DELAY_MS);
  });

  it('is undefined for an expired token', () => {
    expect(refreshDelay(now, now, 30_000)).toBeUndefined();
    expect(refreshDelay(now - 1, now, 30_000)).toBeUndefined();
  });
});
