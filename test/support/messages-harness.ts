import type { INestApplication } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { TEST_SECRET } from './demo-app.js';
import { startProbeApp } from './probe-app.js';
import { TestSocket } from './ws-client.js';

/**
 * Shared setup of the messages e2e suites (test/e2e/messages-*.e2e-spec.ts): the message
 * envelope (protocol sections 2-4) and reliability section C, plus A6 and A13.
 */

export type Message = Record<string, unknown>;

export const sign = (
  sub: string,
  claims: Record<string, unknown> = {},
  expiresIn: number | '1h' = '1h',
): string => jwt.sign({ sub, ...claims }, TEST_SECRET, { algorithm: 'HS256', expiresIn });

/** Field names of a VALIDATION_FAILED error. */
export function fieldsOf(reply: Message): string[] {
  const error = reply['error'] as { details?: { field: string }[] } | undefined;
  return (error?.details ?? []).map((d) => d.field);
}

export const INTERNAL = { code: 'INTERNAL', message: 'Internal error' };

/**
 * Registers the hooks of a messages suite: one probe app for the whole describe block, and
 * after each test the sockets opened through `connect` and the extra apps pushed onto `apps`
 * are closed. Call it inside the describe block.
 */
export function useMessagesHarness() {
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

  return {
    /** The probe app shared by the describe block; set once its beforeAll has run. */
    get app(): INestApplication {
      return app;
    },
    apps,
    connect,
    barrier,
    expectAlive,
  };
}
