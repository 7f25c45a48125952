import { MessageBody, SubscribeMessage, type OnGatewayDisconnect } from '@nestjs/websockets';
import jwt from 'jsonwebtoken';
import WebSocket from 'ws';
import {
  ConnectionRegistry,
  CurrentConnection,
  type RealtimeConnection,
  RealtimeGateway,
  connectionOf,
  type RealtimeModuleOptions,
} from '../../src/server/index.js';
import { Heartbeat } from '../../src/server/connection/heartbeat.js';
import { TEST_SECRET } from './demo-app.js';
import { PROBE_GATEWAYS, startProbeApp } from './probe-app.js';

/**
 * Shared setup of the lifecycle e2e suites (test/e2e/lifecycle-*.e2e-spec.ts): a probe app with
 * a gateway that counts disconnect hooks, and token helpers.
 */

export const nowSec = (): number => Math.floor(Date.now() / 1000);
export const sign = (sub: string, claims: Record<string, unknown> = {}): string =>
  jwt.sign({ sub, exp: nowSec() + 3600, ...claims }, TEST_SECRET, { algorithm: 'HS256' });

export interface Deferred {
  promise: Promise<void>;
  resolve(): void;
}
export function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Counts disconnect hooks per connection and lets tests await them; optionally slow. */
@RealtimeGateway('/ws')
export class LifecycleGateway implements OnGatewayDisconnect {
  readonly disconnects = new Map<string, number>();
  slowDisconnect: Deferred | undefined;
  readonly events: string[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor(private readonly registry: ConnectionRegistry) {}

  @SubscribeMessage('life:join')
  join(@MessageBody() room: string, @CurrentConnection() connection: RealtimeConnection): string {
    this.registry.join(connection, room);
    return connection.id;
  }

  async handleDisconnect(client: WebSocket): Promise<void> {
    const id = connectionOf(client)?.id ?? 'unknown';
    this.disconnects.set(id, (this.disconnects.get(id) ?? 0) + 1);
    this.waiters = this.waiters.filter((w) =>
      this.total >= w.count ? (w.resolve(), false) : true,
    );
    if (this.slowDisconnect) {
      await this.slowDisconnect.promise;
      this.events.push('disconnect hook done');
    }
  }

  get total(): number {
    return [...this.disconnects.values()].reduce((a, b) => a + b, 0);
  }

  /** Resolves once `count` disconnects have been seen in total. */
  whenDisconnects(count: number): Promise<void> {
    if (this.total >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

export async function startLifecycleApp(options: Partial<RealtimeModuleOptions> = {}) {
  const started = await startProbeApp(options, [...PROBE_GATEWAYS, LifecycleGateway]);
  const { app } = started;
  return {
    ...started,
    gateway: app.get(LifecycleGateway),
    registry: app.get(ConnectionRegistry),
    heartbeat: app.get(Heartbeat),
  };
}

export type LifecycleApp = Awaited<ReturnType<typeof startLifecycleApp>>;
