import { JwtService } from '@nestjs/jwt';
import { signExpiredTestToken, signShortLivedTestToken, signTestToken } from './tokens.js';

const SECRET = 'a-test-secret-long-enough-for-hs256-0123456789abcdef';
const jwt = new JwtService();
const NOW = Date.UTC(2030, 0, 1, 12, 0, 0, 250);
const NOW_SEC = Math.floor(NOW / 1000);

function header(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as Record<
    string,
    unknown
  >;
}

describe('test tokens', () => {
  it('signs HS256 claims valid for an hour that the secret verifies', () => {
    const token = signTestToken(SECRET, { sub: 'alice', name: 'Alice' });
    const claims = jwt.verify<Record<string, unknown>>(token, {
      secret: SECRET,
      algorithms: ['HS256'],
    });
    expect(claims).toMatchObject({ sub: 'alice', name: 'Alice' });
    expect((claims['exp'] as number) - (claims['iat'] as number)).toBe(3600);
    expect(header(token)).toMatchObject({ alg: 'HS256' });
  });

  it('takes lifetime, nbf, iss, aud, algorithm and time from options; claims win', () => {
    const token = signTestToken(
      SECRET,
      { sub: 'bob', aud: 'mine' },
      {
        expiresInSec: 60,
        notBeforeSec: 5,
        issuer: 'tests',
        audience: 'theirs',
        algorithm: 'HS512',
        now: NOW,
      },
    );
    expect(jwt.decode(token)).toEqual({
      sub: 'bob',
      iat: NOW_SEC,
      exp: NOW_SEC + 60,
      nbf: NOW_SEC + 5,
      iss: 'tests',
      aud: 'mine',
    });
    expect(header(token)).toMatchObject({ alg: 'HS512' });
  });

  it('signs an expired token that verification refuses', () => {
    const token = signExpiredTestToken(SECRET, { sub: 'carol' }, { expiredSecAgo: 30 });
    expect(() => jwt.verify(token, { secret: SECRET, algorithms: ['HS256'] })).toThrow(
      /jwt expired/,
    );
    const claims = jwt.decode<{ exp: number; iat: number }>(token);
    expect(claims.exp - claims.iat).toBe(-30);
  });

  it('signs a short-lived token expiring at the first whole second after its lifetime', () => {
    const { token, expiresAt } = signShortLivedTestToken(
      SECRET,
      { sub: 'dave' },
      { lifetimeMs: 1500, now: NOW },
    );
    expect(expiresAt).toBe((NOW_SEC + 2) * 1000);
    expect(expiresAt).toBeGreaterThanOrEqual(NOW + 1500);
    expect(jwt.decode<{ exp: number }>(token).exp * 1000).toBe(expiresAt);
    expect(() => signShortLivedTestToken(SECRET, { sub: 'e' }, { lifetimeMs: 0 })).toThrow(
      /lifetimeMs must be > 0/,
    );
  });
});
