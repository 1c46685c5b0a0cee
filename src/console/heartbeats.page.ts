import { Body, Controller, Get, Inject, Post, Query, Render, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DateTime } from 'luxon';
import { badField } from '../common/errors.js';
import { maskCredentials } from '../common/mask.js';
import { notFound } from '../common/errors.js';
import { SQL_PORT, type Sql } from '../database/sql.js';
import { HeartbeatHistory } from '../heartbeats/heartbeat-history.js';
import { ConsolePages } from './console.pages.js';
import { formBody, formErrors, noErrors } from './forms.js';
import { offsetOf, pager } from './pager.js';

const PAGE_SIZE = 50;

/** /dash/heartbeats/: one runner's stored heartbeats, newest first, and purging history older than a date. */
@ApiExcludeController()
@Controller('dash/heartbeats')
export class HeartbeatPages {
  constructor(
    private readonly pages: ConsolePages,
    private readonly history: HeartbeatHistory,
    @Inject(SQL_PORT) private readonly sql: Sql,
  ) {}

  @Get()
  @Render('heartbeats/index')
  async index(@Query('runnerId') runnerText?: string, @Query('offset') offsetText?: string) {
    const runners = await this.runnerChoices();
    const runnerId = runnerText && /^\d{1,10}$/.test(runnerText) ? Number(runnerText) : undefined;
    const runner = runnerId === undefined ? undefined : runners.find((r) => r.id === runnerId);
    if (runnerId !== undefined && !runner) throw notFound('runner', runnerId);
    const base = { ...this.pages.base('heartbeats', 'Heartbeat history'), runners, runner, purgeDefault: this.purgeDefault(), errors: noErrors() };
    if (!runner) return { ...base, heartbeats: [], pager: null };
    const offset = offsetOf(offsetText);
    const [items, total] = await this.history.list({ cameraId: runner.cameraId, profileId: runner.profileId }, { limit: PAGE_SIZE, offset });
    return {
      ...base, heartbeats: items.map((h) => ({ ...h, lastError: maskCredentials(h.lastError) })),
      pager: pager({ items, total, limit: PAGE_SIZE, offset }, '/dash/heartbeats/', { runnerId }),
    };
  }

  /** Deletes stored heartbeats older than a local date and time in TZ (of one runner's pair, or all). */
  @Post('purge')
  async purge(@Body() raw: Record<string, unknown>, @Res() reply: FastifyReply) {
    const body = formBody(raw, { before: 'text', runnerId: 'int' });
    const runners = await this.runnerChoices();
    const runner = typeof body.runnerId === 'number' ? runners.find((r) => r.id === body.runnerId) : undefined;
    try {
      const before = DateTime.fromISO(String(body.before ?? ''), { zone: this.pages.timeZone });
      if (!body.before || !before.isValid) throw badField('before', 'must be a date and time such as 2026-11-01T00:00');
      if (before.toMillis() > this.pages.now().getTime()) throw badField('before', 'must not be in the future (that would delete heartbeats still arriving)');
      const deleted = await this.history.prune(before.toJSDate(), runner ? { cameraId: runner.cameraId, profileId: runner.profileId } : undefined);
      const html = await reply.viewAsync('heartbeats/purge', { ...this.pages.base('heartbeats', ''), runner, purgeDefault: String(body.before), errors: noErrors(), done: deleted });
      this.pages.changed(reply, `Deleted ${deleted} heartbeat row(s) older than ${before.toFormat('yyyy-LL-dd HH:mm')}`, html);
    } catch (error) {
      await this.pages.refused(reply, 'heartbeats/purge', { ...this.pages.base('heartbeats', ''), runner, purgeDefault: String(body.before ?? '') }, formErrors(error));
    }
  }

  private async runnerChoices() {
    const rows = await this.sql.rows(
      'SELECT r.id, r.camera_id, c.name AS camera_name, r.profile_id, p.name AS profile_name, r.node FROM runners r LEFT JOIN cameras c ON c.id = r.camera_id LEFT JOIN stream_profiles p ON p.id = r.profile_id ORDER BY c.name, p.name, r.id',
    );
    return rows.map(([id, cameraId, cameraName, profileId, profileName, node]) => ({
      id: Number(id), cameraId: Number(cameraId), profileId: Number(profileId), node: String(node),
      label: `${cameraName ?? `#${cameraId}`} · ${profileName ?? `#${profileId}`} (${node})`,
    }));
  }

  /** 30 days ago, as a local date-time input value. */
  private purgeDefault() {
    return DateTime.fromJSDate(this.pages.now(), { zone: this.pages.timeZone }).minus({ days: 30 }).startOf('day').toFormat("yyyy-LL-dd'T'HH:mm");
  }
}
