import { Body, Controller, Get, Inject, Post, Query, Render, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DateTime } from 'luxon';
import { badField } from '../common/errors.js';
import { maskCredentials } from '../common/mask.js';
import { notFound } from '../common/errors.js';
import { readInstant, readNumber, SQL_PORT, type Sql } from '../database/sql.js';
import { HeartbeatHistory } from '../heartbeats/heartbeat-history.js';
import { ConsolePages } from './console.pages.js';
import { formBody, formErrors, noErrors } from './forms.js';

const PAGE_SIZE = 50;

/**
 * Where a history page starts: `before=<ms>.<id>` (the "older" link: after that row) or
 * `at=<local date-time>` (rows before that instant in the zone); neither is the newest page.
 */
export function historyCursor(query: Record<string, string | undefined>, zone: string): { cursor: { ts: Date; id?: number } | null; problem: string | null } {
  if (query.before) {
    const match = /^(\d{1,15})\.(\d{1,10})$/.exec(query.before);
    if (match && Number(match[2]) <= 2_147_483_647) return { cursor: { ts: new Date(Number(match[1])), id: Number(match[2]) }, problem: null };
    return { cursor: null, problem: 'before must be a position from an "Older" link; showing the newest heartbeats' };
  }
  if (query.at) {
    const at = DateTime.fromISO(query.at, { zone });
    if (at.isValid) return { cursor: { ts: at.toJSDate() }, problem: null };
    return { cursor: null, problem: 'at must be a date and time such as 2026-12-01T08:00; showing the newest heartbeats' };
  }
  return { cursor: null, problem: null };
}

/** /dash/heartbeats/: one runner's stored heartbeats, newest first, and purging history older than a date. */
@ApiExcludeController()
@Controller('dash/heartbeats')
export class HeartbeatPages {
  constructor(
    private readonly pages: ConsolePages,
    private readonly history: HeartbeatHistory,
    @Inject(SQL_PORT) private readonly sql: Sql,
  ) {}

  /**
   * A runner's history, newest first, 50 rows a page. Pages go by position, not offset: "older"
   * carries the last row's (time, id) and reads on along the pair's (camera, profile, ts) index,
   * so the thousandth page costs what the first does; `at` jumps to a local date and time.
   */
  @Get()
  @Render('heartbeats/index')
  async index(@Query() query: Record<string, string | undefined>) {
    const runners = await this.runnerChoices();
    const runnerId = query.runnerId && /^\d{1,10}$/.test(query.runnerId) ? Number(query.runnerId) : undefined;
    const runner = runnerId === undefined ? undefined : runners.find((r) => r.id === runnerId);
    if (runnerId !== undefined && !runner) throw notFound('runner', runnerId);
    const base = { ...this.pages.base('heartbeats', 'Heartbeat history'), runners, runner, purgeDefault: this.purgeDefault(), errors: noErrors(), query };
    if (!runner) return { ...base, heartbeats: [], older: null, total: 0 };
    const { cursor, problem } = historyCursor(query, this.pages.timeZone);
    const pair = [runner.cameraId, runner.profileId];
    const conditions = ['camera_id = ?', 'profile_id = ?'];
    const params: unknown[] = [...pair];
    if (cursor?.id !== undefined) {
      conditions.push('(ts < ? OR (ts = ? AND id < ?))');
      params.push(this.sql.instant(cursor.ts), this.sql.instant(cursor.ts), cursor.id);
    } else if (cursor) {
      conditions.push('ts < ?');
      params.push(this.sql.instant(cursor.ts));
    }
    const [rows, [count]] = await Promise.all([
      this.sql.query<Record<string, unknown>>(
        `SELECT id, ts, pid, camera_fps, processed_fps, target_fps, detected, matched, latency_ms, last_error FROM runner_heartbeats WHERE ${conditions.join(' AND ')} ORDER BY ts DESC, id DESC LIMIT ${PAGE_SIZE + 1}`,
        params,
      ),
      this.sql.rows('SELECT COUNT(*) FROM runner_heartbeats WHERE camera_id = ? AND profile_id = ?', pair),
    ]);
    const heartbeats = rows.slice(0, PAGE_SIZE).map((r) => ({
      id: Number(r.id), at: readInstant(r.ts)!, pid: readNumber(r.pid), cameraFps: readNumber(r.camera_fps), processedFps: readNumber(r.processed_fps),
      targetFps: readNumber(r.target_fps), detected: readNumber(r.detected), matched: readNumber(r.matched), latencyMs: readNumber(r.latency_ms),
      lastError: maskCredentials(String(r.last_error ?? '')),
    }));
    const last = heartbeats[heartbeats.length - 1];
    return {
      ...base, heartbeats, total: Number(count[0]), problem, paged: cursor !== null,
      older: rows.length > PAGE_SIZE && last ? `/dash/heartbeats/?runnerId=${runner.id}&before=${last.at.getTime()}.${last.id}` : null,
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
