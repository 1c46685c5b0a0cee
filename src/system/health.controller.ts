import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';

/**
 * `/health` (readiness: 200 when every indicator is up, 503 with details otherwise) and
 * `/health/live` (the process answers). Both are public so probes need no token.
 */
@ApiTags('system')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.database.pingCheck('database', { timeout: 2000 })]);
  }

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }
}
