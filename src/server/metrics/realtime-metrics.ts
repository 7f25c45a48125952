import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { RESOLVED_OPTIONS } from '../realtime.constants.js';
import { RealtimeConfigError } from '../realtime.config-error.js';
import type { ResolvedRealtimeOptions } from '../realtime.options.js';
import { ConnectionRegistry } from '../registry/connection-registry.js';
import { Meter } from './meter.js';
import type { MetricsRegistryLike, ResolvedMetricsOptions } from './metrics-options.js';
import { registerCollectors } from './prometheus-collectors.js';

async function loadPromClient(): Promise<typeof import('prom-client')> {
  try {
    return await import('prom-client');
  } catch {
    throw new RealtimeConfigError(
      'the "metrics" option needs prom-client: npm install prom-client (15 or newer).',
    );
  }
}

/**
 * The module's Prometheus metrics (`RealtimeModule.forRoot({ metrics: true })`): connections,
 * handshakes, messages by event and outcome, handler durations, bytes, slow consumers, closes,
 * heartbeat terminations, the broker and session resumes. Off unless configured; with metrics
 * off nothing is counted. The hot paths bump plain counters; prom-client reads them when
 * scraped.
 *
 * Served on `metrics.path` (`/metrics` by default), or registered on your registry
 * (`metrics.registry`) for your own endpoint; or merge `registry` into yours.
 */
@Injectable()
export class RealtimeMetrics implements OnModuleInit, OnApplicationShutdown {
  /** @internal Counted into by the hot paths; `undefined` when metrics are off. */
  readonly meter: Meter | undefined;
  private readonly logger = new Logger('RealtimeMetrics');
  private readonly options: ResolvedMetricsOptions | undefined;
  private target: MetricsRegistryLike | undefined;
  private names: string[] = [];

  constructor(
    @Inject(RESOLVED_OPTIONS) options: ResolvedRealtimeOptions,
    private readonly connections: ConnectionRegistry,
    @Optional() private readonly http?: HttpAdapterHost,
  ) {
    this.options = options.metrics;
    if (!this.options) return;
    const { handlerBuckets: handler, lagBuckets: lag } = this.options;
    // Created now: gateways (and the adapter that reads it) start before onModuleInit.
    this.meter = new Meter({ handler, lag });
    connections.meter = this.meter;
  }

  /** Whether metrics are on (the `metrics` option). */
  get enabled(): boolean {
    return this.meter !== undefined;
  }

  /**
   * The prom-client `Registry` the metrics are on (yours when you gave `metrics.registry`), e.g.
   * for `Registry.merge([register, metrics.registry])`. Throws when metrics are off.
   */
  get registry(): MetricsRegistryLike {
    if (!this.target) throw new RealtimeConfigError('metrics are off: set the "metrics" option.');
    return this.target;
  }

  /** The metrics in the Prometheus text format, and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    const registry = this.registry;
    return { contentType: registry.contentType, body: await registry.metrics() };
  }

  async onModuleInit(): Promise<void> {
    const options = this.options;
    const meter = this.meter;
    if (!options || !meter) return;
    const prom = await loadPromClient();
    this.target = options.registry ?? new prom.Registry();
    const registry = this.connections;
    this.names = registerCollectors(prom, this.target, options.prefix, {
      meter,
      connections: () => registry.size,
      openConnections: () => registry.locals(),
      broker: () => registry.health(),
    });
    this.mount(options.path);
  }

  /** Takes the metrics off a registry that outlives the app (a shared one, in tests). */
  onApplicationShutdown(): void {
    const target = this.target as { removeSingleMetric?: (name: string) => void } | undefined;
    for (const name of this.names) target?.removeSingleMetric?.(name);
    this.names = [];
  }

  /** `GET <path>` on the app's HTTP server, between Nest's routes and its not-found handler. */
  private mount(path: string | false): void {
    const adapter = this.http?.httpAdapter;
    if (path === false || !adapter) return;
    adapter.get(path, (_request: unknown, response: unknown) => {
      void this.scrape().then(
        ({ contentType, body }) => {
          adapter.setHeader(response, 'Content-Type', contentType);
          adapter.setHeader(response, 'Cache-Control', 'no-store');
          adapter.reply(response, body, 200);
        },
        (error: unknown) => {
          this.logger.error(`Scrape failed: ${String(error)}`);
          adapter.reply(response, 'metrics unavailable', 500);
        },
      );
    });
    this.logger.log(`Prometheus metrics on GET ${path}`);
  }
}
