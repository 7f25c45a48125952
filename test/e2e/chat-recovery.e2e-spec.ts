import type { RecoveryInfo } from '../../src/client/index.js';
import { AppModule } from '../../src/demo/app.module.js';
import type { DemoConfig } from '../../src/demo/config/demo-config.js';
import type { RoomUser } from '../../src/demo/contract.js';
import { CloseCode } from '../../src/protocol/index.js';
import { startRealtimeApp, type RunningRealtimeApp } from '../../src/testing/index.js';
import {
  config,
  connect,
  disconnect,
  installClientHarness,
  servers,
  tokenFor,
  user,
} from '../support/client-harness.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The demo's chat with missed-message recovery (on by default): a member that the server drops
 * while the others talk gets, with the SDK alone, every message it missed, once and in order,
 * its rooms back without `onReconnect`, and no typing indicator from the gap.
 */
installClientHarness();

async function startDemo(overrides: Partial<DemoConfig> = {}): Promise<RunningRealtimeApp> {
  const server = await startRealtimeApp(AppModule.forRoot({ ...config, ...overrides }));
  servers.push(server);
  return server;
}

/** A member whose reconnects wait for `release()` after `hold()`: the others talk meanwhile. */
async function heldMember(server: RunningRealtimeApp, sub: string, room: string) {
  let gate: Promise<void> | undefined;
  let release = (): void => undefined;
  const recoveries: RecoveryInfo[] = [];
  const texts: string[] = [];
  const typing: RoomUser[] = [];
  let reconnects = 0;
  const client = await connect(server, sub, {
    getToken: async () => {
      await gate;
      return tokenFor(sub);
    },
    onRecovery: (info) => void recoveries.push(info),
    onReconnect: () => void reconnects++,
  });
  client.on('chat:message', ({ text }) => void texts.push(text));
  client.on('chat:typing', (event) => void typing.push(event));
  await waitFor(() => recoveries.length === 1, `the first $resume of ${sub}`);
  await client.request('chat:join', { room });
  return {
    client,
    recoveries,
    texts,
    typing,
    reconnects: () => reconnects,
    /** Drops the member from the server; it cannot reconnect until `release()`. */
    async drop(): Promise<void> {
      gate = new Promise((resolve) => (release = resolve));
      await disconnect(server, sub, CloseCode.SLOW_CONSUMER, 'test');
    },
    release: () => release(),
  };
}

const numbered = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `m${from + i}`);

describe('demo chat with recovery', () => {
  it('a dropped member gets every message it missed, once, in order, without onReconnect', async () => {
    const server = await startDemo();
    const room = user('room');
    const alice = await heldMember(server, user('alice'), room);
    const bob = await connect(server, user('bob'));
    const carol = await connect(server, user('carol'));
    await bob.request('chat:join', { room });
    await carol.request('chat:join', { room });
    await bob.request('chat:send', { room, text: 'm0' });
    await waitFor(() => alice.texts.length === 1, 'the message before the drop');

    await alice.drop();
    for (const text of numbered(1, 40)) {
      await (Number(text.slice(1)) % 2 ? bob : carol).request('chat:send', { room, text });
    }
    // At most once: a typing indicator of the gap is not replayed.
    bob.emit('chat:typing', { room });
    await bob.request('chat:send', { room, text: 'm41' });
    alice.release();

    await waitFor(() => alice.recoveries.length === 2, 'the resume');
    expect(alice.recoveries[1]).toEqual({ wasRecovering: true, recovered: true, lost: [] });
    await carol.request('chat:send', { room, text: 'live' });
    await waitFor(() => alice.texts.includes('live'), 'the live message after the resume');
    expect(alice.texts).toEqual([...numbered(0, 41), 'live']);
    expect(alice.typing).toEqual([]);
    expect(alice.reconnects()).toBe(0);
    // The server restored the room: Alice may post without joining again.
    await alice.client.request('chat:send', { room, text: 'back' });
    await bob.expectPush('chat:message', { where: (m) => m.text === 'back' });
  });

  it('tells the others a resumed member is back, once, when it resumes (onConnectionResume)', async () => {
    const server = await startDemo();
    const room = user('room');
    const [aliceId, bobId] = [user('alice'), user('bob')];
    const alice = await heldMember(server, aliceId, room);
    const bob = await connect(server, bobId);
    await bob.request('chat:join', { room });
    const joined: RoomUser[] = [];
    bob.on('chat:joined', (event) => void joined.push(event));

    await alice.drop();
    // Leaving by disconnect counts as leaving (demo.md): Bob is told at once.
    const left = await bob.expectPush('chat:left');
    expect(left).toEqual({ room, user: { id: aliceId, name: aliceId } });
    alice.release();
    await waitFor(() => alice.recoveries[1]?.recovered === true, 'the resume');
    // Back without a chat:join of hers: the server's resume hook announced her.
    expect(await bob.expectPush('chat:joined')).toEqual(left);

    // What the page does after a recovered reconnect (it joins again) announces nobody twice.
    const reply = await alice.client.request('chat:join', { room });
    expect(reply.members.map((m) => m.id).sort()).toEqual([aliceId, bobId].sort());
    await bob.request('chat:send', { room, text: 'marker' });
    await bob.expectPush('chat:message', { where: (m) => m.text === 'marker' });
    expect(joined).toEqual([left]);
  });

  it('says the room was lost and runs onReconnect when the history did not reach back', async () => {
    const server = await startDemo({ chatHistory: 3 });
    const room = user('room');
    const alice = await heldMember(server, user('alice'), room);
    const bob = await connect(server, user('bob'));
    await bob.request('chat:join', { room });

    await alice.drop();
    for (const text of numbered(1, 10)) await bob.request('chat:send', { room, text });
    alice.release();

    await waitFor(() => alice.recoveries.length === 2, 'the resume');
    expect(alice.recoveries[1]).toMatchObject({
      wasRecovering: true,
      recovered: false,
      lost: [`room:chat:${room}`],
    });
    await waitFor(() => alice.reconnects() === 1, 'onReconnect');
    // Nothing of the gap is replayed; live traffic flows in the room that came back.
    await bob.request('chat:send', { room, text: 'live' });
    await waitFor(() => alice.texts.includes('live'), 'the live message');
    expect(alice.texts).toEqual(['live']);
  });
});
