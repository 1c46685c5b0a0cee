import { Controller, Get, Header, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { IdPipe } from '../common/id.pipe.js';
import { MAX_INT32 } from '../common/pagination.js';
import { LOG_TAIL_BYTES } from './runner-log.js';
import { RunnerLogQuery, RunnerLogView, RunnerProcessView } from './runner-details.dto.js';
import { RunnerDetails } from './runner-details.service.js';

const RUNNER_ID = { name: 'id', description: 'runner id', schema: { type: 'integer' as const, minimum: 1, maximum: MAX_INT32 } };

/**
 * One runner's process and log, for the console's runner view. Apart from GET /api/runners,
 * whose page stays a database read: reading /proc for every row would cost tens of
 * milliseconds per request on a host with a thousand runners.
 */
@ApiTags('enforcer')
@ApiBearerAuth()
@Controller('api/runners')
export class RunnerDetailsController {
  constructor(private readonly details: RunnerDetails) {}

  @Get(':id/process')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: "A runner's process on this host",
    description: 'RSS, CPU percent since the previous read, threads, live descendants and uptime, read from /proc. process is null (with a reason) when the runner runs on another node, has no process, or its process is gone.',
  })
  @ApiParam(RUNNER_ID)
  @ApiOkResponse({ type: RunnerProcessView })
  @ApiNotFoundResponse({ description: 'no runner with this id' })
  process(@Param('id', new IdPipe()) id: number) {
    return this.details.process(id);
  }

  @Get(':id/log')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: "The end of a runner's log",
    description: `The last lines (default 50, at most 500) written since the enforcer last started it, from the last ${LOG_TAIL_BYTES / 1024} KiB of its log file, with credentials and keys masked.`,
  })
  @ApiParam(RUNNER_ID)
  @ApiOkResponse({ type: RunnerLogView })
  @ApiNotFoundResponse({ description: 'no runner with this id, or no log of it on this host (it runs on another node, or has not started here)' })
  log(@Param('id', new IdPipe()) id: number, @Query() query: RunnerLogQuery) {
    return this.details.log(id, query.lines);
  }
}
