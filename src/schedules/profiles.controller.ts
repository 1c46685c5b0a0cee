import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IdPipe } from '../common/id.pipe.js';
import { PageQuery } from '../common/pagination.js';
import { CreateProfileDto, UpdateProfileDto } from './profile.dto.js';
import { ProfilesService } from './profiles.service.js';

@ApiTags('profiles')
@ApiBearerAuth()
@Controller('api/profiles')
export class ProfilesController {
  constructor(private readonly profiles: ProfilesService) {}

  @Get()
  list(@Query() query: PageQuery) {
    return this.profiles.list(query);
  }

  @Get(':id')
  get(@Param('id', new IdPipe()) id: number) {
    return this.profiles.get(id);
  }

  @Post()
  create(@Body() dto: CreateProfileDto) {
    return this.profiles.create(dto);
  }

  @Patch(':id')
  update(@Param('id', new IdPipe()) id: number, @Body() dto: UpdateProfileDto) {
    return this.profiles.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', new IdPipe()) id: number) {
    await this.profiles.remove(id);
  }
}
