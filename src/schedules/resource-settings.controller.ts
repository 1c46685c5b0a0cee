import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IdPipe } from '../common/id.pipe.js';
import { PageQuery } from '../common/pagination.js';
import { ResourceSettingsDto } from './resource-settings.dto.js';
import { ResourceSettingsService } from './resource-settings.service.js';

@ApiTags('resource settings')
@ApiBearerAuth()
@Controller('api/resource-settings')
export class ResourceSettingsController {
  constructor(private readonly settings: ResourceSettingsService) {}

  @Get('global')
  global() {
    return this.settings.global();
  }

  @Put('global')
  updateGlobal(@Body() dto: ResourceSettingsDto) {
    return this.settings.updateGlobal(dto);
  }

  @Get('cameras')
  overrides(@Query() query: PageQuery) {
    return this.settings.overrides(query);
  }

  @Get('cameras/:cameraId')
  forCamera(@Param('cameraId', new IdPipe('cameraId')) cameraId: number) {
    return this.settings.forCamera(cameraId);
  }

  @Put('cameras/:cameraId')
  putForCamera(@Param('cameraId', new IdPipe('cameraId')) cameraId: number, @Body() dto: ResourceSettingsDto) {
    return this.settings.putForCamera(cameraId, dto);
  }

  @Delete('cameras/:cameraId')
  @HttpCode(204)
  async removeForCamera(@Param('cameraId', new IdPipe('cameraId')) cameraId: number) {
    await this.settings.removeForCamera(cameraId);
  }
}
