import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ConnectionRegistry, type BrokerHealth } from '../server/index.js';

export interface HealthReport {
  status: 'ok' | 'degraded';
  connections: number;
  broker: BrokerHealth;
}

interface StatusResponse {
  status(code: number): unknown;
}

/**
 * `GET /health`: readiness that tells the truth. 200 when cross-instance delivery works, 503
 * while the broker (Redis) is unreachable; local sockets are served either way.
 */
@Controller('health')
export class HealthController {
  constructor(private readonly registry: ConnectionRegistry) {}

  @Get()
  @HttpCode(200)
  report(@Res({ passthrough: true }) res: StatusResponse): HealthReport {
    const broker = this.registry.health();
    if (!broker.ready) res.status(503);
    return { status: broker.ready ? 'ok' : 'degraded', connections: this.registry.size, broker };
  }
}
