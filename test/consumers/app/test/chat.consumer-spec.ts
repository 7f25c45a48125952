import 'reflect-metadata';
import { get } from 'node:http';
import type { DefineContract } from 'nestjs-realtime/protocol';
import { Test } from '@nestjs/testing';
import {
  createTestClient,
  signTestToken,
  startRealtimeApp,
  withRealtimeAdapter,
  type RunningRealtimeApp,
} from 'nestjs-realtime/testing';
import { AppModule, JWT_SECRET } from '../src/app.module.js';

type ChatContract = DefineContract<{
  requests: {
    'chat:join': { payload: { room: string }; reply: { room: string } };
    'chat:send': { payload: { room: string; text: string }; reply: { at: number } };
  };
  events: Record<never, never>;
  pushes: {
    'chat:message': { from: string; text: string };
    'chat:left': { who: string; code: number };
  };
}>;

describe('nestjs-realtime in a consumer app', () => {
  let server: RunningRealtimeApp;
  beforeAll(async () => {
    server = await startRealtimeApp(AppModule);
  });
  afterAll(() => server.close());

  it('authenticates at the upgrade, validates payloads and broadcasts to a room', async () => {
    const alice = await createTestClient<ChatContract>(server.wsUrl('/ws'), {
      token: signTestToken(JWT_SECRET, { sub: 'alice' }),
    });
    const bob = await createTestClient<ChatContract>(server.wsUrl('/ws'), {
      token: signTestToken(JWT_SECRET, { sub: 'bob' }),
    });
    await expect(alice.request('chat:join', { room: 'general' })).resolves.toEqual({
      room: 'general',
    });
    await bob.request('chat:join', { room: 'general' });
    await alice.request('chat:send', { room: 'general', text: 'hi' });
    await expect(bob.expectPush('chat:message')).resolves.toEqual({ from: 'alice', text: 'hi' });
    await expect(alice.request('chat:join', { room: 'Not A Room!' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await alice.close();
    await expect(bob.expectPush('chat:left')).resolves.toEqual({ who: 'alice', code: 1000 });
    await bob.close();
  });

  it('refuses a bad token with a real 401 before any WebSocket opens', async () => {
    const token = signTestToken('not-the-secret-of-this-app-0123456789abcdef', { sub: 'eve' });
    const status = await new Promise<number>((resolve, reject) => {
      const request = get(`${server.url}/ws`, {
        headers: {
          Authorization: `Bearer ${token}`,
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('upgrade', (_response, socket) => {
        socket.destroy();
        reject(new Error('the upgrade was accepted'));
      });
      request.on('error', reject);
    });
    expect(status).toBe(401);
  });

  it("runs in the app's own Test.createTestingModule e2e setup with withRealtimeAdapter", async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = withRealtimeAdapter(moduleRef.createNestApplication());
    await app.init();
    await app.listen(0, '127.0.0.1');
    try {
      const { port } = app.getHttpServer().address() as { port: number };
      const client = await createTestClient<ChatContract>(`ws://127.0.0.1:${port}/ws`, {
        token: signTestToken(JWT_SECRET, { sub: 'carol' }),
      });
      await expect(client.request('chat:join', { room: 'tests' })).resolves.toEqual({
        room: 'tests',
      });
      await client.close();
    } finally {
      await app.close();
    }
  });
});
