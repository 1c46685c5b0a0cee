import { Body, Controller, Delete, Get, Header, HttpCode, NotFoundException, Param, Patch, Post, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { IdPipe } from '../common/id.pipe.js';
import { MAX_INT32, PageQuery } from '../common/pagination.js';
import { CreateCameraDto, PauseCameraDto, UpdateCameraDto } from './camera.dto.js';
import { ForecastQuery } from '../enforcer/forecast.dto.js';
import { ForecastService } from '../enforcer/forecast.service.js';
import { CamerasService } from './cameras.service.js';
import { SNAPSHOT_MAX_BYTES, SnapshotStore } from './snapshots.js';

@ApiTags('cameras')
@ApiBearerAuth()
@Controller('api/cameras')
export class CamerasController {
  constructor(
    private readonly cameras: CamerasService,
    private readonly forecasts: ForecastService,
    private readonly snapshots: SnapshotStore,
  ) {}

  @Get()
  list(@Query() query: PageQuery) {
    return this.cameras.list(query);
  }

  @Get(':id')
  get(@Param('id', new IdPipe()) id: number) {
    return this.cameras.get(id);
  }

  /** What will run for this camera and when, as the enforcer will act (pauses, exceptions, every policy). */
  @Get(':id/forecast')
  forecast(@Param('id', new IdPipe()) id: number, @Query() query: ForecastQuery) {
    return this.forecasts.forCamera(id, query.from ? new Date(query.from) : undefined, query.days);
  }

  /** The newest snapshot a runner on this host wrote for the camera (any of its profiles). */
  @Get(':id/snapshot')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Latest snapshot of a camera (JPEG)',
    description: `The newest SNAPSHOT_DIR/camera-<id>/camera-<id>-profile-<p>-latest.jpg on this host; Last-Modified says when it was written. Files over ${SNAPSHOT_MAX_BYTES / 1024 / 1024} MiB or resolving outside SNAPSHOT_DIR, and a camera-<id> directory that is a symlink, are not served.`,
  })
  @ApiParam({ name: 'id', description: 'camera id', schema: { type: 'integer', minimum: 1, maximum: MAX_INT32 } })
  @ApiProduces('image/jpeg')
  @ApiOkResponse({ description: 'the JPEG', content: { 'image/jpeg': { schema: { type: 'string', format: 'binary' } } } })
  @ApiNotFoundResponse({ description: 'unknown camera, or no snapshot of it on this host (JSON message)' })
  async snapshot(@Param('id', new IdPipe()) id: number, @Res({ passthrough: true }) reply: FastifyReply) {
    await this.cameras.get(id);
    const shot = await this.snapshots.latest(id);
    if (shot.kind === 'too-large') {
      throw new NotFoundException(`The latest snapshot of camera ${id} is ${shot.bytes} bytes, over the ${SNAPSHOT_MAX_BYTES}-byte limit: not served`);
    }
    if (shot.kind === 'none') throw new NotFoundException(`No snapshot of camera ${id} on this host yet`);
    reply.header('last-modified', shot.modifiedAt.toUTCString());
    return new StreamableFile(shot.data, { type: 'image/jpeg', length: shot.data.length });
  }

  @Post()
  create(@Body() dto: CreateCameraDto) {
    return this.cameras.create(dto);
  }

  @Patch(':id')
  update(@Param('id', new IdPipe()) id: number, @Body() dto: UpdateCameraDto) {
    return this.cameras.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', new IdPipe()) id: number) {
    await this.cameras.remove(id);
  }

  @Post(':id/pause')
  @HttpCode(200)
  pause(@Param('id', new IdPipe()) id: number, @Body() dto: PauseCameraDto) {
    return this.cameras.pause(id, dto);
  }

  @Post(':id/resume')
  @HttpCode(200)
  resume(@Param('id', new IdPipe()) id: number) {
    return this.cameras.resume(id);
  }
}
