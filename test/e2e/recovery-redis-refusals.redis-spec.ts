import { RecoveryReason } from '../../src/protocol/index.js';
import { range, ResumingClient } from '../support/recovery-app.js';
import { useRedisRecovery } from '../support/recovery-redis.js';
import { waitFor } from '../support/wait-for.js';

/**
 * What recovery refuses with history and sessions in Redis (reliability F3a, F3b, F4), over real
 * sockets and a private redis-server: a gap larger than the history, an expired window, another
 * user's session and foreign positions all fail closed, with nothing partial or foreign replayed.
 */

const { instances, connect, aliceAway, track, ...kit } = useRedisRecovery();

describe('recovery refusals on Redis', () => {
  it('F3a: a gap larger than the history is history_gap, with nothing of the room replayed', async () => {
    const [a, b] = await instances(2, { streams: [{ match: 'room:*', size: 10 }] });
    const alice = await aliceAway(a!);
    const bob = await connect(b!, 'bob');
    await bob.join('r1');
    for (const n of range(2, 51)) a!.registry().to('r1').emit('msg', { n });
    // Every push kept (or trimmed) before alice asks for them.
    expect(await bob.take('msg', 50)).toEqual(range(2, 51));

    const { client, reply } = await kit.reconnect(alice, b!);
    expect(reply).toMatchObject({
      recovered: false,
      rooms: ['r1'],
      streams: { 'room:r1': { recovered: false, reason: RecoveryReason.HISTORY_GAP, o: 51 } },
    });
    expect(client.arrivals).toEqual(['reply:1']);
    // Back in the room, live from where the stream is.
    b!.registry().to('r1').emit('msg', { n: 52 });
    expect(await client.socket.nextEvent('msg')).toMatchObject({ o: 52, data: { n: 52 } });
  });

  it('F3b: a session closed longer than windowMs ago is no_session, and nothing comes back', async () => {
    const [a, b] = await instances(2, { windowMs: 300 });
    const alice = await connect(a!, 'alice');
    await alice.join('r1');
    a!.registry().to('r1').emit('msg', { n: 1 });
    await alice.take('msg', 1);
    const key = kit.sessionKey(alice.session);
    // Open, the record outlives the window; closed, it lives windowMs, then Redis forgets it.
    expect(await kit.admin().pttl(key)).toBeGreaterThan(300);
    alice.socket.ws.terminate();
    await waitFor(() => a!.registry().size === 0, 'the server to see the close');
    await waitFor(async () => (await kit.admin().pttl(key)) === -2, 'the window to pass');
    a!.registry().to('r1').emit('msg', { n: 2 });

    const { client, reply } = await kit.reconnect(alice, b!);
    expect(reply).toMatchObject({ recovered: false, reason: RecoveryReason.NO_SESSION, rooms: [] });
    expect(client.arrivals).toEqual(['reply:1']);
    expect(b!.registry().localMembers('r1')).toEqual([]);
  });

  it("F4a: another user's valid token with alice's session and positions gets nothing of hers", async () => {
    const [a, b] = await instances(2);
    const alice = await aliceAway(a!);
    const bob = await connect(b!, 'bob');
    await bob.join('r1');
    const mallory = track(await ResumingClient.connect(b!.url, 'mallory', alice.session));
    const reply = await mallory.resume(alice.session, { ...alice.positions });
    expect(reply).toMatchObject({ recovered: false, reason: RecoveryReason.NO_SESSION, rooms: [] });
    expect(
      b!
        .registry()
        .localMembers('r1')
        .map((m) => m.userId),
    ).toEqual(['bob']);
    // A push to alice's room reaches its member on the same instance, and not mallory.
    a!.registry().to('r1').emit('msg', { n: 2 });
    expect(await bob.take('msg', 1)).toEqual([2]);
    await mallory.socket.request('$ping');
    expect(mallory.arrivals).toEqual(['reply:1', 'reply:2']);
    // The attempt consumed the session: alice is told so too, rather than resuming later.
    const { reply: hers } = await kit.reconnect(alice, a!);
    expect(hers).toMatchObject({ recovered: false, reason: RecoveryReason.NO_SESSION });
  });

  it("F4b: real positions of another user's and a room's streams are not_member, nothing sent", async () => {
    const [a, b] = await instances(2);
    const bob = await connect(b!, 'bob');
    await bob.join('secret');
    b!.registry().toUser('bob').emit('msg', { n: 1 });
    a!.registry().to('secret').emit('msg', { n: 2 });
    expect(await bob.take('msg', 2)).toEqual([1, 2]);
    const alice = await aliceAway(a!);
    a!.registry().to('r1').emit('msg', { n: 3 });
    const forged = track(await ResumingClient.connect(b!.url, 'alice', alice.session));
    // Bob's positions, valid epochs of those streams, from before all they hold.
    const reply = await forged.resume(alice.session, {
      'room:r1': { ...alice.positions['room:r1']!, o: 500 },
      'user:bob': { ...bob.positions['user:bob']!, o: 0 },
      'room:secret': { ...bob.positions['room:secret']!, o: 0 },
    });
    expect(reply).toMatchObject({
      recovered: false,
      rooms: ['r1'],
      streams: {
        'room:r1': { recovered: false, reason: RecoveryReason.POSITION_AHEAD, o: 2 },
        'user:bob': { recovered: false, reason: RecoveryReason.NOT_MEMBER },
        'room:secret': { recovered: false, reason: RecoveryReason.NOT_MEMBER },
      },
    });
    await forged.socket.request('$ping');
    expect(forged.arrivals).toEqual(['reply:1', 'reply:2']);
    expect(
      b!
        .registry()
        .localMembers('secret')
        .map((m) => m.userId),
    ).toEqual(['bob']);
  });
});
