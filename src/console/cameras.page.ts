import { Body, Controller, Get, Param, Post, Query, Render, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DateTime } from 'luxon';
import { CreateCameraDto, PauseCameraDto, UpdateCameraDto } from '../cameras/camera.dto.js';
import { CamerasService } from '../cameras/cameras.service.js';
import { SnapshotStore } from '../cameras/snapshots.js';
import { CAMERA_TRANSPORTS, DETECTION_SETS } from '../common/domain.js';
import { badField } from '../common/errors.js';
import { IdPipe } from '../common/id.pipe.js';
import { ForecastService } from '../enforcer/forecast.service.js';
import { PoliciesService } from '../schedules/policies.service.js';
import { ProfilesService } from '../schedules/profiles.service.js';
import { ConsolePages } from './console.pages.js';
import { type FormSchema, formBody, formErrors, noErrors, validated } from './forms.js';
import { offsetOf, pager } from './pager.js';
import { scheduleViews } from './schedule.pictures.js';

const CAMERA_FORM: FormSchema = {
  name: 'text', rtspUrl: 'text', location: 'text', isActive: 'bool', rtspTransport: 'text', hbInterval: 'int', snapshotEvery: 'int',
  preferCameraOverProfile: 'bool', targetFpsReq: 'nullableNumber', detSetReq: 'nullableText', node: 'nullableText',
};
const PAGE_SIZE = 50;
const choices = { transports: CAMERA_TRANSPORTS, detectionSets: DETECTION_SETS };

/** /dash/cameras/: the list, the create and edit forms, pause and resume, the week and the forecast of one camera. */
@ApiExcludeController()
@Controller('dash/cameras')
export class CameraPages {
  constructor(
    private readonly pages: ConsolePages,
    private readonly cameras: CamerasService,
    private readonly policies: PoliciesService,
    private readonly profiles: ProfilesService,
    private readonly forecasts: ForecastService,
    private readonly snapshots: SnapshotStore,
  ) {}

  @Get()
  @Render('cameras/list')
  async list(@Query('offset') offset?: string) {
    const page = await this.cameras.list({ limit: PAGE_SIZE, offset: offsetOf(offset) });
    const ids = page.items.map((c) => c.id);
    const [runners, snapshots] = await Promise.all([this.pages.runnersOf(ids), this.snapshots.latestTimes(ids)]);
    return { ...this.pages.base('cameras', 'Cameras'), cameras: page.items, runners, snapshots, pager: pager(page, '/dash/cameras/'), pauseChoices: this.pauseChoices() };
  }

  @Get('new')
  @Render('cameras/new')
  create() {
    return { ...this.pages.base('cameras', 'New camera'), camera: null, values: { isActive: true, rtspTransport: 'auto', hbInterval: 10, snapshotEvery: 3 }, errors: noErrors(), ...choices };
  }

  @Post('new')
  async createPost(@Body() raw: Record<string, unknown>, @Res() reply: FastifyReply) {
    const body = formBody(raw, CAMERA_FORM);
    try {
      const camera = await this.cameras.create(await validated(CreateCameraDto, body));
      this.pages.done(reply, `/dash/cameras/${camera.id}`);
    } catch (error) {
      await this.pages.refused(reply, 'cameras/form', { camera: null, values: body, ...choices }, formErrors(error));
    }
  }

  @Get(':id')
  @Render('cameras/detail')
  async detail(@Param('id', new IdPipe()) id: number, @Query('from') from?: string) {
    const camera = await this.cameras.get(id);
    const [runners, snapshots, pictures] = await Promise.all([
      this.pages.runnersOf([id]),
      this.snapshots.latestTimes([id]),
      scheduleViews(this.pages, this.policies, this.profiles, this.forecasts, { cameraId: id }, from),
    ]);
    return {
      ...this.pages.base('cameras', camera.name), camera, values: camera, errors: noErrors(), ...choices,
      runners: runners.get(id) ?? [], snapshot: snapshots.get(id) ?? null, pauseChoices: this.pauseChoices(), ...pictures,
    };
  }

  @Post(':id')
  async update(@Param('id', new IdPipe()) id: number, @Body() raw: Record<string, unknown>, @Res() reply: FastifyReply) {
    const current = await this.cameras.get(id);
    const body = formBody(raw, CAMERA_FORM);
    // The form shows the stream URL with its password masked (`user:***@`); the service puts the
    // stored password back when the rest changed too (restoreMaskedSecrets), as for any API client.
    try {
      await this.cameras.update(id, await validated(UpdateCameraDto, body));
      this.pages.done(reply, `/dash/cameras/${id}`);
    } catch (error) {
      await this.pages.refused(reply, 'cameras/form', { camera: current, values: { ...current, ...body }, ...choices }, formErrors(error));
    }
  }

  @Post(':id/delete')
  async remove(@Param('id', new IdPipe()) id: number, @Res() reply: FastifyReply) {
    await this.cameras.remove(id);
    this.pages.done(reply, '/dash/cameras/');
  }

  /** `{minutes}` (the buttons) or `{until}` as local date and time in TZ (the picker). */
  @Post(':id/pause')
  async pause(@Param('id', new IdPipe()) id: number, @Body() raw: Record<string, unknown>, @Res() reply: FastifyReply) {
    const camera = await this.cameras.get(id);
    const body = formBody(raw, { minutes: 'int', until: 'optionalText' });
    try {
      if (typeof body.until === 'string') {
        const local = DateTime.fromISO(body.until, { zone: this.pages.timeZone });
        if (!local.isValid) throw badField('until', `must be a date and time such as ${DateTime.now().setZone(this.pages.timeZone).toFormat("yyyy-LL-dd'T'HH:mm")}`);
        body.until = local.toISO();
      }
      const paused = await this.cameras.pause(id, await validated(PauseCameraDto, body));
      await this.pausePanel(reply, paused, `Paused until ${this.pages.base('cameras', '').f.when(paused.pauseUntil)}`);
    } catch (error) {
      await this.pages.refused(reply, 'cameras/pause', { camera, pauseChoices: this.pauseChoices(), ...this.pages.base('cameras', '') }, formErrors(error));
    }
  }

  @Post(':id/resume')
  async resume(@Param('id', new IdPipe()) id: number, @Res() reply: FastifyReply) {
    await this.pausePanel(reply, await this.cameras.resume(id), 'Resumed');
  }

  private async pausePanel(reply: FastifyReply, camera: Awaited<ReturnType<CamerasService['get']>>, message: string) {
    const html = await reply.viewAsync('cameras/pause', { ...this.pages.base('cameras', ''), camera, pauseChoices: this.pauseChoices(), errors: noErrors() });
    this.pages.changed(reply, message, html);
  }

  /** A sensible default for "until": tomorrow 08:00 in TZ. */
  private pauseChoices() {
    const tomorrow8 = DateTime.fromJSDate(this.pages.now(), { zone: this.pages.timeZone }).plus({ days: 1 }).set({ hour: 8, minute: 0, second: 0, millisecond: 0 });
    return { untilDefault: tomorrow8.toFormat("yyyy-LL-dd'T'HH:mm"), minDate: DateTime.fromJSDate(this.pages.now(), { zone: this.pages.timeZone }).toFormat("yyyy-LL-dd'T'HH:mm") };
  }
}
