import { HttpException, type INestApplication } from '@nestjs/common';
import { SubscribeMessage, WsException } from '@nestjs/websockets';
import jwt from 'jsonwebtoken';
import { ConnectionRegistry, RealtimeGateway } from '../../src/server/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { TEST_SECRET } from '../support/demo-app.js';
import { watchProcessProblems } from '../support/process-problems.js';
import { PROBE_GATEWAYS, ProbeGateway, startProbeApp } from '../support/probe-app.js';
import { TestSocket } from '../support/ws-client.js';

/**
 * The message envelope (protocol sections 2-4) and reliability section C, plus A6 and A13:
 * replies, pushes, coded errors, validation, hostile payloads, error hygiene and crash safety.
 */

type Message = Record<string, unknown>;

const sign = (
  sub: string,
  claims: Record<string, unknown> = {},
  expiresIn: number | '1h' = '1h',
): string => jwt.sign({ sub, ...claims }, TEST_SECRET, { algorithm: 'HS256', expiresIn });

/** Field names of a VALIDATION_FAILED error. */
function fieldsOf(reply: Message): string[] {
  const error = reply['error'] as { details?: { field: string }[] } | undefined;
  return (error?.details ?? []).map((d) => d.field);
}

const INTERNAL = { code: 'INTERNAL', message: 'Internal error' };

/** Extra handlers for codes the probe gateways do not raise. */
@RealtimeGateway('/ws')
class ExtraGateway {
  @SubscribeMessage('extra:too-fast')
  tooFast(): never {
    throw new HttpException('Slow down', 429);
  }

  @SubscribeMessage('extra:expired')
  expired(): never {
    throw new HttpException('Session no longer valid', 401);
  }

  @SubscribeMessage('extra:ws-app-error')
  wsAppError(): never {
    throw new WsException({ code: 'ROOM_FULL', message: 'The room is full' });
  }

  @SubscribeMessage('extra:http-500')
  http500(): never {
    throw new HttpException('database down at db.internal:5432', 500);
  }
}

