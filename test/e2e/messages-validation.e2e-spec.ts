import { fieldsOf, useMessagesHarness } from '../support/messages-harness.js';
import { startProbeApp } from '../support/probe-app.js';

/**
 * Reliability C3, C4 and C6: payload validation, data of the wrong shape, and large or deeply
 * nested payloads under maxPayload.
 */

describe('messages (protocol 2-4, reliability C, A6, A13)', () => {
  const { connect, expectAlive, apps } = useMessagesHarness();

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
});
