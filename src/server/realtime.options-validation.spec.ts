import { KeyObject } from 'node:crypto';
import { generateKeyPairSync } from 'node:crypto';
import { InProcessBroker } from './broker/in-process/in-process.broker.js';
import { InProcessBus } from './broker/in-process/in-process.bus.js';
import { InProcessPresenceStore } from './broker/in-process/in-process.presence-store.js';
import { RealtimeConfigError, resolveRealtimeOptions } from './realtime.options-validation.js';

const secret = 'a-secret-that-is-at-least-thirty-two-characters-long';

describe('resolveRealtimeOptions', () => {
  it('applies the documented defaults', () => {
    const options = resolveRealtimeOptions({ jwt: { secret } });
    expect(options.jwt.algorithms).toEqual(['HS256']);
    expect(options.jwt.clockToleranceSec).toBe(5);
    expect(options.jwt.secret).toBeInstanceOf(KeyObject);
    expect(options.tokenSources).toEqual({
      header: true,
      subprotocol: true,
      query: true,
      cookie: false,
    });
    expect(options.allowedOrigins).toBe('same-origin');
    expect(options.maxPayload).toBe(65536);
    expect(options.maxDepth).toBe(32);
    expect(options.maxBadMessages).toBe(20);
    expect(options.validation).toEqual({ forbidUnknownFields: false });
  });

  it('defaults to RS256 with a public key', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const options = resolveRealtimeOptions({ jwt: { publicKey: pem } });
    expect(options.jwt.algorithms).toEqual(['RS256']);
    expect(options.jwt.publicKey).toBeInstanceOf(KeyObject);
  });

  it.each([
    [{}, /no JWT key configured/],
    [{ jwt: { secret: 'short' } }, /shorter than 32 characters/],
    [{ jwt: { secret, algorithms: [] } }, /non-empty list/],
    [{ jwt: { secret, algorithms: ['RS256' as const] } }, /do not fit a shared secret/],
    [{ jwt: { secret, clockToleranceSec: 300 } }, /between 0 and 30/],
    [{ jwt: { secret }, maxPayload: -1 }, /"maxPayload" must be an integer of at least 1/],
    [{ jwt: { secret }, maxDepth: 1.5 }, /"maxDepth" must be an integer of at least 1/],
    [{ jwt: { secret }, allowedOrigins: ['not a url'] }, /is not a URL/],
    [{ jwt: { secret }, allowedOrigins: ['https://app.example.com/'] }, /exact origin/],
    [{ jwt: { secret }, tokenSources: { cookie: '' } }, /cookie name or false/],
    [{ jwt: { verify: 'jwtService' } }, /"jwt.verify" must be a function/],
    [{ jwt: { secret, verify: () => ({}) } }, /not both: your verify function/],
    [{ jwt: { secret }, principal: { userIdClaim: '' } }, /"principal.userIdClaim" must be/],
    [{ jwt: { secret }, principal: { userId: 'id' } }, /"principal.userId" must be a function/],
    [{}, /"jwt.verify" to verify with your own JwtService/],
  ])('rejects %j with a message that says how to fix it', (options, message) => {
    expect(() => resolveRealtimeOptions(options as never)).toThrow(RealtimeConfigError);
    expect(() => resolveRealtimeOptions(options as never)).toThrow(message);
  });

  it('does not require a key when the app brings its own handshake guards', () => {
    expect(() => resolveRealtimeOptions({ handshakeGuards: [] })).not.toThrow();
  });

  it('refuses both a secret and a public key', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => resolveRealtimeOptions({ jwt: { secret, publicKey } })).toThrow(/not both/);
  });

  it('takes a verify function instead of a key, and defaults the principal to sub and claims', () => {
    const verify = () => ({ sub: 'x' });
    const resolved = resolveRealtimeOptions({ jwt: { verify } });
    expect(resolved.jwt.verify).toBe(verify);
    expect(resolved.principal.userIdClaim).toBe('sub');
    const principal = { userId: 'x', claims: { sub: 'x' }, expiresAt: null };
    expect(resolved.principal.requestUser(principal)).toBe(principal.claims);
  });

  describe('broker', () => {
    const bus = new InProcessBus();
    const presence = new InProcessPresenceStore();

    it('takes a bus and a presence store of the app, or a broker', () => {
      expect(resolveRealtimeOptions({ jwt: { secret }, broker: { bus, presence } }).broker).toEqual(
        {
          bus,
          presence,
        },
      );
      const broker = new InProcessBroker();
      expect(resolveRealtimeOptions({ jwt: { secret }, broker }).broker).toBe(broker);
      expect(resolveRealtimeOptions({ jwt: { secret } }).broker).toBeUndefined();
    });

    it.each([
      [{ bus, presence: {} }, /"broker.presence" must be a PresenceStore, but it has no start\(\)/],
      [
        { bus: { ...bus, publish: 1 }, presence },
        /"broker.bus" must be a RealtimeBus, but it has no start\(\), stop\(\), publish\(\), subscribe\(\)/,
      ],
      [{ presence }, /"broker.bus" must be a RealtimeBus/],
      [null, /"broker.bus" must be a RealtimeBus.*extend RealtimeBus and PresenceStore/],
    ])('refuses %p with a message that says how to fix it', (broker, message) => {
      const options = { jwt: { secret }, broker } as never;
      expect(() => resolveRealtimeOptions(options)).toThrow(RealtimeConfigError);
      expect(() => resolveRealtimeOptions(options)).toThrow(message);
    });

    it('refuses "broker" beside "redis"', () => {
      const redis = { url: 'redis://127.0.0.1:6379' };
      expect(() =>
        resolveRealtimeOptions({ jwt: { secret }, redis, broker: { bus, presence } }),
      ).toThrow(/set "redis" or "broker", not both/);
    });
  });

  it('caps publications on Redis at 1 MiB unless told otherwise, and refuses a tiny cap', () => {
    const url = 'redis://127.0.0.1:6379';
    expect(resolveRealtimeOptions({ jwt: { secret }, redis: { url } }).redis).toMatchObject({
      maxMessageBytes: 1048576,
    });
    expect(() =>
      resolveRealtimeOptions({ jwt: { secret }, redis: { url, maxMessageBytes: 100 } }),
    ).toThrow(/"redis.maxMessageBytes" must be an integer of at least 1024, got 100/);
  });
});
