import { Controller, Delete, Get, HttpCode, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { notFound } from '../common/errors.js';
import { IdPipe } from '../common/id.pipe.js';
import { maskCredentials } from '../common/mask.js';
import { MAX_INT32, page } from '../common/pagination.js';
import { EnforcerReadModel } from '../enforcer/enforcer.read-model.js';
import { HeartbeatHistory, type Pair } from './heartbeat-history.js';
import { HeartbeatHistoryQuery, PruneHeartbeatsQuery } from './heartbeat-history.dto.js';

/**
 * The stored heartbeat history through HTTP. History rows are keyed by (camera, profile), not by
 * runner row: a runner's history is its pair's, whichever node or process sent it.
 */
@ApiTags('heartbeats')
@ApiBearerAuth()
@Controller('api')
export class HeartbeatHistoryController {
  constructor(
    private readonly history: HeartbeatHistory,
    private readonly readModel: EnforcerReadModel,
  ) {}

  private async pairOf(runnerId: number): Promise<Pair> {
    const runner = await this.readModel.runner(runnerId);
    if (!runner) throw notFound('runner', runnerId);
    return { cameraId: runner.cameraId, profileId: runner.profileId };
  }

  @Get('runners/:id/heartbeats')
  @ApiOperation({ summary: "A runner's stored heartbeat history, newest first", description: "The history of the runner's (camera, profile) pair: history rows are stored per pair, not per runner row." })
  @ApiParam({ name: 'id', description: 'runner id', schema: { type: 'integer', minimum: 1, maximum: MAX_INT32 } })
  @ApiOkResponse({ description: '{runnerId, cameraId, profileId, items: [{id, at, pid, cameraFps, processedFps, targetFps, detected, matched, latencyMs, lastError, snapshotEvery, minFacePx}], total, limit, offset}' })
  @ApiBadRequestResponse({ description: 'a malformed id, limit, offset, before or since, or an unknown query parameter' })
  @ApiNotFoundResponse({ description: 'no runner with this id' })
  async list(@Param('id', new IdPipe()) id: number, @Query() query: HeartbeatHistoryQuery) {
    const pair = await this.pairOf(id);
    const [rows, total] = await this.history.list(pair, {
      limit: query.limit, offset: query.offset, before: query.before ? new Date(query.before) : undefined, since: query.since ? new Date(query.since) : undefined,
    });
    const items = rows.map((r) => ({ ...r, at: r.at.toISOString(), lastError: maskCredentials(r.lastError) }));
    return { runnerId: id, ...pair, ...page(items, total, query) };
  }

  /** Purges history rows (all pairs, or one runner's pair); runner rows and their latest heartbeat stay. */
  @Delete('heartbeats')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete heartbeat history older than an instant', description: "Only history rows: each runner's latest heartbeat (GET /api/runners) is kept. With runnerId, only that runner's pair." })
  @ApiOkResponse({ description: '{deleted}: how many history rows were deleted' })
  @ApiBadRequestResponse({ description: 'before missing or not an ISO-8601 instant with Z or an offset; a malformed runnerId; an unknown query parameter' })
  @ApiNotFoundResponse({ description: 'runnerId names no runner' })
  async prune(@Query() query: PruneHeartbeatsQuery) {
    const pair = query.runnerId === undefined ? undefined : await this.pairOf(query.runnerId);
    return { deleted: await this.history.prune(new Date(query.before), pair) };
  }
}
