import { Redis } from 'ioredis';
import { brokerOf, installScaleOutHarness } from '../support/scale-out-harness.js';
import { scrape } from '../support/scrape.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Issue 17, metrics across instances: a publication of one instance delivered by another moves
 * the broker series and the delivery lag histogram of both, on a real Redis.
 */
describe('Prometheus metrics: the broker (Redis)', () => {
  const { instance, connect, redis } = installScaleOutHarness();

  it('counts publications, receptions, garbage and the delivery lag between two instances', async () => {
    const a = await instance();
    const b = await instance();
    const alice = await connect(a, 'alice');
    const bob = await connect(b, 'bob');
    await alice.request('chat:join', { room: 'm1' });
    await bob.request('chat:join', { room: 'm1' });
    for (let i = 0; i < 5; i++) {
      await alice.request('chat:send', { room: 'm1', text: `hello ${i}` });
      expect((await bob.nextEvent('chat:message'))['data']).toMatchObject({ text: `hello ${i}` });
    }
    const onA = await scrape(`${a.baseUrl}/metrics`);
    const onB = await scrape(`${b.baseUrl}/metrics`);
    expect(onA.value('realtime_broker_ready')).toBe(1);
    expect(onA.value('realtime_broker_published_total')).toBeGreaterThanOrEqual(5);
    expect(onB.value('realtime_broker_received_total')).toBeGreaterThanOrEqual(5);
    expect(onB.value('realtime_broker_delivery_lag_seconds_count')).toBeGreaterThanOrEqual(5);
    expect(onB.value('realtime_broker_delivery_lag_seconds_bucket', { le: '+Inf' })).toBe(
      onB.value('realtime_broker_delivery_lag_seconds_count'),
    );
    expect(onB.value('realtime_broker_publish_failures_total')).toBe(0);
    expect(onB.value('realtime_messages_sent_total', { kind: 'push' })).toBeGreaterThanOrEqual(5);

    // Garbage on a channel B holds: dropped and counted, never a push.
    const raw = new Redis(redis.url);
    try {
      await raw.spublish(brokerOf(b).bus.channelOf('all'), 'not a delivery');
    } finally {
      await raw.quit();
    }
    const ignored = async () =>
      (await scrape(`${b.baseUrl}/metrics`)).value('realtime_broker_ignored_total');
    await waitFor(async () => (await ignored()) === 1, 'the garbage to be counted');

    // Redis gone: not ready, and what is published meanwhile is counted as failed.
    await redis.kill();
    const ready = async () => (await scrape(`${a.baseUrl}/metrics`)).value('realtime_broker_ready');
    await waitFor(async () => (await ready()) === 0, 'the broker to be reported down');
    await alice.request('chat:send', { room: 'm1', text: 'into the void' });
    const failed = await scrape(`${a.baseUrl}/metrics`);
    expect(failed.value('realtime_broker_publish_failures_total')).toBeGreaterThanOrEqual(1);
  });
});
