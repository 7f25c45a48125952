import { toPrincipal } from './principal-mapper.js';
import { InvalidTokenError } from './token-verifier.errors.js';

const sub = { userIdClaim: 'sub', userId: undefined };

describe('toPrincipal', () => {
  it('reads sub as a string, and expiresAt from exp', () => {
    expect(toPrincipal({ sub: 'alice', exp: 10 }, sub)).toEqual({
      userId: 'alice',
      claims: { sub: 'alice', exp: 10 },
      expiresAt: 10_000,
    });
  });

  it('refuses a missing, empty or numeric sub (RFC 7519: a string)', () => {
    for (const claims of [{}, { sub: '' }, { sub: 42 }]) {
      expect(() => toPrincipal(claims, sub)).toThrow(new InvalidTokenError('Token has no subject'));
    }
  });

  it('accepts a safe integer from a claim the app chose, as its text', () => {
    const id = { userIdClaim: 'id', userId: undefined };
    expect(toPrincipal({ id: 7 }, id).userId).toBe('7');
    expect(toPrincipal({ id: 'u7' }, id).userId).toBe('u7');
    for (const claims of [{ id: 1.5 }, { id: 2 ** 60 }, { id: {} }, { sub: 'x' }]) {
      expect(() => toPrincipal(claims, id)).toThrow('Token has no user id');
    }
  });

  it('uses the userId function first; a throw or an unusable value refuses the token', () => {
    const fn = (userId: (claims: Readonly<Record<string, unknown>>) => unknown) => ({
      userIdClaim: 'sub',
      userId,
    });
    expect(
      toPrincipal(
        { sub: 3 },
        fn((c) => c['sub']),
      ).userId,
    ).toBe('3');
    expect(() =>
      toPrincipal(
        {},
        fn(() => undefined),
      ),
    ).toThrow('Token has no user id');
    expect(() =>
      toPrincipal(
        {},
        fn(() => {
          throw new Error('boom');
        }),
      ),
    ).toThrow('Token has no user id');
  });
});
