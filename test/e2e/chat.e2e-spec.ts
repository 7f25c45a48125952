import { startDemo, type RunningApp } from '../support/demo-app.js';
import type { TestSocket } from '../support/ws-client.js';

/** The position of a push to `stream` (the demo runs with recovery on: protocol.md section 8). */
const positioned = (stream: string) => ({
  s: stream,
  e: expect.any(String) as unknown,
  o: expect.any(Number) as unknown,
});

describe('demo chat', () => {
  let demo: RunningApp;
  const sockets: TestSocket[] = [];
  const connect = async (sub: string, name = sub) => {
    const socket = await demo.connect({ sub, name });
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    demo = await startDemo();
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await demo.close();
  });

  it('joins a room, lists members and tells the others', async () => {
    const alice = await connect('u-alice', 'Alice');
    const bob = await connect('u-bob', 'Bob');
    expect(await alice.request('chat:join', { room: 'general' })).toEqual({
      id: 1,
      data: { room: 'general', members: [{ id: 'u-alice', name: 'Alice' }], count: 1 },
    });
    const reply = await bob.request('chat:join', { room: 'general' });
    const data = reply['data'] as { members: { id: string }[]; count: number };
    expect(data.members.map((m) => m.id).sort()).toEqual(['u-alice', 'u-bob']);
    expect(data.count).toBe(2);
    expect(await alice.nextEvent('chat:joined')).toEqual({
      ...positioned('room:chat:general'),
      event: 'chat:joined',
      data: { room: 'general', user: { id: 'u-bob', name: 'Bob' } },
    });
  });

  it('delivers a message to every member, sender included, and replies {id, at}', async () => {
    const alice = await connect('u-alice', 'Alice');
    const bob = await connect('u-bob', 'Bob');
    const carol = await connect('u-carol', 'Carol');
    await alice.request('chat:join', { room: 'lobby' });
    await bob.request('chat:join', { room: 'lobby' });
    await carol.request('chat:join', { room: 'elsewhere' });
    const reply = await alice.request('chat:send', { room: 'lobby', text: 'hello' });
    const { id, at } = reply['data'] as { id: string; at: number };
    expect(typeof id).toBe('string');
    expect(typeof at).toBe('number');
    const expected = {
      ...positioned('room:chat:lobby'),
      event: 'chat:message',
      data: { id, room: 'lobby', from: { id: 'u-alice', name: 'Alice' }, text: 'hello', at },
    };
    expect(await alice.nextEvent('chat:message')).toEqual(expected);
    expect(await bob.nextEvent('chat:message')).toEqual(expected);
    // Carol is not a member: her next push is the one of her own room, not Alice's message.
    await carol.request('chat:send', { room: 'elsewhere', text: 'marker' });
    expect((await carol.nextEvent('chat:message'))['data']).toMatchObject({ text: 'marker' });
  });

  it('refuses to send to a room the sender has not joined', async () => {
    const alice = await connect('u-alice');
    const reply = await alice.request('chat:send', { room: 'secret', text: 'hi' });
    expect(reply['error']).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('validates payloads with field details', async () => {
    const alice = await connect('u-alice');
    const reply = await alice.request('chat:send', { room: 'general', text: 'x'.repeat(2001) });
    expect(reply['error']).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'Payload validation failed',
      details: [
        { field: 'text', errors: ['text must be shorter than or equal to 2000 characters'] },
      ],
    });
    const bad = await alice.request('chat:join', { room: 'Not Valid!' });
    expect(bad['error']).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'room' }] });
  });

  it('shows typing to the other members only', async () => {
    const alice = await connect('u-alice', 'Alice');
    const bob = await connect('u-bob', 'Bob');
    await alice.request('chat:join', { room: 'general' });
    await bob.request('chat:join', { room: 'general' });
    alice.send({ event: 'chat:typing', data: { room: 'general' } });
    // Sent volatile: at most once, never positioned (and so never replayed after a drop).
    expect(await bob.nextEvent('chat:typing')).toEqual({
      event: 'chat:typing',
      data: { room: 'general', user: { id: 'u-alice', name: 'Alice' } },
    });
    // Alice's next message is the reply to her ping, not her own typing event.
    await alice.request('$ping');
    expect(alice.pending().filter((m) => m['event'] === 'chat:typing')).toEqual([]);
  });

  it('announces a leave, by request and by disconnect', async () => {
    const alice = await connect('u-alice', 'Alice');
    const bob = await connect('u-bob', 'Bob');
    await alice.request('chat:join', { room: 'general' });
    await bob.request('chat:join', { room: 'general' });
    expect(await bob.request('chat:leave', { room: 'general' })).toEqual({ id: 2, data: null });
    expect((await alice.nextEvent('chat:left'))['data']).toEqual({
      room: 'general',
      user: { id: 'u-bob', name: 'Bob' },
    });
    await bob.request('chat:join', { room: 'general' });
    await alice.nextEvent('chat:joined');
    await bob.close();
    expect((await alice.nextEvent('chat:left'))['data']).toEqual({
      room: 'general',
      user: { id: 'u-bob', name: 'Bob' },
    });
    const members = (await alice.request('chat:join', { room: 'general' }))['data'];
    expect(members).toEqual({
      room: 'general',
      members: [{ id: 'u-alice', name: 'Alice' }],
      count: 1,
    });
  });

  it('sends a direct message to every connection of the user', async () => {
    const alice = await connect('u-alice', 'Alice');
    const bobPhone = await connect('u-bob', 'Bob');
    const bobLaptop = await connect('u-bob', 'Bob');
    const reply = await alice.request('chat:direct', { to: 'u-bob', text: 'psst' });
    const { id, at } = reply['data'] as { id: string; at: number };
    const expected = {
      ...positioned('user:u-bob'),
      event: 'chat:direct',
      data: { id, from: { id: 'u-alice', name: 'Alice' }, text: 'psst', at },
    };
    expect(await bobPhone.nextEvent('chat:direct')).toEqual(expected);
    expect(await bobLaptop.nextEvent('chat:direct')).toEqual(expected);
  });

  it('answers USER_OFFLINE for a user with no connection', async () => {
    const alice = await connect('u-alice');
    const reply = await alice.request('chat:direct', { to: 'u-nobody', text: 'hi' });
    expect(reply['error']).toEqual({ code: 'USER_OFFLINE', message: 'That user is not connected' });
  });

  it('takes identity from the token, never from the payload (C9)', async () => {
    const alice = await connect('u-alice', 'Alice');
    await alice.request('chat:join', { room: 'general' });
    await alice.request('chat:send', {
      room: 'general',
      text: 'hi',
      from: { id: 'u-admin', name: 'Admin' },
      userId: 'u-admin',
    });
    expect((await alice.nextEvent('chat:message'))['data']).toMatchObject({
      from: { id: 'u-alice', name: 'Alice' },
    });
  });
});
