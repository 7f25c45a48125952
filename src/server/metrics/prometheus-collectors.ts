import type * as Prom from 'prom-client';
import type { BrokerHealth } from '../broker/realtime-broker.js';
import type { ConnectionState } from '../connection/connection-state.js';
import { outcomeCounts, UNKNOWN_EVENT_LABEL, type Buckets, type Meter } from './meter.js';
import type { MetricsRegistryLike } from './metrics-options.js';

/** What the collectors read besides the meter, at scrape time. */
export interface MeteredSources {
  readonly meter: Meter;
  connections(): number;
  openConnections(): Iterable<ConnectionState>;
  broker(): BrokerHealth;
}

type Labels = Record<string, string | number>;
type Series = [labels: Labels, value: number][];

/** One Prometheus sample of a histogram, as prom-client's registry formats it. */
interface Sample {
  labels: Labels;
  value: number;
  metricName: string;
}

function histogramSamples(name: string, series: [Labels, Buckets][]): Sample[] {
  const samples: Sample[] = [];
  for (const [labels, buckets] of series) {
    let cumulated = 0;
    buckets.bounds.forEach((bound, i) => {
      cumulated += buckets.counts[i]!;
      samples.push({
        labels: { ...labels, le: bound },
        value: cumulated,
        metricName: `${name}_bucket`,
      });
    });
    const all = {
      labels: { ...labels, le: '+Inf' },
      value: buckets.count,
      metricName: `${name}_bucket`,
    };
    samples.push(all);
    samples.push({ labels, value: buckets.sum, metricName: `${name}_sum` });
    samples.push({ labels, value: buckets.count, metricName: `${name}_count` });
  }
  return samples;
}

/**
 * Registers the module's metrics on a prom-client registry; returns their names (to remove them
 * at shutdown). Counters and gauges are prom-client's, filled from the meter's plain counters
 * when scraped; histograms are collectors of the registry's metric interface whose buckets the
 * meter counted. Nothing here runs per message.
 */
