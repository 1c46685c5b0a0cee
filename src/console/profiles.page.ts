import { Body, Controller, Get, Param, Post, Query, Render, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DETECTION_SETS, PROFILE_TRANSPORTS } from '../common/domain.js';
import { IdPipe } from '../common/id.pipe.js';
import { CreateProfileDto, UpdateProfileDto } from '../schedules/profile.dto.js';
import { ProfilesService } from '../schedules/profiles.service.js';
import { ConsolePages } from './console.pages.js';
import { type FormSchema, formatExtraArgs, formBody, formErrors, noErrors, parseExtraArgs, validated } from './forms.js';
import { offsetOf, pager } from './pager.js';

const PROFILE_FORM: FormSchema = {
  name: 'text', fps: 'number', detectionSet: 'text', rtspTransport: 'text', hbInterval: 'int', snapshotEvery: 'int', isActive: 'bool',
};
const choices = { detectionSets: DETECTION_SETS, transports: PROFILE_TRANSPORTS };
const PAGE_SIZE = 50;

/** The profile body of a form: the fields plus extra arguments written one per line. */
function profileBody(raw: Record<string, unknown>) {
  const body = formBody(raw, PROFILE_FORM);
  if (typeof raw.extraArgs === 'string') body.extraArgs = parseExtraArgs(raw.extraArgs);
  return body;
}

/** /dash/profiles/: stream profiles (what a runner is started with). */
@ApiExcludeController()
@Controller('dash/profiles')
export class ProfilePages {
  constructor(
    private readonly pages: ConsolePages,
    private readonly profiles: ProfilesService,
  ) {}

  @Get()
  @Render('profiles/list')
  async list(@Query('offset') offset?: string) {
    const page = await this.profiles.list({ limit: PAGE_SIZE, offset: offsetOf(offset) });
    return { ...this.pages.base('profiles', 'Profiles'), profiles: page.items, pager: pager(page, '/dash/profiles/'), formatExtraArgs };
  }

  @Get('new')
  @Render('profiles/edit')
  create() {
    return { ...this.pages.base('profiles', 'New profile'), profile: null, values: { fps: 6, detectionSet: 'auto', rtspTransport: '', hbInterval: 10, snapshotEvery: 3, isActive: true, extraArgs: '' }, errors: noErrors(), ...choices };
  }

  @Post('new')
  async createPost(@Body() raw: Record<string, unknown>, @Res() reply: FastifyReply) {
    const body = profileBody(raw);
    try {
      await this.profiles.create(await validated(CreateProfileDto, body));
      this.pages.done(reply, '/dash/profiles/');
    } catch (error) {
      await this.pages.refused(reply, 'profiles/form', { profile: null, values: { ...body, extraArgs: raw.extraArgs }, ...choices }, formErrors(error));
    }
  }

  @Get(':id')
  @Render('profiles/edit')
  async edit(@Param('id', new IdPipe()) id: number) {
    const profile = await this.profiles.get(id);
    return { ...this.pages.base('profiles', profile.name), profile, values: { ...profile, extraArgs: formatExtraArgs(profile.extraArgs) }, errors: noErrors(), ...choices };
  }

  @Post(':id')
  async update(@Param('id', new IdPipe()) id: number, @Body() raw: Record<string, unknown>, @Res() reply: FastifyReply) {
    const profile = await this.profiles.get(id);
    const body = profileBody(raw);
    try {
      await this.profiles.update(id, await validated(UpdateProfileDto, body));
      this.pages.done(reply, '/dash/profiles/');
    } catch (error) {
      await this.pages.refused(reply, 'profiles/form', { profile, values: { ...body, extraArgs: raw.extraArgs }, ...choices }, formErrors(error));
    }
  }

  @Post(':id/delete')
  async remove(@Param('id', new IdPipe()) id: number, @Res() reply: FastifyReply) {
    await this.profiles.remove(id);
    this.pages.done(reply, '/dash/profiles/');
  }
}
