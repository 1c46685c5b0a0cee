import { Body, Controller, Get, Param, Post, Query, Render, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DAY_NAMES, EXCEPTION_MODES } from '../common/domain.js';
import { IdPipe } from '../common/id.pipe.js';
import { ForecastService } from '../enforcer/forecast.service.js';
import { CreatePolicyDto, UpdatePolicyDto } from '../schedules/policy.dto.js';
import { PoliciesService } from '../schedules/policies.service.js';
import { ProfilesService } from '../schedules/profiles.service.js';
import { ConsolePages } from './console.pages.js';
import { type FormSchema, formBody, formErrors, noErrors, validated } from './forms.js';
import { offsetOf, pager } from './pager.js';
import { scheduleViews } from './schedule.pictures.js';

/** A policy posted whole: its windows and exceptions replace the stored ones, as `PATCH /api/policies/:id` does. */
const POLICY_FORM: FormSchema = {
  name: 'text', isEnabled: 'bool', notes: 'text', cameraIds: 'ints',
  windows: { rows: { dayOfWeek: 'int', startTime: 'text', endTime: 'text', profileId: 'int' } },
  exceptions: { rows: { date: 'text', mode: 'text', startTime: 'nullableText', endTime: 'nullableText', profileId: 'nullableInt' } },
};
const PAGE_SIZE = 50;

type PolicyView = Awaited<ReturnType<PoliciesService['get']>>;

/** /dash/policies/: the list, the editor (name, cameras, windows, exceptions), the week and the forecast. */
@ApiExcludeController()
@Controller('dash/policies')
export class PolicyPages {
  constructor(
    private readonly pages: ConsolePages,
    private readonly policies: PoliciesService,
    private readonly profiles: ProfilesService,
    private readonly forecasts: ForecastService,
  ) {}

  @Get()
  @Render('policies/list')
  async list(@Query('offset') offset?: string) {
    const page = await this.policies.list({ limit: PAGE_SIZE, offset: offsetOf(offset) });
    const profiles = new Map((await this.pages.profileChoices()).map((p) => [p.id, p.name]));
    return { ...this.pages.base('policies', 'Policies'), policies: page.items, profiles, pager: pager(page, '/dash/policies/') };
  }

  @Get('new')
  @Render('policies/new')
  async create() {
    return { ...this.pages.base('policies', 'New policy'), ...(await this.formData(null, { isEnabled: true, cameraIds: [], windows: [], exceptions: [] })) };
  }

  @Post('new')
  async createPost(@Body() raw: Record<string, unknown>, @Res() reply: FastifyReply) {
    const body = formBody(raw, POLICY_FORM);
    try {
      const policy = await this.policies.create(await validated(CreatePolicyDto, body));
      this.pages.done(reply, `/dash/policies/${policy.id}`);
    } catch (error) {
      await this.pages.refused(reply, 'policies/form', { ...this.pages.base('policies', ''), ...(await this.formData(null, body)) }, formErrors(error));
    }
  }

  @Get(':id')
  @Render('policies/detail')
  async detail(@Param('id', new IdPipe()) id: number, @Query('from') from?: string) {
    const policy = await this.policies.get(id);
    const [form, pictures] = await Promise.all([
      this.formData(policy, policy),
      scheduleViews(this.pages, this.policies, this.profiles, this.forecasts, { policy }, from),
    ]);
    return { ...this.pages.base('policies', policy.name), ...form, ...pictures };
  }

  @Post(':id')
  async update(@Param('id', new IdPipe()) id: number, @Body() raw: Record<string, unknown>, @Res() reply: FastifyReply) {
    const policy = await this.policies.get(id);
    const body = formBody(raw, POLICY_FORM);
    try {
      await this.policies.update(id, await validated(UpdatePolicyDto, body));
      this.pages.done(reply, `/dash/policies/${id}`);
    } catch (error) {
      await this.pages.refused(reply, 'policies/form', { ...this.pages.base('policies', ''), ...(await this.formData(policy, body)) }, formErrors(error));
    }
  }

  @Post(':id/delete')
  async remove(@Param('id', new IdPipe()) id: number, @Res() reply: FastifyReply) {
    await this.policies.remove(id);
    this.pages.done(reply, '/dash/policies/');
  }

  private async formData(policy: PolicyView | null, values: Record<string, unknown>) {
    const [cameras, profiles] = await Promise.all([this.pages.cameraChoices(), this.pages.profileChoices()]);
    return { policy, values, cameras, profiles, days: DAY_NAMES, modes: EXCEPTION_MODES, errors: noErrors() };
  }
}
