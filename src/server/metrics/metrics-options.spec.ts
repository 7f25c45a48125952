import { resolveMetricsOptions } from './metrics-options.js';

describe('resolveMetricsOptions', () => {
  it('is off unless set', () => {
    expect(resolveMetricsOptions(undefined)).toBeUndefined();
    expect(resolveMetricsOptions(false)).toBeUndefined();
  });

  it('serves /metrics with the defaults, and nothing when you bring a registry', () => {
    expect(resolveMetricsOptions(true)).toMatchObject({ path: '/metrics', prefix: 'realtime_' });
    const registry = { registerMetric() {}, metrics: async () => '', contentType: 'text/plain' };
    expect(resolveMetricsOptions({ registry })).toMatchObject({ path: false, registry });
    expect(resolveMetricsOptions({ registry, path: '/m' })).toMatchObject({ path: '/m' });
  });

  it.each([
    [{ path: 'metrics' }, /"metrics.path" must start with "\/"/],
    [{ prefix: 'bad prefix' }, /"metrics.prefix"/],
    [{ handlerBuckets: [0.1, 0.05] }, /"metrics.handlerBuckets"/],
    [{ lagBuckets: [] }, /"metrics.lagBuckets"/],
    [{ registry: {} }, /"metrics.registry" must be a prom-client Registry/],
  ])('refuses %j', (metrics, message) => {
    expect(() => resolveMetricsOptions(metrics as never)).toThrow(message);
  });
});
