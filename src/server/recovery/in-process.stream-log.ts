import type { StreamPosition } from '../../protocol/index.js';
import type { MessageDelivery } from '../broker/delivery.js';
import { InProcessHub } from '../broker/in-process/in-process-hub.js';
import {
  StreamLog,
  type HistoryRule,
  type PositionedDelivery,
  type PositionedReceiver,
  type StreamLogHealth,
  type StreamRead,
} from './stream-log.js';

/**
 * History in the memory of the process, shared by the instances on one `InProcessHub`. Alone on
 * its hub (the default) a push is delivered at once; with peers, every instance (this one too)
 * receives the hub's pushes from one queue drained in a microtask, so all see the same order.
 */
export class InProcessStreamLog extends StreamLog {
  private receive: PositionedReceiver | undefined;
  private readonly stats = { appended: 0, appendFailures: 0 };

  constructor(private readonly hub = new InProcessHub()) {
    super();
  }

  override start(receive: PositionedReceiver): Promise<void> {
    this.receive = receive;
    this.hub.logs.add(this);
    return Promise.resolve();
  }

  override stop(): Promise<void> {
    this.hub.logs.delete(this);
    this.receive = undefined;
    return Promise.resolve();
  }

  override append(stream: string, delivery: MessageDelivery, rule: HistoryRule): Promise<void> {
    const positioned = this.hub.history.append(stream, delivery, rule);
    this.stats.appended++;
    if (this.hub.logs.size < 2) this.receive?.(positioned);
    else enqueue(this.hub, positioned);
    return Promise.resolve();
  }

  override read(stream: string, after: number, limit: number): Promise<StreamRead> {
    return Promise.resolve(this.hub.history.read(stream, after, limit));
  }

  override top(stream: string): Promise<StreamPosition> {
    return Promise.resolve(this.hub.history.top(stream));
  }

  override health(): StreamLogHealth {
    return { ...this.stats };
  }

  /** @internal */
  accept(delivery: PositionedDelivery): void {
    this.receive?.(delivery);
  }
}

const queues = new WeakMap<InProcessHub, PositionedDelivery[]>();

/** One queue per hub, drained to every log of the hub in one microtask: one order for all. */
function enqueue(hub: InProcessHub, delivery: PositionedDelivery): void {
  const queue = queues.get(hub);
  if (queue) {
    queue.push(delivery);
    return;
  }
  queues.set(hub, [delivery]);
  queueMicrotask(() => {
    const pending = queues.get(hub) ?? [];
    queues.delete(hub);
    for (const positioned of pending) for (const log of hub.logs) log.accept(positioned);
  });
}
