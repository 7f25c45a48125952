import { Controller, Get, Res } from '@nestjs/common';
import { RealtimeHealth, type ReadinessReport } from '../server/index.js';

interface StatusResponse {
  status(code: number): unknown;
}

/**
 * `GET /health`: the demo's readiness, as `GET /health/ready` of the module's
 * `RealtimeHealthController` (mounted beside it, with `GET /health/live`): 200 when ready, 503
 * while starting, draining, at the connection limit or without the broker (Redis unreachable);
 * local sockets are served either way.
 */
@Controller('health')
export class HealthController {
  constructor(private readonly health: RealtimeHealth) {}

  @Get()
  report(@Res({ passthrough: true }) res: StatusResponse): ReadinessReport {
    const report = this.health.readiness();
    if (!report.ready) res.status(503);
    return report;
  }
}