describe('messages (protocol 2-4, reliability C, A6, A13)', () => {
  let app: INestApplication;
  let baseUrl: string;
  const sockets: TestSocket[] = [];
  const apps: INestApplication[] = [];

  const connect = async (
    sub = 'u-alice',
    options: { token?: string; path?: string; url?: string } = {},
  ) => {
    const socket = await TestSocket.connect(options.url ?? baseUrl, {
      token: options.token ?? sign(sub),
      path: options.path,
    });
    sockets.push(socket);
    return socket;
  };
  /** Proves that nothing else is on its way: a later request through the handler path must be answered first. */
  const barrier = async (socket: TestSocket, id = 'barrier'): Promise<void> => {
    expect(await socket.request('probe:echo', 'barrier', id)).toEqual({ id, data: 'barrier' });
    expect((await socket.request('$ping', undefined, `${id}-ping`))['data']).toEqual({
      t: expect.any(Number) as number,
    });
  };
  /** "Alive": a fresh valid connection is accepted and served. */
  const expectAlive = async (url = baseUrl): Promise<void> => {
    const socket = await connect('u-alive', { url });
    expect(await socket.request('probe:echo', 'alive', 'alive')).toEqual({
      id: 'alive',
      data: 'alive',
    });
  };

  beforeAll(async () => {
    ({ app, baseUrl } = await startProbeApp());
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });
  afterAll(async () => {
    await app.close();
  });

  describe('envelope (protocol 2 and 4)', () => {
    it('replies with the integer id of the request', async () => {
      const socket = await connect();
      expect(await socket.request('probe:echo', { a: 1 }, 7)).toEqual({ id: 7, data: { a: 1 } });
      expect(await socket.request('probe:echo', 'zero', 0)).toEqual({ id: 0, data: 'zero' });
      expect(await socket.request('probe:echo', 'neg', -3)).toEqual({ id: -3, data: 'neg' });
    });

    it('replies with the string id of the request, up to 64 characters', async () => {
      const socket = await connect();
      expect(await socket.request('probe:echo', [1, 2], 'req-1')).toEqual({
        id: 'req-1',
        data: [1, 2],
      });
      const long = 'k'.repeat(64);
      expect(await socket.request('probe:echo', true, long)).toEqual({ id: long, data: true });
    });

    it('sends exactly one reply per id, whatever the handler does', async () => {
      const socket = await connect();
      const events = [
        'probe:echo',
        'probe:nothing',
        'probe:observable',
        'probe:push',
        'probe:throw-sync',
        'probe:reject',
        'probe:observable-error',
        'probe:filter-rethrow',
        'probe:app-error',
        'probe:unserializable',
        'probe:does-not-exist',
        '$ping',
        '$nope',
      ];
      const replies = await Promise.all(
        events.map((event, i) => socket.request(event, { n: i }, `once-${i}`)),
      );
      replies.forEach((reply, i) => {
        expect(reply['id']).toBe(`once-${i}`);
        expect(Number('data' in reply) + Number('error' in reply)).toBe(1);
      });
      await barrier(socket);
      expect(socket.pending()).toEqual([]);
    });

    it('replies data: null when the handler returns nothing', async () => {
      const socket = await connect();
      const reply = await socket.request('probe:nothing', undefined, 'n');
      expect(reply).toEqual({ id: 'n', data: null });
      expect('data' in reply).toBe(true);
    });

    it('sends the push of a WsResponse returned to a message without id', async () => {
      const socket = await connect();
      socket.send({ event: 'probe:push', data: { x: 1 } });
      expect(await socket.nextEvent('probe:pushed')).toEqual({
        event: 'probe:pushed',
        data: { x: 1 },
      });
      await barrier(socket);
      expect(socket.pending()).toEqual([]);
    });

    it('replies the first value of an Observable once when there is an id', async () => {
      const socket = await connect();
      expect(await socket.request('probe:observable', undefined, 'obs')).toEqual({
        id: 'obs',
        data: 1,
      });
      await barrier(socket);
      expect(socket.pending()).toEqual([]);
    });

    it('sends nothing for an Observable of plain values without id, and keeps serving', async () => {
      const socket = await connect();
      socket.send({ event: 'probe:observable' });
      await barrier(socket);
      expect(socket.pending()).toEqual([]);
    });

    it('$ping with an id replies {t: server ms}', async () => {
      const socket = await connect();
      const before = Date.now();
      const reply = await socket.request('$ping', undefined, 'p');
      const after = Date.now();
      expect(reply).toEqual({ id: 'p', data: { t: expect.any(Number) as number } });
      const t = (reply['data'] as { t: number }).t;
      expect(t).toBeGreaterThanOrEqual(before);
      expect(t).toBeLessThanOrEqual(after);
    });

    it('$auth with a fresh token for the same sub replies {expiresAt} and replaces the principal', async () => {
      const socket = await connect('u-refresh');
      const fresh = sign('u-refresh', { v: 2 }, 7200);
      const exp = (jwt.decode(fresh) as { exp: number }).exp;
      expect(await socket.request('$auth', { token: fresh }, 'auth')).toEqual({
        id: 'auth',
        data: { expiresAt: exp * 1000 },
      });
      const [connection] = app.get(ConnectionRegistry).connectionsOf('u-refresh');
      expect(connection?.principal.claims['v']).toBe(2);
      expect(connection?.principal.expiresAt).toBe(exp * 1000);
    });

    it('$auth with a token of another user or an invalid token replies UNAUTHORIZED; the socket stays open', async () => {
      const socket = await connect('u-owner');
      const other = sign('u-intruder');
      const cases = [
        other,
        `${sign('u-owner').slice(0, -4)}AAAA`,
        sign('u-owner', {}, -60),
        jwt.sign({ sub: 'u-owner' }, 'another-secret-that-is-long-enough-0123456789', {
          algorithm: 'HS256',
        }),
        'not-a-jwt',
      ];
      for (const [i, token] of cases.entries()) {
        const reply = await socket.request('$auth', { token }, `bad-auth-${i}`);
        expect(reply).toEqual({
          id: `bad-auth-${i}`,
          error: { code: 'UNAUTHORIZED', message: expect.any(String) as string },
        });
        expect(JSON.stringify(reply)).not.toContain(token);
      }
      const whoami = await socket.request('probe:whoami', undefined, 'who');
      expect(whoami['data']).toMatchObject({ userId: 'u-owner' });
      expect(app.get(ConnectionRegistry).connectionsOf('u-intruder')).toEqual([]);
    });

    it('$auth without a token string is refused with a coded error, not INTERNAL', async () => {
      const socket = await connect();
      for (const data of [undefined, {}, { token: 5 }, 'token']) {
        const reply = await socket.request('$auth', data);
        const error = reply['error'] as { code: string };
        expect(['VALIDATION_FAILED', 'BAD_MESSAGE']).toContain(error.code);
      }
    });

    it('an unknown reserved event replies UNKNOWN_EVENT, or pushes $error naming it', async () => {
      const socket = await connect();
      expect(await socket.request('$foo', {}, 'foo')).toEqual({
        id: 'foo',
        error: { code: 'UNKNOWN_EVENT', message: expect.any(String) as string },
      });
      socket.send({ event: '$foo' });
      expect(await socket.nextEvent('$error')).toEqual({
        event: '$error',
        data: { code: 'UNKNOWN_EVENT', message: expect.any(String) as string, event: '$foo' },
      });
    });

    it('one connection reaches the handlers of every gateway on its path', async () => {
      const socket = await connect();
      expect(await socket.request('probe:echo', 'one', 1)).toEqual({ id: 1, data: 'one' });
      expect(await socket.request('second:hello', undefined, 2)).toEqual({
        id: 2,
        data: 'from second gateway',
      });
    });

    it('@Principal, @CurrentConnection and @ConnectedSocket give the sender', async () => {
      const socket = await connect('u-who');
      const reply = await socket.request('probe:whoami', undefined, 'w');
      const [connection] = app.get(ConnectionRegistry).connectionsOf('u-who');
      expect(reply).toEqual({
        id: 'w',
        data: { userId: 'u-who', sub: 'u-who', connectionId: connection?.id, sameSocket: true },
      });
    });

    it('an unserializable result replies INTERNAL and the socket keeps working', async () => {
      const socket = await connect();
      expect(await socket.request('probe:unserializable', undefined, 'big')).toEqual({
        id: 'big',
        error: INTERNAL,
      });
      expect(await socket.request('probe:echo', 'next', 'next')).toEqual({
        id: 'next',
        data: 'next',
      });
    });
  });

  describe('C1: malformed frames', () => {
    it.each([
      ['not JSON', 'not json{'],
      ['an empty frame', ''],
      ['null', 'null'],
      ['an array', '[]'],
      ['a number', '42'],
      ['a string', '"chat:send"'],
    ])('%s: $error BAD_MESSAGE without id', async (_name, frame) => {
      const socket = await connect();
      socket.send(frame);
      const push = await socket.nextEvent('$error');
      expect(push).toEqual({
        event: '$error',
        data: { code: 'BAD_MESSAGE', message: expect.any(String) as string },
      });
      expect(push).not.toHaveProperty('id');
      expect(await socket.request('probe:echo', 'ok', 'ok')).toEqual({ id: 'ok', data: 'ok' });
    });

    it('closes with 1008 after more than 20 malformed frames in the window; alive', async () => {
      const socket = await connect();
      for (let i = 0; i < 25; i++) socket.send(i % 2 ? 'not json{' : '[]');
      expect((await socket.closed).code).toBe(1008);
      const errors = socket.pending();
      expect(errors).toHaveLength(20);
      for (const e of errors)
        expect(e).toMatchObject({ event: '$error', data: { code: 'BAD_MESSAGE' } });
      await expectAlive();
    });

    it('counts malformed frames per connection: another socket of the same user is unaffected', async () => {
      const noisy = await connect('u-same');
      const quiet = await connect('u-same');
      for (let i = 0; i < 21; i++) noisy.send('nope');
      expect((await noisy.closed).code).toBe(1008);
      expect(await quiet.request('probe:echo', 'fine', 'q')).toEqual({ id: 'q', data: 'fine' });
    });
  });

  describe('C2: unknown and missing events, bad ids', () => {
    it('an unknown event replies UNKNOWN_EVENT with the request id', async () => {
      const socket = await connect();
      expect(await socket.request('probe:nope', { a: 1 }, 3)).toEqual({
        id: 3,
        error: { code: 'UNKNOWN_EVENT', message: expect.any(String) as string },
      });
    });

    it('an event of another path is unknown on this one', async () => {
      const socket = await connect();
      expect((await socket.request('hooks:ping', undefined, 'h'))['error']).toMatchObject({
        code: 'UNKNOWN_EVENT',
      });
    });

    it('an unknown event without id is a $error push naming the event', async () => {
      const socket = await connect();
      socket.send({ event: 'chat:sned', data: { text: 'hi' } });
      const push = await socket.nextEvent('$error');
      expect(push).toEqual({
        event: '$error',
        data: { code: 'UNKNOWN_EVENT', message: expect.any(String) as string, event: 'chat:sned' },
      });
      expect(JSON.stringify(push)).not.toContain('"hi"');
    });

    it.each([
      ['missing', {}],
      ['empty', { event: '' }],
      ['a number', { event: 42 }],
      ['129 characters', { event: 'e'.repeat(129) }],
      ['null', { event: null }],
    ])('event %s with an id: BAD_MESSAGE with that id', async (_name, fields) => {
      const socket = await connect();
      socket.send({ ...fields, id: 4, data: { x: 1 } });
      expect(await socket.next((m) => m['id'] === 4)).toEqual({
        id: 4,
        error: { code: 'BAD_MESSAGE', message: expect.any(String) as string },
      });
    });

    it('an event of 128 characters is a valid (unknown) event', async () => {
      const socket = await connect();
      expect((await socket.request('e'.repeat(128), undefined, 'len'))['error']).toMatchObject({
        code: 'UNKNOWN_EVENT',
      });
    });

    it.each([
      ['a float', 1.5],
      ['an object', { n: 1 }],
      ['an array', [1]],
      ['a 65-character string', 'x'.repeat(65)],
      ['a boolean', true],
      ['null', null],
      ['an unsafe integer', 2 ** 53],
    ])('id as %s: $error BAD_MESSAGE, no reply with that id', async (_name, id) => {
      const socket = await connect();
      socket.send({ event: 'probe:echo', data: 'x', id });
      expect(await socket.nextEvent('$error')).toEqual({
        event: '$error',
        data: { code: 'BAD_MESSAGE', message: expect.any(String) as string },
      });
      await barrier(socket);
      expect(socket.pending()).toEqual([]);
    });
  });

  describe('C3: payload validation', () => {
    it('wrong types: VALIDATION_FAILED listing the fields', async () => {
      const socket = await connect();
      const reply = await socket.request('probe:order', { quantity: 'five', note: 5 }, 'types');
      expect(reply).toEqual({
        id: 'types',
        error: {
          code: 'VALIDATION_FAILED',
          message: 'Payload validation failed',
          details: expect.any(Array) as unknown[],
        },
      });
      expect(fieldsOf(reply).sort()).toEqual(['note', 'quantity']);
      const details = (reply['error'] as { details: { errors: unknown[] }[] }).details;
      for (const d of details) {
        expect(d.errors.length).toBeGreaterThan(0);
        for (const e of d.errors) expect(typeof e).toBe('string');
      }
    });

    it('missing fields and out-of-range values: VALIDATION_FAILED listing the fields', async () => {
      const socket = await connect();
      expect(fieldsOf(await socket.request('probe:order', {})).sort()).toEqual([
        'note',
        'quantity',
      ]);
      expect(fieldsOf(await socket.request('probe:order', { quantity: 11, note: 'n' }))).toEqual([
        'quantity',
      ]);
      expect(
        fieldsOf(await socket.request('probe:order', { quantity: 2.5, note: '' })).sort(),
      ).toEqual(['note', 'quantity']);
    });

    it('extra fields are stripped by default and the handler gets a DTO instance', async () => {
      const socket = await connect();
      const reply = await socket.request(
        'probe:order',
        { quantity: 2, note: 'n', extra: 'drop me', isAdmin: true },
        'x',
      );
      expect(reply).toEqual({
        id: 'x',
        data: { ok: true, dto: { quantity: 2, note: 'n' }, isDto: true },
      });
    });

    it('valid nested objects pass, with extra nested fields stripped', async () => {
      const socket = await connect();
      const reply = await socket.request('probe:order', {
        quantity: 1,
        note: 'n',
        items: [{ name: 'a', evil: 1 }],
      });
      expect(reply['data']).toEqual({
        ok: true,
        dto: { quantity: 1, note: 'n', items: [{ name: 'a' }] },
        isDto: true,
      });
    });

    it('bad nested objects: VALIDATION_FAILED with dotted field paths', async () => {
      const socket = await connect();
      const empty = await socket.request('probe:order', {
        quantity: 1,
        note: 'n',
        items: [{ name: '' }],
      });
      expect(empty['error']).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(fieldsOf(empty)).toEqual(['items.0.name']);
      const second = await socket.request('probe:order', {
        quantity: 1,
        note: 'n',
        items: [{ name: 'a' }, { name: 5 }],
      });
      expect(fieldsOf(second)).toEqual(['items.1.name']);
      const notArray = await socket.request('probe:order', {
        quantity: 1,
        note: 'n',
        items: 'abc',
      });
      expect(notArray['error']).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(fieldsOf(notArray)).toContain('items');
    });

    it('with validation.forbidUnknownFields, extra fields are rejected with VALIDATION_FAILED', async () => {
      const strict = await startProbeApp({ validation: { forbidUnknownFields: true } });
      apps.push(strict.app);
      const socket = await connect('u-strict', { url: strict.baseUrl });
      const extra = await socket.request('probe:order', { quantity: 2, note: 'n', extra: 'no' });
      expect(extra['error']).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(fieldsOf(extra)).toEqual(['extra']);
      const nested = await socket.request('probe:order', {
        quantity: 2,
        note: 'n',
        items: [{ name: 'a', evil: 1 }],
      });
      expect(fieldsOf(nested)).toEqual(['items.0.evil']);
      expect((await socket.request('probe:order', { quantity: 2, note: 'n' }))['data']).toEqual({
        ok: true,
        dto: { quantity: 2, note: 'n' },
        isDto: true,
      });
    });
  });

  describe('C4: data of the wrong shape', () => {
    it.each([
      ['an array', [{ quantity: 1, note: 'n' }]],
      ['a number', 5],
      ['a string', '{"quantity":1,"note":"n"}'],
      ['null', null],
      ['a boolean', true],
      ['absent', undefined],
      ['an operator object', { $gt: '' }],
      ['operator values', { quantity: { $gt: 0 }, note: { $ne: null } }],
    ])('data as %s on probe:order: VALIDATION_FAILED, never INTERNAL', async (_name, data) => {
      const socket = await connect();
      const reply = await socket.request('probe:order', data, 'shape');
      expect(reply).toEqual({
        id: 'shape',
        error: {
          code: 'VALIDATION_FAILED',
          message: 'Payload validation failed',
          details: expect.any(Array) as unknown[],
        },
      });
      expect(await socket.request('probe:echo', 'next', 'next')).toEqual({
        id: 'next',
        data: 'next',
      });
    });

    it('a __proto__ key neither pollutes Object.prototype nor reaches the DTO', async () => {
      const socket = await connect();
      socket.send(
        '{"event":"probe:order","id":"proto","data":{"quantity":1,"note":"n","__proto__":{"polluted":true}}}',
      );
      const reply = await socket.next((m) => m['id'] === 'proto');
      if ('data' in reply) {
        expect(reply['data']).toEqual({ ok: true, dto: { quantity: 1, note: 'n' }, isDto: true });
      } else {
        expect(reply['error']).toMatchObject({ code: 'VALIDATION_FAILED' });
      }
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    });
  });

  describe('C6: large and deep payloads under maxPayload', () => {
    const deepArray = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const deepObject = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const frame = (id: string, data: string, event = 'probe:order') =>
      `{"event":"${event}","id":"${id}","data":${data}}`;

    it('rejects a 60 KiB string, a 10 000-element array and 5 000-deep nesting; others are served meanwhile', async () => {
      const attacker = await connect('u-attacker');
      const bystander = await connect('u-bystander');
      const frames = {
        bigString: frame('bigString', JSON.stringify({ quantity: 1, note: 'x'.repeat(60 * 1024) })),
        bigArray: frame(
          'bigArray',
          JSON.stringify({ quantity: 1, note: 'n', items: new Array(10_000).fill(0) }),
        ),
        bigTopArray: frame('bigTopArray', JSON.stringify(new Array(10_000).fill({}))),
        deepArray: frame('deepArray', deepArray(5000)),
        deepObject: frame('deepObject', deepObject(5000)),
        deepEcho: frame('deepEcho', deepArray(5000), 'probe:echo'),
      };
      for (const text of Object.values(frames)) expect(Buffer.byteLength(text)).toBeLessThan(65536);
      for (const text of Object.values(frames)) attacker.send(text);
      const served = bystander.request('probe:echo', 'served', 'by');
      const replies = await Promise.all(
        Object.keys(frames).map((id) => attacker.next((m) => m['id'] === id)),
      );
      expect(await served).toEqual({ id: 'by', data: 'served' });
      const codes = Object.fromEntries(
        replies.map((r) => [r['id'], (r['error'] as { code?: string } | undefined)?.code]),
      );
      expect(codes).toEqual({
        bigString: 'VALIDATION_FAILED',
        bigArray: 'VALIDATION_FAILED',
        bigTopArray: 'VALIDATION_FAILED',
        deepArray: expect.stringMatching(/^(VALIDATION_FAILED|BAD_MESSAGE)$/) as string,
        deepObject: expect.stringMatching(/^(VALIDATION_FAILED|BAD_MESSAGE)$/) as string,
        deepEcho: 'BAD_MESSAGE',
      });
      const bigString = replies.find((r) => r['id'] === 'bigString')!;
      expect(fieldsOf(bigString)).toEqual(['note']);
      expect(JSON.stringify(bigString)).not.toContain('x'.repeat(100));
      const bigArray = replies.find((r) => r['id'] === 'bigArray')!;
      expect(fieldsOf(bigArray)).toContain('items');
      // A 20 KB request must not earn a megabyte of errors: the details are capped.
      expect(fieldsOf(bigArray).length).toBeLessThanOrEqual(20);
      expect(JSON.stringify(bigArray).length).toBeLessThan(4096);
      expect(await attacker.request('probe:echo', 'still', 'still')).toEqual({
        id: 'still',
        data: 'still',
      });
      await expectAlive();
    });

    it('a moderately nested payload is still served', async () => {
      const socket = await connect();
      socket.send(frame('ten', deepArray(10), 'probe:echo'));
      expect(await socket.next((m) => m['id'] === 'ten')).toEqual({
        id: 'ten',
        data: JSON.parse(deepArray(10)) as unknown,
      });
    });
  });

  describe('C7, C8 and app codes: handler errors', () => {
    it('C7: a leaking error becomes a generic INTERNAL; the log has the detail with tokens redacted', async () => {
      const logger = new CapturingLogger();
      const logged = await startProbeApp({}, PROBE_GATEWAYS, { logger });
      apps.push(logged.app);
      const handshakeToken = sign('u-leak');
      const socket = await connect('u-leak', { url: logged.baseUrl, token: handshakeToken });
      const payloadToken = sign('u-victim', { role: 'admin' });

      const reply = await socket.request('probe:leak', { token: payloadToken }, 'leak');
      expect(reply).toEqual({ id: 'leak', error: INTERNAL });
      socket.send({ event: 'probe:leak', data: { token: payloadToken } });
      const push = await socket.nextEvent('$error');
      expect(push).toEqual({ event: '$error', data: { ...INTERNAL, event: 'probe:leak' } });
      for (const text of [JSON.stringify(reply), JSON.stringify(push)]) {
        for (const secret of [
          's3cr3t',
          'hunter2',
          'SELECT',
          'postgres',
          'db.internal',
          '5432',
          payloadToken,
          'eyJ',
        ]) {
          expect(text).not.toContain(secret);
        }
      }

      const leakLines = logger.lines.filter(
        (l) => l.startsWith('error ') && l.includes('probe:leak'),
      );
      expect(leakLines).toHaveLength(2);
      for (const line of leakLines) {
        expect(line).toContain('postgres://admin:s3cr3t@db.internal:5432');
        expect(line).toContain("SELECT * FROM users WHERE password='hunter2'");
        expect(line).toContain('u-leak');
        expect(line).toContain('[REDACTED]');
      }
      const [, , signature] = payloadToken.split('.');
      for (const line of logger.lines) {
        expect(line).not.toContain(payloadToken);
        expect(line).not.toContain(handshakeToken);
        expect(line).not.toContain(signature!);
      }
    });

    it('C1: malformed frames and unknown events write no log line', async () => {
      const logger = new CapturingLogger();
      const logged = await startProbeApp({}, PROBE_GATEWAYS, { logger });
      apps.push(logged.app);
      const socket = await connect('u-quiet', { url: logged.baseUrl });
      await socket.request('probe:echo', 'warm-up', 'warm');
      const before = logger.lines.length;
      for (const text of ['not json{', '', 'null', '[]', '{"event":"probe:echo","id":1.5}'])
        socket.send(text);
      socket.send({ event: 'probe:unknown' });
      for (let i = 0; i < 6; i++) await socket.nextEvent('$error');
      await barrier(socket);
      expect(logger.lines.slice(before)).toEqual([]);
    });

    const failing = [
      'probe:throw-sync',
      'probe:reject',
      'probe:observable-error',
      'probe:filter-rethrow',
    ];

    it.each(failing)(
      'C8: %s replies INTERNAL; the same socket is served next; no unhandled rejection',
      async (event) => {
        const watch = watchProcessProblems();
        try {
          const socket = await connect();
          expect(await socket.request(event, { any: 'thing' }, 'fail')).toEqual({
            id: 'fail',
            error: INTERNAL,
          });
          socket.send({ event });
          expect(await socket.nextEvent('$error')).toEqual({
            event: '$error',
            data: { ...INTERNAL, event },
          });
          expect(await socket.request('probe:echo', 'next', 'next')).toEqual({
            id: 'next',
            data: 'next',
          });
          await barrier(socket);
          expect(socket.pending()).toEqual([]);
          expect(watch.seen).toEqual([]);
        } finally {
          watch.stop();
        }
      },
    );

    it('C8: a burst of failures on one socket is answered one by one', async () => {
      const watch = watchProcessProblems();
      try {
        const socket = await connect();
        const replies = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            socket.request(failing[i % failing.length]!, undefined, `f${i}`),
          ),
        );
        for (const r of replies) expect(r['error']).toEqual(INTERNAL);
        expect(await socket.request('probe:echo', 'after', 'after')).toEqual({
          id: 'after',
          data: 'after',
        });
        expect(watch.seen).toEqual([]);
      } finally {
        watch.stop();
      }
    });

    it('an app code raised by a handler reaches the client as is', async () => {
      const socket = await connect();
      expect(await socket.request('probe:app-error', undefined, 'turn')).toEqual({
        id: 'turn',
        error: { code: 'NOT_YOUR_TURN', message: 'Wait for the other player' },
      });
      socket.send({ event: 'probe:app-error' });
      expect(await socket.nextEvent('$error')).toEqual({
        event: '$error',
        data: {
          code: 'NOT_YOUR_TURN',
          message: 'Wait for the other player',
          event: 'probe:app-error',
        },
      });
    });

    it('HTTP-style exceptions map to protocol codes (RATE_LIMITED, UNAUTHORIZED, app code, INTERNAL)', async () => {
      const extra = await startProbeApp({}, [ProbeGateway, ExtraGateway]);
      apps.push(extra.app);
      const socket = await connect('u-extra', { url: extra.baseUrl });
      expect(await socket.request('extra:too-fast', undefined, 1)).toEqual({
        id: 1,
        error: { code: 'RATE_LIMITED', message: expect.any(String) as string },
      });
      expect((await socket.request('extra:expired', undefined, 2))['error']).toMatchObject({
        code: 'UNAUTHORIZED',
      });
      expect(await socket.request('extra:ws-app-error', undefined, 3)).toEqual({
        id: 3,
        error: { code: 'ROOM_FULL', message: 'The room is full' },
      });
      expect(await socket.request('extra:http-500', undefined, 4)).toEqual({
        id: 4,
        error: INTERNAL,
      });
      expect(await socket.request('probe:echo', 'ok', 5)).toEqual({ id: 5, data: 'ok' });
    });
  });

  describe('A6: per-message authorization', () => {
    it('a token without the admin role gets FORBIDDEN and the socket stays open', async () => {
      for (const claims of [{}, { role: 'user' }, { role: ['admin'] }, { roles: ['admin'] }]) {
        const socket = await connect('u-user', { token: sign('u-user', claims) });
        const reply = await socket.request('probe:admin', undefined, 'adm');
        expect(reply).toEqual({
          id: 'adm',
          error: { code: 'FORBIDDEN', message: expect.any(String) as string },
        });
        expect(JSON.stringify(reply)).not.toContain('secret admin data');
        expect(await socket.request('probe:echo', 'open', 'open')).toEqual({
          id: 'open',
          data: 'open',
        });
      }
    });

    it('a FORBIDDEN without id is a $error push naming the event', async () => {
      const socket = await connect('u-user');
      socket.send({ event: 'probe:admin' });
      expect(await socket.nextEvent('$error')).toEqual({
        event: '$error',
        data: { code: 'FORBIDDEN', message: expect.any(String) as string, event: 'probe:admin' },
      });
    });

    it('a token with role admin gets the data', async () => {
      const socket = await connect('u-admin', { token: sign('u-admin', { role: 'admin' }) });
      expect(await socket.request('probe:admin', undefined, 'adm')).toEqual({
        id: 'adm',
        data: 'secret admin data',
      });
    });
  });

  describe('A13: failing handleConnection hooks', () => {
    it.each(['throw', 'reject', 'observable'])(
      'mode=%s: closed with 1011, no handler runs, no unhandled rejection, alive',
      async (mode) => {
        const watch = watchProcessProblems();
        try {
          const socket = await connect('u-hook', { path: `/hooks?mode=${mode}` });
          socket.send({ event: 'hooks:ping', id: 'early' });
          expect((await socket.closed).code).toBe(1011);
          expect(socket.pending()).toEqual([]);
          await expectAlive();
          const fine = await connect('u-hook', { path: '/hooks' });
          expect(await fine.request('hooks:ping', undefined, 'p')).toEqual({
            id: 'p',
            data: 'pong',
          });
          expect(watch.seen).toEqual([]);
        } finally {
          watch.stop();
        }
      },
    );

    it('mode=slow: messages sent right after open are handled, in order, once the hook settles', async () => {
      const socket = await connect('u-slow', { path: '/hooks?mode=slow' });
      for (const id of [1, 2, 3]) socket.send({ event: 'hooks:ping', id });
      // In order of arrival: the three replies, nothing else.
      const replies = [await socket.next(), await socket.next(), await socket.next()];
      expect(replies).toEqual([1, 2, 3].map((id) => ({ id, data: 'pong' })));
      expect(await socket.request('hooks:ping', undefined, 'later')).toEqual({
        id: 'later',
        data: 'pong',
      });
      expect(socket.pending()).toEqual([]);
    });
  });
});
