import { RequestError } from '../../src/client/index.js';
import type { ChatMessage } from '../../src/demo/contract.js';
import type { RunningRealtimeApp } from '../../src/testing/index.js';
import { connect, installClientHarness, user, useDemo } from '../support/client-harness.js';

/**
 * The typed client SDK against the demo over real sockets, through `nestjs-realtime/testing`:
 * typed requests, replies and pushes, and errors as RequestError and $error.
 */

installClientHarness();

describe('RealtimeClient<DemoContract> against the demo', () => {
  let demo: RunningRealtimeApp;
  useDemo((app) => (demo = app));

  it('chat: typed requests, replies and pushes end to end', async () => {
    const [aliceId, bobId, room] = [user('alice'), user('bob'), user('room')];
    const alice = await connect(demo, aliceId);
    const bob = await connect(demo, bobId);
    await expect(alice.request('chat:join', { room })).resolves.toEqual({
      room,
      members: [{ id: aliceId, name: aliceId }],
      count: 1,
    });
    const joined = await bob.request('chat:join', { room });
    expect(joined.members.map((m) => m.id).sort()).toEqual([aliceId, bobId].sort());
    await expect(alice.expectPush('chat:joined')).resolves.toEqual({
      room,
      user: { id: bobId, name: bobId },
    });
    const sent = await bob.request('chat:send', { room, text: 'hello' });
    expect(sent).toEqual({ id: expect.any(String), at: expect.any(Number) });
    const message: ChatMessage = await alice.expectPush('chat:message');
    expect(message).toEqual({
      id: sent.id,
      room,
      from: { id: bobId, name: bobId },
      text: 'hello',
      at: sent.at,
    });
    bob.emit('chat:typing', { room });
    await expect(alice.expectPush('chat:typing')).resolves.toEqual({
      room,
      user: { id: bobId, name: bobId },
    });
  });

  it('ticker: the subscribe reply, then typed ticks of the symbol', async () => {
    const client = await connect(demo, user('ticker'));
    const { prices } = await client.request('ticker:subscribe', { symbols: ['ACME'] });
    expect(prices).toEqual({ ACME: expect.any(Number) });
    const tick = await client.expectPush('ticker:tick', { where: (t) => t.symbol === 'ACME' });
    expect(tick).toEqual({ symbol: 'ACME', price: expect.any(Number), at: expect.any(Number) });
    await expect(client.request('ticker:unsubscribe', { symbols: ['ACME'] })).resolves.toBeNull();
  });

  it('errors: VALIDATION_FAILED is a RequestError with details; a failed emit is a $error', async () => {
    const client = await connect(demo, user('invalid'));
    const error = await client
      .request('chat:send', { room: 'Not A Room!', text: '' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestError);
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      event: 'chat:send',
      fromServer: true,
    });
    const fields = (error as RequestError).details?.map((d) => d.field).sort();
    expect(fields).toEqual(['room', 'text']);
    await expect(client.request('chat:send', { room: 'elsewhere', text: 'hi' })).rejects.toEqual(
      expect.objectContaining({ code: 'FORBIDDEN', fromServer: true }),
    );
    client.emit('chat:typing', { room: 'elsewhere' });
    const pushed = await client.expectError({ where: (e) => e.event === 'chat:typing' });
    expect(pushed.code).toBe('FORBIDDEN');
    expect(client.state).toBe('open');
  });
});
