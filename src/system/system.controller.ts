import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { SystemService } from './system.service.js';

@ApiTags('system')
@ApiBearerAuth()
@Controller('api/system')
export class SystemController {
  constructor(private readonly system: SystemService) {}

  /** Host stats, enforcer breadcrumbs, runner tallies, paused cameras and the runner table. */
  @Get()
  overview() {
    return this.system.overview();
  }
}
