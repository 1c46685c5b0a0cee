import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { MetricsService } from './metrics.service.js';

@ApiTags('system')
@ApiBearerAuth()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  /** Prometheus text exposition: this app's metrics and the enforcer's. */
  @Get()
  @Header('cache-control', 'no-store')
  async scrape(@Res() reply: FastifyReply) {
    const text = await this.metrics.exposition();
    void reply.header('content-type', this.metrics.contentType).send(text);
  }
}
