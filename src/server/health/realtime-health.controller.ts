import { Controller, Get, Res } from '@nestjs/common';
import { RealtimeHealth, type LivenessReport, type ReadinessReport } from './realtime-health.js';

interface StatusResponse {
  status(code: number): unknown;
}

/**
 * `GET /health/live` (always 200 while the process answers) and `GET /health/ready` (200 when
 * ready, 503 with the reasons otherwise), for Kubernetes probes. Add it to a module's
 * `controllers`; for other paths, call `RealtimeHealth` from a controller of your own.
 */
@Controller('health')
export class RealtimeHealthController {
  constructor(private readonly health: RealtimeHealth) {}

  @Get('live')
  live(): LivenessReport {
    return this.health.liveness();
  }

  @Get('ready')
  ready(@Res({ passthrough: true }) res: StatusResponse): ReadinessReport {
    const report = this.health.readiness();
    if (!report.ready) res.status(503);
    return report;
  }
}