export function registerCollectors(
  prom: Pick<typeof Prom, 'Counter' | 'Gauge'>,
  registry: MetricsRegistryLike,
  prefix: string,
  sources: MeteredSources,
): string[] {
  const { meter } = sources;
  const registers = [registry as unknown as Prom.Registry];
  const names: string[] = [];

  const counter = (name: string, help: string, labelNames: string[], read: () => Series): void => {
    names.push(prefix + name);
    new prom.Counter({
      name: prefix + name,
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        for (const [labels, value] of read()) this.inc(labels, value);
      },
    });
  };
  const gauge = (name: string, help: string, read: () => number): void => {
    names.push(prefix + name);
    new prom.Gauge({
      name: prefix + name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  };
  const histogram = (name: string, help: string, read: () => [Labels, Buckets][]): void => {
    const full = prefix + name;
    names.push(full);
    const metric = {
      name: full,
      help,
      type: 'histogram',
      aggregator: 'sum',
      get: async () => ({
        name: full,
        help,
        type: 'histogram',
        aggregator: 'sum',
        values: histogramSamples(full, read()),
      }),
      reset: () => undefined,
    };
    registry.registerMetric(metric as never);
  };
  const one = (value: number): Series => [[{}, value]];
  const byKey = <K>(map: Map<K, number>, label: string): Series =>
    [...map].map(([key, value]) => [{ [label]: String(key) }, value]);

  gauge('connections', 'Open WebSocket connections on this instance.', sources.connections);
  counter('connections_opened_total', 'WebSocket connections opened.', [], () => one(meter.opened));
  counter(
    'connections_closed_total',
    'WebSocket connections closed, by close code (either side; `other` for codes a peer chose).',
    ['code'],
    () => byKey(meter.closed, 'code'),
  );
  counter('close_frames_sent_total', 'Close frames the server sent, by code.', ['code'], () =>
    byKey(meter.closesSent, 'code'),
  );
  counter(
    'heartbeat_terminations_total',
    'Connections terminated for not answering the heartbeat.',
    [],
    () => one(meter.heartbeatTerminations),
  );
  counter(
    'handshakes_total',
    'WebSocket upgrades, by outcome (accepted, refused) and HTTP status.',
    ['outcome', 'status'],
    () =>
      [...meter.handshakes].map(([status, value]) => [
        { outcome: status === 101 ? 'accepted' : 'refused', status },
        value,
      ]),
  );
  counter(
    'messages_received_total',
    `Client messages answered, by event (a gateway's, a reserved one, or ${UNKNOWN_EVENT_LABEL}) and outcome (ok or the error code).`,
    ['event', 'outcome'],
    () => {
      const series: Series = [];
      const events: [string, typeof meter.unknown][] = [
        ...meter.events,
        [UNKNOWN_EVENT_LABEL, meter.unknown],
      ];
      for (const [event, stats] of events) {
        for (const [outcome, value] of outcomeCounts(stats)) {
          series.push([{ event, outcome }, value]);
        }
      }
      return series;
    },
  );
  counter(
    'messages_sent_total',
    'Text frames sent, by kind (reply, error, push).',
    ['kind'],
    () => [
      [{ kind: 'reply' }, meter.replies],
      [{ kind: 'error' }, meter.errors],
      [{ kind: 'push' }, Math.max(0, meter.framesSent - meter.replies - meter.errors)],
    ],
  );
  const bytes = (pick: 0 | 1, closed: () => number) => (): Series => {
    let total = closed();
    for (const state of sources.openConnections()) total += state.writer.wireBytes()[pick];
    return one(total);
  };
  counter(
    'bytes_received_total',
    'WebSocket bytes received (frames with their headers).',
    [],
    bytes(0, () => meter.closedBytesIn),
  );
  counter(
    'bytes_sent_total',
    'WebSocket bytes sent (frames with their headers).',
    [],
    bytes(1, () => meter.closedBytesOut),
  );
  counter('slow_consumer_skipped_total', 'Volatile pushes skipped for a slow consumer.', [], () =>
    one(meter.volatileSkipped),
  );
  counter(
    'slow_consumer_parked_total',
    'Latest-value pushes parked for a slow consumer (only the newest per key goes out).',
    [],
    () => one(meter.latestParked),
  );
  histogram('handler_duration_seconds', 'Time a gateway handler took, by event.', () =>
    [...meter.events, [UNKNOWN_EVENT_LABEL, meter.unknown] as const]
      .filter(([, stats]) => stats.durations.count > 0)
      .map(([event, stats]) => [{ event }, stats.durations]),
  );
  gauge(
    'broker_ready',
    'Whether publications cross between instances both ways (1) or not (0).',
    () => (sources.broker().ready ? 1 : 0),
  );
  counter('broker_published_total', 'Publications handed on to other instances.', [], () =>
    one(sources.broker().published),
  );
  counter(
    'broker_publish_failures_total',
    'Publications dropped: the broker was down or slow.',
    [],
    () => one(sources.broker().publishFailures),
  );
  counter('broker_received_total', 'Publications of other instances received.', [], () =>
    one(sources.broker().received),
  );
  counter(
    'broker_ignored_total',
    'Messages on the broker that were not well-formed deliveries of this app.',
    [],
    () => one(sources.broker().ignored + (sources.broker().presenceIgnored ?? 0)),
  );
  histogram(
    'broker_delivery_lag_seconds',
    'From publication on one instance to delivery on another (their clocks).',
    () => (meter.lag.count > 0 ? [[{}, meter.lag]] : []),
  );
  counter(
    'resumes_total',
    'Session resumes answered, by outcome (recovered, partial, or why a fresh session).',
    ['outcome'],
    () => byKey(meter.resumes, 'outcome'),
  );
  counter(
    'resume_streams_lost_total',
    'Streams a resume could not recover, by reason.',
    ['reason'],
    () => byKey(meter.lostStreams, 'reason'),
  );
  return names;
}
