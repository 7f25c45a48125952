import jwt from 'jsonwebtoken';
import { startDemo, TEST_SECRET, type RunningApp } from '../support/demo-app.js';
import { expectRefused, TestSocket } from '../support/ws-client.js';

async function post(demo: RunningApp, body: unknown): Promise<Response> {
  return fetch(`${demo.baseUrl}/auth/dev-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('POST /auth/dev-token', () => {
  let demo: RunningApp;
  beforeAll(async () => {
    demo = await startDemo({ jwtIssuer: 'demo-issuer', jwtAudience: 'demo-audience' });
  });
  afterAll(() => demo.close());

  it('returns a token for a fresh user that opens a socket', async () => {
    const first = await demo.devToken('alice');
    const second = await demo.devToken('alice');
    expect(first.user.name).toBe('alice');
    expect(first.user.id).not.toBe(second.user.id);
    const claims = jwt.verify(first.token, TEST_SECRET) as Record<string, unknown>;
    expect(claims).toMatchObject({
      sub: first.user.id,
      name: 'alice',
      iss: 'demo-issuer',
      aud: 'demo-audience',
    });
    const socket = await TestSocket.connect(demo.baseUrl, { token: first.token });
    const reply = await socket.request('chat:join', { room: 'general' });
    expect(reply['data']).toEqual({ room: 'general', members: [first.user], count: 1 });
    await socket.close();
  });

  it('validates the name', async () => {
    for (const body of [
      {},
      { name: '' },
      { name: 'x'.repeat(33) },
      { name: 42 },
      { name: '<b>' },
    ]) {
      const res = await post(demo, body);
      expect(res.status).toBe(400);
    }
  });

  it('refuses a token the server did not sign, before any WebSocket opens', async () => {
    const forged = jwt.sign({ sub: 'mallory' }, 'another-secret-of-sufficient-length-123456');
    const refused = await expectRefused(demo.baseUrl, { token: forged });
    expect(refused.status).toBe(401);
    expect(refused.json().error.code).toBe('UNAUTHORIZED');
  });
});

describe('POST /auth/dev-token with DEV_TOKENS off', () => {
  it('does not exist', async () => {
    const demo = await startDemo({ devTokens: false });
    try {
      expect((await post(demo, { name: 'alice' })).status).toBe(404);
    } finally {
      await demo.close();
    }
  });
});
