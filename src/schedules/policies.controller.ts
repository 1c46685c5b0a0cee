import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IdPipe } from '../common/id.pipe.js';
import { PageQuery } from '../common/pagination.js';
import {
  CreatePolicyDto, ExceptionDto, PolicyCamerasDto, UpdateExceptionDto, UpdatePolicyDto, UpdateWindowDto, WindowDto,
} from './policy.dto.js';
import { ForecastQuery } from '../enforcer/forecast.dto.js';
import { ForecastService } from '../enforcer/forecast.service.js';
import { PoliciesService } from './policies.service.js';

@ApiTags('policies')
@ApiBearerAuth()
@Controller('api/policies')
export class PoliciesController {
  constructor(
    private readonly policies: PoliciesService,
    private readonly forecasts: ForecastService,
  ) {}

  @Get()
  list(@Query() query: PageQuery) {
    return this.policies.list(query);
  }

  @Get(':id')
  get(@Param('id', new IdPipe()) id: number) {
    return this.policies.get(id);
  }

  /** What this policy will run and when, camera by camera (the pairs it wants; other policies' share not shown). */
  @Get(':id/forecast')
  forecast(@Param('id', new IdPipe()) id: number, @Query() query: ForecastQuery) {
    return this.forecasts.forPolicy(id, query.from ? new Date(query.from) : undefined, query.days);
  }

  @Post()
  create(@Body() dto: CreatePolicyDto) {
    return this.policies.create(dto);
  }

  @Patch(':id')
  update(@Param('id', new IdPipe()) id: number, @Body() dto: UpdatePolicyDto) {
    return this.policies.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', new IdPipe()) id: number) {
    await this.policies.remove(id);
  }

  @Post(':id/cameras')
  @HttpCode(200)
  addCameras(@Param('id', new IdPipe()) id: number, @Body() dto: PolicyCamerasDto) {
    return this.policies.addCameras(id, dto.cameraIds);
  }

  @Delete(':id/cameras/:cameraId')
  @HttpCode(204)
  async removeCamera(@Param('id', new IdPipe()) id: number, @Param('cameraId', new IdPipe('cameraId')) cameraId: number) {
    await this.policies.removeCamera(id, cameraId);
  }

  @Get(':id/windows')
  listWindows(@Param('id', new IdPipe()) id: number) {
    return this.policies.listWindows(id);
  }

  @Post(':id/windows')
  addWindow(@Param('id', new IdPipe()) id: number, @Body() dto: WindowDto) {
    return this.policies.addWindow(id, dto);
  }

  @Patch(':id/windows/:windowId')
  updateWindow(
    @Param('id', new IdPipe()) id: number,
    @Param('windowId', new IdPipe('windowId')) windowId: number,
    @Body() dto: UpdateWindowDto,
  ) {
    return this.policies.updateWindow(id, windowId, dto);
  }

  @Delete(':id/windows/:windowId')
  @HttpCode(204)
  async removeWindow(@Param('id', new IdPipe()) id: number, @Param('windowId', new IdPipe('windowId')) windowId: number) {
    await this.policies.removeWindow(id, windowId);
  }

  @Get(':id/exceptions')
  listExceptions(@Param('id', new IdPipe()) id: number) {
    return this.policies.listExceptions(id);
  }

  @Post(':id/exceptions')
  addException(@Param('id', new IdPipe()) id: number, @Body() dto: ExceptionDto) {
    return this.policies.addException(id, dto);
  }

  @Patch(':id/exceptions/:exceptionId')
  updateException(
    @Param('id', new IdPipe()) id: number,
    @Param('exceptionId', new IdPipe('exceptionId')) exceptionId: number,
    @Body() dto: UpdateExceptionDto,
  ) {
    return this.policies.updateException(id, exceptionId, dto);
  }

  @Delete(':id/exceptions/:exceptionId')
  @HttpCode(204)
  async removeException(
    @Param('id', new IdPipe()) id: number,
    @Param('exceptionId', new IdPipe('exceptionId')) exceptionId: number,
  ) {
    await this.policies.removeException(id, exceptionId);
  }
}
