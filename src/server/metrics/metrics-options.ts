import { RealtimeConfigError } from '../realtime.config-error.js';

/**
 * What the module needs of a prom-client `Registry` (typed structurally, so that prom-client
 * stays an optional peer: pass `register` or a `new Registry()` of yours).
 */
export interface MetricsRegistryLike {
  registerMetric(metric: never): void;
  metrics(): Promise<string>;
  readonly contentType: string;
}

/** Prometheus metrics (`RealtimeModule.forRoot({ metrics })`); needs `prom-client` installed. */
export interface RealtimeMetricsOptions {
  /**
   * The prom-client registry to register on: yours (`register`, the default registry, to get
   * them on the `/metrics` you already serve), or by default a registry of the module's own,
   * `RealtimeMetrics.registry`, which you can merge with `Registry.merge([...])`.
   */
  registry?: MetricsRegistryLike;
  /**
   * HTTP path that serves the module's registry in the Prometheus text format (`GET`), on the
   * app's HTTP server and outside any global prefix; `false` to serve nothing (you scrape your
   * own registry). @default '/metrics' without `registry`, `false` with one
   */
  path?: string | false;
  /** Prefix of every metric name. @default 'realtime_' */
  prefix?: string;
  /**
   * Bucket bounds of `handler_duration_seconds`, in seconds.
   * @default [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
   */
  handlerBuckets?: number[];
  /**
   * Bucket bounds of `broker_delivery_lag_seconds`, in seconds.
   * @default [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
   */
  lagBuckets?: number[];
}

/** The `metrics` option after defaults; `undefined` when metrics are off. */
export interface ResolvedMetricsOptions {
  registry: MetricsRegistryLike | undefined;
  path: string | false;
  prefix: string;
  handlerBuckets: readonly number[];
  lagBuckets: readonly number[];
}

const HANDLER_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];
const LAG_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const PREFIX = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function buckets(name: string, value: unknown, fallback: number[]): readonly number[] {
  if (value === undefined) return fallback;
  const ok =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(
      (v, i) =>
        typeof v === 'number' && v > 0 && Number.isFinite(v) && (i === 0 || v > value[i - 1]),
    );
  if (!ok) {
    throw new RealtimeConfigError(
      `"metrics.${name}" must be increasing positive numbers of seconds, got ${JSON.stringify(value)}.`,
    );
  }
  return [...(value as number[])];
}

/** Applies defaults and checks the `metrics` option at boot (`true` for every default). */
export function resolveMetricsOptions(
  options: RealtimeMetricsOptions | boolean | undefined,
): ResolvedMetricsOptions | undefined {
  if (options === undefined || options === false) return undefined;
  const given = options === true ? {} : options;
  const registry = given.registry;
  if (registry !== undefined && typeof registry?.registerMetric !== 'function') {
    throw new RealtimeConfigError('"metrics.registry" must be a prom-client Registry.');
  }
  const path = given.path ?? (registry ? false : '/metrics');
  if (path !== false && (typeof path !== 'string' || !path.startsWith('/'))) {
    throw new RealtimeConfigError(
      `"metrics.path" must start with "/" (e.g. '/metrics') or be false; got ${JSON.stringify(path)}.`,
    );
  }
  const prefix = given.prefix ?? 'realtime_';
  if (prefix !== '' && !PREFIX.test(prefix)) {
    throw new RealtimeConfigError(
      `"metrics.prefix" must be a valid Prometheus name prefix (letters, digits, _ and :), got ${JSON.stringify(prefix)}.`,
    );
  }
  return {
    registry,
    path,
    prefix,
    handlerBuckets: buckets('handlerBuckets', given.handlerBuckets, HANDLER_BUCKETS),
    lagBuckets: buckets('lagBuckets', given.lagBuckets, LAG_BUCKETS),
  };
}
