import type { INestApplication, Type } from '@nestjs/common';
import {
  AllowGuard,
  calls,
  CountInterceptor,
  CountPipe,
  CountFilter,
  FilteredGateway,
  GuardedGateway,
  InterceptedGateway,
  MethodFilterGateway,
  MethodGuardGateway,
  MethodInterceptorGateway,
  MethodPipeGateway,
  PipedGateway,
  PlainGateway,
} from '../support/direct-path-app.js';
import { sign, type Message } from '../support/messages-harness.js';
import { startProbeApp, type ProbeAppExtras } from '../support/probe-app.js';
import { TestSocket } from '../support/ws-client.js';

/**
 * Handlers with no guard, interceptor, pipe or filter of the app's are called directly, without
 * Nest's per-message promise chain; with one (global, on the gateway or on the method) Nest's
 * chain runs. Either way a client sees the same replies.
 */

const ORDER = { quantity: 2, note: 'n', extra: 'stripped', items: [{ name: 'a', x: 1 }] };

/** [event, data]: every kind of parameter, result and error. */
const SCENARIOS: [string, unknown][] = [
  ['sem:dto', ORDER],
  ['sem:dto', { quantity: 'x', note: '' }],
  ['sem:dto', 'not an object'],
  ['sem:dto', [1]],
  ['sem:dto', null],
  ['sem:key', { order: ORDER, tag: 't' }],
  ['sem:key', { tag: 't' }],
  ['sem:key', { order: { quantity: 11 } }],
  ['sem:raw', { a: 1, b: [null] }],
  ['sem:raw', 'text'],
  ['sem:who', null],
  ['sem:async-dto', { handle: 'free' }],
  ['sem:async-dto', { handle: 'taken' }],
  ['sem:throw', 'realtime'],
  ['sem:throw', 'http'],
  ['sem:throw', 'ws'],
  ['sem:throw', 'crash'],
  ['sem:observable', false],
  ['sem:observable', true],
  ['sem:promise', false],
  ['sem:promise', true],
  ['sem:void', 1],
  ['sem:push', 1],
];

interface Run {
  replies: Message[];
  pushed: Message;
  isDirect: (event: string) => Promise<unknown>;
}

describe('the direct handler path', () => {
  const apps: INestApplication[] = [];
  const sockets: TestSocket[] = [];
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });

  async function run(gateway: Type, extras: ProbeAppExtras = {}): Promise<Run> {
    const { app, baseUrl } = await startProbeApp({}, [gateway, AllowGuard], extras);
    apps.push(app);
    const socket = await TestSocket.connect(baseUrl, { token: sign('u-alice') });
    sockets.push(socket);
    const replies: Message[] = [];
    for (const [index, [event, data]] of SCENARIOS.entries()) {
      replies.push(await socket.request(event, data, index));
    }
    const pushed = socket.next((m) => m['event'] === 'pushed');
    socket.send({ event: 'sem:push', data: 'no id' });
    const isDirect = async (event: string) =>
      (await socket.request('sem:direct', event, `direct-${event}`))['data'];
    return { replies, pushed: await pushed, isDirect };
  }

  it('is taken when the app adds nothing, and answers as the scenarios expect', async () => {
    const plain = await run(PlainGateway);
    expect(await plain.isDirect('sem:dto')).toBe(true);
    expect(await plain.isDirect('sem:who')).toBe(true);
    const [dto, invalid] = plain.replies;
    expect(dto?.['data']).toEqual({
      isInstance: true,
      dto: { quantity: 2, note: 'n', items: [{ name: 'a' }] },
    });
    expect(invalid?.['error']).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(plain.replies[10]?.['data']).toEqual({ same: true, userId: 'u-alice' });
    expect(plain.replies[12]?.['error']).toMatchObject({
      details: [{ field: 'handle', errors: ['handle is taken'] }],
    });
    expect(plain.replies[16]?.['error']).toMatchObject({ code: 'INTERNAL' });
    expect(plain.pushed).toEqual({ event: 'pushed', data: 'no id' });
  });

  const WITH_ENHANCERS: [string, () => Promise<Run>, keyof typeof calls][] = [
    ['a gateway guard', () => run(GuardedGateway), 'guard'],
    ['a gateway interceptor', () => run(InterceptedGateway), 'interceptor'],
    ['a gateway pipe', () => run(PipedGateway), 'pipe'],
    ['a gateway filter', () => run(FilteredGateway), 'filter'],
    ['a method guard', () => run(MethodGuardGateway), 'guard'],
    ['a method pipe', () => run(MethodPipeGateway), 'pipe'],
    ['a method filter', () => run(MethodFilterGateway), 'filter'],
    ['a global guard', () => run(PlainGateway, { configure: globalGuard }), 'guard'],
    ['a global pipe', () => run(PlainGateway, { configure: globalPipe }), 'pipe'],
    [
      'a global interceptor',
      () => run(PlainGateway, { configure: globalInterceptor }),
      'interceptor',
    ],
  ];

  for (const [name, start, counter] of WITH_ENHANCERS) {
    it(`with ${name}, Nest's chain runs it and the replies are the same`, async () => {
      const plain = await run(PlainGateway);
      const before = calls[counter];
      const enhanced = await start();
      expect(calls[counter]).toBeGreaterThan(before);
      expect(await enhanced.isDirect('sem:dto')).toBe(false);
      expect(enhanced.replies).toEqual(plain.replies);
      expect(enhanced.pushed).toEqual(plain.pushed);
    });
  }

  // Nest tries the module's rethrowing class filter before global ones, so a global filter
  // never sees a realtime handler's error (as before); its handlers still take Nest's chain.
  it("with a global filter, Nest's chain is taken and the replies are the same", async () => {
    const plain = await run(PlainGateway);
    const before = calls.filter;
    const filtered = await run(PlainGateway, { configure: globalFilter });
    expect(calls.filter).toBe(before);
    expect(await filtered.isDirect('sem:dto')).toBe(false);
    expect(filtered.replies).toEqual(plain.replies);
  });

  it("with a method's interceptor, only that handler takes Nest's chain", async () => {
    const plain = await run(PlainGateway);
    const before = calls.interceptor;
    const mixed = await run(MethodInterceptorGateway);
    expect(calls.interceptor).toBeGreaterThan(before);
    expect(await mixed.isDirect('sem:dto')).toBe(false);
    expect(await mixed.isDirect('sem:raw')).toBe(true);
    expect(mixed.replies).toEqual(plain.replies);
  });
});

function globalPipe(app: INestApplication): void {
  app.useGlobalPipes(new CountPipe());
}

function globalInterceptor(app: INestApplication): void {
  app.useGlobalInterceptors(new CountInterceptor());
}

function globalGuard(app: INestApplication): void {
  app.useGlobalGuards(new AllowGuard());
}

function globalFilter(app: INestApplication): void {
  app.useGlobalFilters(new CountFilter());
}
