import type { ConnectionRegistry } from '../registry/connection-registry.js';
import type { ResolvedRealtimeOptions } from '../realtime.options.js';
import { RealtimeHealth } from './realtime-health.js';

function setup({ size = 0, ready = true, max = 3 } = {}) {
  const registry = {
    size,
    health: () => ({ kind: 'redis', ready, published: 0, publishFailures: 0, received: 0 }),
  } as unknown as ConnectionRegistry;
  const options = { limits: { connections: max } } as ResolvedRealtimeOptions;
  return new RealtimeHealth(registry, options);
}

describe('RealtimeHealth', () => {
  it('is not ready before the application has bootstrapped, then ready', () => {
    const health = setup();
    expect(health.readiness()).toMatchObject({ ready: false, reasons: ['starting'] });
    health.onApplicationBootstrap();
    expect(health.readiness()).toMatchObject({ ready: true, reasons: [] });
  });

  it('gives every reason at once: draining, the broker, the connection limit', () => {
    const health = setup({ size: 3, ready: false, max: 3 });
    health.onApplicationBootstrap();
    health.beforeApplicationShutdown();
    expect(health.readiness()).toMatchObject({
      ready: false,
      reasons: ['draining', 'broker_unavailable', 'full'],
      connections: 3,
      maxConnections: 3,
    });
  });

  it('stays live through a shutdown and a broker outage', () => {
    const health = setup({ ready: false });
    health.beforeApplicationShutdown();
    expect(health.liveness()).toMatchObject({ alive: true });
  });
});
