import { startDemo, type RunningApp } from '../support/demo-app.js';
import { TestSocket } from '../support/ws-client.js';

describe('demo admin: revocation (A5)', () => {
  let demo: RunningApp;
  const sockets: TestSocket[] = [];
  beforeAll(async () => {
    demo = await startDemo();
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
  });
  afterAll(() => demo.close());

  async function login(name: string, role?: 'admin') {
    const res = await fetch(`${demo.baseUrl}/auth/dev-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(role ? { name, role } : { name }),
    });
    return (await res.json()) as { token: string; user: { id: string; role?: string } };
  }
  async function open(token: string) {
    const socket = await TestSocket.connect(demo.baseUrl, { token });
    sockets.push(socket);
    return socket;
  }

  it('an admin closes every connection of a user with 4500 and the reason', async () => {
    const admin = await open((await login('root', 'admin')).token);
    const bob = await login('bob');
    const phone = await open(bob.token);
    const laptop = await open(bob.token);
    const carol = await open((await login('carol')).token);

    const reply = await admin.request('admin:revoke', { userId: bob.user.id, reason: 'Spam' });
    expect(reply).toEqual({ id: 1, data: { revoked: 2 } });
    expect(await phone.closed).toEqual({ code: 4500, reason: 'Spam' });
    expect(await laptop.closed).toEqual({ code: 4500, reason: 'Spam' });
    expect((await carol.request('$ping'))['data']).toEqual({ t: expect.any(Number) });
  });

  it('anyone else gets FORBIDDEN and stays connected (A6)', async () => {
    const mallory = await open((await login('mallory')).token);
    const victim = await login('victim');
    const victimSocket = await open(victim.token);
    const reply = await mallory.request('admin:revoke', { userId: victim.user.id });
    expect(reply['error']).toMatchObject({ code: 'FORBIDDEN' });
    expect((await mallory.request('$ping'))['data']).toEqual({ t: expect.any(Number) });
    expect((await victimSocket.request('$ping'))['data']).toEqual({ t: expect.any(Number) });
  });

  it('dev tokens accept only the admin role', async () => {
    const res = await fetch(`${demo.baseUrl}/auth/dev-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', role: 'superuser' }),
    });
    expect(res.status).toBe(400);
    expect((await login('plain')).user.role).toBeUndefined();
  });
});
