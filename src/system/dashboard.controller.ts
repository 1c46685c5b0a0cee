import { randomBytes } from 'node:crypto';
import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DateTime } from 'luxon';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { renderLive, renderPage } from './dashboard.view.js';
import { SystemService } from './system.service.js';

@ApiTags('system')
@ApiBearerAuth()
@Controller('dash/system')
export class DashboardController {
  constructor(
    private readonly system: SystemService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** The system page (`?fragment=1`: only its live part, for the page's own refresh). */
  @Get()
  @ApiExcludeEndpoint()
  async page(@Query('fragment') fragment: string | undefined, @Res() reply: FastifyReply) {
    const overview = await this.system.overview();
    const tomorrow8 = DateTime.fromJSDate(this.clock.now(), { zone: this.config.timeZone }).plus({ days: 1 }).set({ hour: 8, minute: 0, second: 0, millisecond: 0 }).toISO()!;
    void reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store');
    if (fragment) return void reply.send(renderLive(overview, tomorrow8));
    const nonce = randomBytes(16).toString('base64');
    void reply
      .header('content-security-policy', `default-src 'self'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`)
      .send(renderPage(overview, tomorrow8, nonce));
  }
}
