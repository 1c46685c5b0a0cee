import type {} from '@fastify/view';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { RunnerStatus } from '../common/domain.js';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { readInstant, readNumber, SQL_PORT, type Sql } from '../database/sql.js';
import { heartbeatCategory } from '../enforcer/status.service.js';
import { setConsolePageBase } from '../common/all-exceptions.filter.js';
import { contentSecurityPolicy, formatters, NAV, type PageBase, type Section } from './console.view.js';
import type { FormErrors } from './forms.js';

export interface RunnerBadge {
  id: number;
  cameraId: number;
  profileId: number;
  profileName: string;
  node: string;
  status: RunnerStatus;
  pid: number | null;
  lastHeartbeatAt: Date | null;
  heartbeat: 'online' | 'stale' | 'offline' | 'never' | 'none';
}

/** What every console page shares: the layout's data, reading the runners of some cameras, answering a form. */
@Injectable()
export class ConsolePages {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    @Inject(SQL_PORT) private readonly sql: Sql,
  ) {
    // Errors of console pages are drawn in the console's layout (AllExceptionsFilter).
    setConsolePageBase(() => ({ ...this.base('system', ''), section: null }), contentSecurityPolicy);
  }

  base(section: Section, title: string): PageBase {
    return { title, section, nav: NAV, f: formatters(this.config.timeZone), tokenMode: Boolean(this.config.http.apiToken) };
  }

  now(): Date {
    return this.clock.now();
  }

  get timeZone(): string {
    return this.config.timeZone;
  }

  /** A runner's heartbeat state now, by the configured thresholds ('none' without a process). */
  heartbeatOf(pid: number | null, lastHeartbeatAt: Date | null): RunnerBadge['heartbeat'] {
    const { onlineSec, staleSec } = this.config.heartbeats;
    return pid === null ? 'none' : heartbeatCategory(lastHeartbeatAt, this.clock.now(), onlineSec, staleSec);
  }

  /** The runner rows of these cameras (any node), with profile names and heartbeat state: one query. */
  async runnersOf(cameraIds: number[]): Promise<Map<number, RunnerBadge[]>> {
    const out = new Map<number, RunnerBadge[]>();
    if (cameraIds.length === 0) return out;
    const rows = await this.sql.rows(
      `SELECT r.id, r.camera_id, r.profile_id, p.name AS profile_name, r.node, r.status, r.pid, r.last_heartbeat_at FROM runners r LEFT JOIN stream_profiles p ON p.id = r.profile_id WHERE r.camera_id IN (${cameraIds.map(() => '?').join(', ')}) ORDER BY r.camera_id, r.profile_id`,
      cameraIds,
    );
    for (const [id, cameraId, profileId, profileName, node, status, pid, heartbeatAt] of rows) {
      const lastHeartbeatAt = readInstant(heartbeatAt);
      const badge: RunnerBadge = {
        id: Number(id), cameraId: Number(cameraId), profileId: Number(profileId), profileName: String(profileName ?? `#${profileId}`),
        node: String(node), status: status as RunnerStatus, pid: readNumber(pid), lastHeartbeatAt,
        heartbeat: this.heartbeatOf(readNumber(pid), lastHeartbeatAt),
      };
      if (!out.has(badge.cameraId)) out.set(badge.cameraId, []);
      out.get(badge.cameraId)!.push(badge);
    }
    return out;
  }

  /** Every camera's id and name (pickers). */
  async cameraChoices(): Promise<{ id: number; name: string }[]> {
    return (await this.sql.rows('SELECT id, name FROM cameras ORDER BY name, id')).map(([id, name]) => ({ id: Number(id), name: String(name) }));
  }

  /** Every profile's id and name (pickers). */
  async profileChoices(): Promise<{ id: number; name: string }[]> {
    return (await this.sql.rows('SELECT id, name FROM stream_profiles ORDER BY name, id')).map(([id, name]) => ({ id: Number(id), name: String(name) }));
  }

  /** The policies that name this camera. */
  async policiesOfCamera(cameraId: number): Promise<number[]> {
    return (await this.sql.rows('SELECT policy_id FROM schedule_policy_cameras WHERE camera_id = ? ORDER BY policy_id', [cameraId])).map(([id]) => Number(id));
  }

  /** A form that the API refused: drawn again with the messages at their fields (422, which the page swaps in). */
  async refused(reply: FastifyReply, view: string, data: Record<string, unknown>, errors: FormErrors): Promise<void> {
    const html = await reply.viewAsync(view, { ...(reply as unknown as { locals?: object }).locals, ...data, errors });
    void reply.status(422).header('content-type', 'text/html; charset=utf-8').send(html);
  }

  /** Done: the page goes to `location` (htmx follows HX-Redirect), with a message to show there if any. */
  done(reply: FastifyReply, location: string): void {
    void reply.status(200).header('hx-redirect', location).send('');
  }

  /** Done in place: htmx refreshes the page, or swaps `html` when given, and shows `message`. */
  changed(reply: FastifyReply, message: string, html?: string): void {
    void reply.status(200).header('hx-trigger', JSON.stringify({ 'bisk-message': message }));
    if (html === undefined) void reply.header('hx-refresh', 'true').send('');
    else void reply.header('content-type', 'text/html; charset=utf-8').send(html);
  }
}
