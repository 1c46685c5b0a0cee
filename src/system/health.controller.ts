import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { SystemHealthIndicators } from './health.indicators.js';

/**
 * `/health` (readiness: 200 when every indicator is up, 503 with details otherwise: database,
 * disk, memory, ffmpeg, GPU, enforcer freshness) and `/health/live` (the process answers).
 * Both are public so probes need no token.
 */
@ApiTags('system')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly system: SystemHealthIndicators,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 2000 }),
      () => this.system.disk(),
      () => this.system.memory(),
      () => this.system.ffmpeg(),
      () => this.system.gpu(),
      () => this.system.enforcer(),
    ]);
  }

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }
}
