import { ClientErrorCode } from '../../src/client/index.js';
import { RecoveryReason } from '../../src/protocol/index.js';
import { RealtimeBroker, type RedisBroker } from '../../src/server/index.js';
import {
  createTestClient,
  type RunningRealtimeApp,
  type TestClient,
} from '../../src/testing/index.js';
import { ResumingClient, startRecoveryApp, tokenOf } from '../support/recovery-app.js';
import { RedisProcess } from '../support/redis-server.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Reliability F10: Redis down while a room publishes, then back. The instance serves its own
 * sockets unpositioned meanwhile (E7); a client resuming across the outage is told
 * `epoch_changed` with nothing replayed, and one that stayed connected gets `STREAM_RESET`.
 * Redis here is frozen (`SIGSTOP`), not killed: it keeps the sessions, so the verdict is about
 * the history, not a lost session (that case is F3 in recovery-redis.redis-spec.ts).
 */

let redis: RedisProcess;
let server: RunningRealtimeApp | undefined;
const sockets: ResumingClient[] = [];
const sdks: TestClient[] = [];
beforeAll(async () => {
  redis = await RedisProcess.start();
});
afterEach(async () => {
  redis.thaw();
  await Promise.all(sockets.splice(0).map((c) => c.socket.close()));
  await Promise.all(sdks.splice(0).map((c) => c.close()));
  await server?.close();
});
afterAll(() => redis.kill());

describe('recovery across a Redis outage', () => {
  it('F10: pushes during the outage reach local sockets; a resume after it is epoch_changed', async () => {
    const prefix = 'f10';
    server = await startRecoveryApp(
      {},
      { redis: { url: redis.url, prefix, commandTimeoutMs: 300 } },
    );
    const broker = server.app.get(RealtimeBroker) as RedisBroker;
    await broker.whenReady();
    const publish = (n: number) => server!.registry().to('r1').emit('msg', { n });

    const bob = await createTestClient(server.wsUrl('/ws'), {
      getToken: () => tokenOf('bob'),
      pingIntervalMs: 0,
    });
    sdks.push(bob);
    await bob.request('room:join', 'r1');
    const alice = await ResumingClient.connect(server.url, 'alice');
    sockets.push(alice);
    await alice.resume();
    await alice.join('r1');
    publish(1);
    expect(await alice.take('msg', 1)).toEqual([1]);
    expect(await bob.expectPush('msg')).toEqual({ n: 1 });
    const before = alice.positions['room:r1']!;
    alice.socket.ws.terminate();
    await waitFor(() => server!.registry().size === 1, 'the server to see the close');
    await waitFor(async () => {
      const ttl = await broker.bus.publisher!.pttl(`${prefix}:s:{${alice.session}}`);
      return ttl > 0 && ttl <= 120_000;
    }, 'the closed session record');

    redis.freeze();
    publish(2);
    // Not kept: served to this instance's own sockets all the same.
    expect(await bob.expectPush('msg', { timeout: 5000 })).toEqual({ n: 2 });
    expect(broker.log.health()).toMatchObject({ appendFailures: 1 });
    redis.thaw();
    await broker.whenReady();

    publish(3);
    expect(await bob.expectPush('msg')).toEqual({ n: 3 });
    const reset = await bob.expectError();
    expect(reset).toMatchObject({ code: ClientErrorCode.STREAM_RESET, stream: 'room:r1' });
    expect(bob.recovery.positions['room:r1']).toEqual({ e: expect.any(String), o: 1 });
    expect(bob.recovery.positions['room:r1']!.e).not.toBe(before.e);

    const { client, reply } = await alice.reconnect(server.url);
    sockets.push(client);
    expect(reply).toMatchObject({
      recovered: false,
      rooms: ['r1'],
      streams: { 'room:r1': { recovered: false, reason: RecoveryReason.EPOCH_CHANGED, o: 1 } },
    });
    expect(client.arrivals).toEqual(['reply:1']);
    publish(4);
    expect(await client.socket.nextEvent('msg')).toMatchObject({ o: 2, data: { n: 4 } });
  }, 20_000);
});
