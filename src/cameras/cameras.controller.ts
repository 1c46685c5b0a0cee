import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IdPipe } from '../common/id.pipe.js';
import { PageQuery } from '../common/pagination.js';
import { CreateCameraDto, PauseCameraDto, UpdateCameraDto } from './camera.dto.js';
import { ForecastQuery } from '../enforcer/forecast.dto.js';
import { ForecastService } from '../enforcer/forecast.service.js';
import { CamerasService } from './cameras.service.js';

@ApiTags('cameras')
@ApiBearerAuth()
@Controller('api/cameras')
export class CamerasController {
  constructor(
    private readonly cameras: CamerasService,
    private readonly forecasts: ForecastService,
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
