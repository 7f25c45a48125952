import type { Delivery, Interest, RealtimeBus } from '../../src/server/index.js';
import type { PositionedDelivery, StreamLog } from '../../src/server/recovery/stream-log.js';

/** The stream log of one instance and the bus it delivers through, as an implementation gives them. */
export interface LogParts {
  log: StreamLog;
  bus: RealtimeBus;
  /** Resolves once the started bus is connected (in-process: at once). */
  ready(): Promise<void>;
}

/** Makes the backend unreachable or slow for a while (Redis only). */
export interface Outage {
  /** Begins it for the stream given (on a cluster, the stream's master). */
  begin(stream: string): Promise<void>;
  end(): Promise<void>;
}

/** One backend shared by the instances of one test (a hub, a Redis key prefix...). */
export interface StreamLogBackend {
  /** The parts of one more instance on this backend, not started. */
  instance(): LogParts;
  /** Makes the backend lose everything, as a Redis that was flushed or restarted empty. */
  lose(): Promise<void>;
  /** The ways this backend can fail, by name (none in-process). */
  outages?: Record<string, Outage>;
  close(): Promise<void>;
}

export type StreamLogFactory = () => Promise<StreamLogBackend>;

/** A started instance: what its receiver got, positioned pushes only, in arrival order. */
export class LogNode {
  readonly received: PositionedDelivery[] = [];
  readonly log: StreamLog;
  readonly bus: RealtimeBus;
  private stopped = false;

  constructor(readonly parts: LogParts) {
    this.log = parts.log;
    this.bus = parts.bus;
  }

  async start(): Promise<void> {
    const receive = (delivery: Delivery): void => {
      if (delivery.kind === 'message' && delivery.position) {
        // When it was published (a bus may date deliveries for the metrics) is not compared.
        const { sentAt, ...undated } = delivery;
        if (sentAt !== undefined) expect(sentAt).toBeGreaterThan(0);
        this.received.push(undated as PositionedDelivery);
      }
    };
    await this.bus.start(receive);
    await this.log.start(receive);
    await this.parts.ready();
  }

  /** Subscribes the bus to the stream's interest (`all` is always held). */
  async follow(...streams: string[]): Promise<void> {
    for (const stream of streams) {
      if (stream !== 'all') await this.bus.subscribe(stream as Interest);
    }
  }

  /** What was received of one stream. */
  of(stream: string): PositionedDelivery[] {
    return this.received.filter((d) => d.position.stream === stream);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.log.stop();
    await this.bus.stop();
  }
}

/**
 * Registers, in the calling describe block, a fresh backend before each test and the teardown
 * after it. `start(n)` starts `n` instances on it.
 */
export function useLogs(factory: StreamLogFactory) {
  let backend: StreamLogBackend;
  let nodes: LogNode[] = [];

  beforeEach(async () => {
    backend = await factory();
  });
  afterEach(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    nodes = [];
    await backend.close();
  });

  return {
    async start(count = 1): Promise<LogNode[]> {
      const started = Array.from({ length: count }, () => new LogNode(backend.instance()));
      nodes.push(...started);
      await Promise.all(started.map((n) => n.start()));
      return started;
    },
    backend: () => backend,
  };
}

export type Logs = ReturnType<typeof useLogs>;
