import { Body, Controller, Get, NotFoundException, Param, Post, Query, Render, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CamerasService } from '../cameras/cameras.service.js';
import { DETECTION_SETS, DEVICES, HWACCELS } from '../common/domain.js';
import { IdPipe } from '../common/id.pipe.js';
import { ResourceSettingsDto } from '../schedules/resource-settings.dto.js';
import { ResourceSettingsService } from '../schedules/resource-settings.service.js';
import { ConsolePages } from './console.pages.js';
import { type FormSchema, formBody, formErrors, noErrors, validated } from './forms.js';
import { offsetOf, pager } from './pager.js';

/** Every field may be empty: no cap on the global row, "inherit the global value" on a camera's. */
const SETTINGS_FORM: FormSchema = {
  device: 'nullableText', hwaccel: 'nullableText', gpuIndex: 'nullableInt', cpuNice: 'nullableInt', cpuAffinity: 'nullableText',
  maxFps: 'nullableNumber', detSetMax: 'nullableText', isActive: 'bool',
};
const choices = { devices: DEVICES, hwaccels: HWACCELS, detectionSets: DETECTION_SETS };
const PAGE_SIZE = 50;

/** /dash/resources/: placement and caps, global and per camera. */
@ApiExcludeController()
@Controller('dash/resources')
export class ResourcePages {
  constructor(
    private readonly pages: ConsolePages,
    private readonly settings: ResourceSettingsService,
    private readonly cameras: CamerasService,
  ) {}

  @Get()
  @Render('resources/index')
  async index(@Query('offset') offset?: string) {
    const [global, overrides, cameras] = await Promise.all([
      this.settings.global(),
      this.settings.overrides({ limit: PAGE_SIZE, offset: offsetOf(offset) }),
      this.pages.cameraChoices(),
    ]);
    const names = new Map(cameras.map((c) => [c.id, c.name]));
    return {
      ...this.pages.base('resources', 'Resource caps'), scope: 'global', values: global, errors: noErrors(), ...choices,
      overrides: overrides.items.map((o) => ({ ...o, cameraName: names.get(o.cameraId!) ?? `#${o.cameraId}` })),
      pager: pager(overrides, '/dash/resources/'), cameras,
    };
  }

  @Post('global')
  async saveGlobal(@Body() raw: Record<string, unknown>, @Res() reply: FastifyReply) {
    const body = formBody(raw, SETTINGS_FORM);
    try {
      await this.settings.updateGlobal(await validated(ResourceSettingsDto, body));
      this.pages.done(reply, '/dash/resources/');
    } catch (error) {
      await this.pages.refused(reply, 'resources/form', { scope: 'global', values: body, ...choices }, formErrors(error));
    }
  }

  /** A camera's override (a new one when it has none yet). */
  @Get('cameras/:cameraId')
  @Render('resources/camera')
  async camera(@Param('cameraId', new IdPipe()) cameraId: number) {
    const camera = await this.cameras.get(cameraId);
    const values = await this.settings.forCamera(cameraId).catch((error: unknown) => {
      if (error instanceof NotFoundException) return { isActive: true, exists: false };
      throw error;
    });
    return { ...this.pages.base('resources', `Resource caps of ${camera.name}`), scope: 'camera', camera, values, exists: !('exists' in values), errors: noErrors(), ...choices };
  }

  @Post('cameras/:cameraId')
  async saveCamera(@Param('cameraId', new IdPipe()) cameraId: number, @Body() raw: Record<string, unknown>, @Res() reply: FastifyReply) {
    const camera = await this.cameras.get(cameraId);
    const body = formBody(raw, SETTINGS_FORM);
    try {
      await this.settings.putForCamera(cameraId, await validated(ResourceSettingsDto, body));
      this.pages.done(reply, '/dash/resources/');
    } catch (error) {
      await this.pages.refused(reply, 'resources/form', { scope: 'camera', camera, values: body, ...choices }, formErrors(error));
    }
  }

  @Post('cameras/:cameraId/delete')
  async removeCamera(@Param('cameraId', new IdPipe()) cameraId: number, @Res() reply: FastifyReply) {
    await this.settings.removeForCamera(cameraId);
    this.pages.done(reply, '/dash/resources/');
  }
}
