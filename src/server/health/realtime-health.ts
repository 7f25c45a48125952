import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { BrokerHealth } from '../broker/realtime-broker.js';
import { RESOLVED_OPTIONS } from '../realtime.constants.js';
import type { ResolvedRealtimeOptions } from '../realtime.options.js';
import { ConnectionRegistry } from '../registry/connection-registry.js';

/** Why an instance is not ready for new connections. */
export type NotReadyReason = 'starting' | 'draining' | 'broker_unavailable' | 'full';

/** `RealtimeHealth.readiness()`: whether to send this instance new connections, and why not. */
export interface ReadinessReport {
  ready: boolean;
  /** Empty when ready. */
  reasons: NotReadyReason[];
  connections: number;
  maxConnections: number;
  broker: BrokerHealth;
}

/** `RealtimeHealth.liveness()`: whether the process should be left running. */
export interface LivenessReport {
  alive: boolean;
  /** Seconds since the application started. */
  uptimeSec: number;
}

/**
 * Health an orchestrator can act on (Kubernetes probes, a load balancer's health check).
 *
 * - **Readiness** is false while the app starts, from the moment it begins shutting down (SIGTERM
 *   with `enableShutdownHooks()`, or `app.close()`: the drain that follows closes sockets with
 *   `1001`, and new upgrades get `503`), while the broker is not subscribed (Redis unreachable:
 *   cross-instance delivery would be lost) and while the instance is at `limits.connections`.
 * - **Liveness** stays true through all of that: a draining or degraded instance is doing its
 *   job and must not be restarted; that it answers at all is the proof of life.
 *
 * Mount `RealtimeHealthController` (`GET /health/live`, `GET /health/ready`) or call these from
 * your own controller or `@nestjs/terminus` indicator.
 */
@Injectable()
export class RealtimeHealth implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private started = false;
  private stopping = false;
  private readonly since = Date.now();

  constructor(
    private readonly registry: ConnectionRegistry,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedRealtimeOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.started = true;
  }

  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  readiness(): ReadinessReport {
    const broker = this.registry.health();
    const connections = this.registry.size;
    const maxConnections = this.options.limits.connections;
    const reasons: NotReadyReason[] = [];
    if (!this.started) reasons.push('starting');
    if (this.stopping) reasons.push('draining');
    if (!broker.ready) reasons.push('broker_unavailable');
    if (connections >= maxConnections) reasons.push('full');
    return { ready: reasons.length === 0, reasons, connections, maxConnections, broker };
  }

  liveness(): LivenessReport {
    return { alive: true, uptimeSec: Math.round((Date.now() - this.since) / 1000) };
  }
}
