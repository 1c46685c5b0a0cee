import { Body, Controller, ForbiddenException, Get, Headers, HttpCode, HttpException, HttpStatus, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { sameSecret } from '../common/api-auth.js';
import { validationFailed } from '../common/validation.js';
import { AppConfig } from '../config/app-config.js';
import { parseHeartbeat } from './heartbeat.payload.js';
import { HeartbeatsService } from './heartbeats.service.js';

/**
 * `POST /api/runner/heartbeat/` (trailing slash optional): the runners' endpoint, open to
 * them without the API token but guarded by RUNNER_HEARTBEAT_KEY when that is set (header
 * X-BISK-KEY, `?key=` or `hb_key` in the body).
 */
@ApiTags('runners')
@Controller('api/runner/heartbeat')
export class HeartbeatsController {
  constructor(
    private readonly heartbeats: HeartbeatsService,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(200)
  async receive(@Body() body: unknown, @Headers('x-bisk-key') headerKey?: string, @Query('key') queryKey?: string) {
    const parsed = parseHeartbeat(body);
    const expected = this.config.runners.heartbeatKey;
    if (expected) {
      const given = headerKey ?? queryKey ?? (parsed.ok ? parsed.heartbeat.key : (body as Record<string, unknown> | null)?.hb_key);
      if (typeof given !== 'string' || !sameSecret(given, expected)) throw new ForbiddenException('Invalid or missing heartbeat key');
    }
    if (!parsed.ok) throw validationFailed(parsed.errors);
    return this.heartbeats.record(parsed.heartbeat);
  }

  @Get()
  notAllowed(): never {
    throw new HttpException({ statusCode: 405, error: 'Method Not Allowed', message: 'Use POST to send a heartbeat' }, HttpStatus.METHOD_NOT_ALLOWED);
  }
}
