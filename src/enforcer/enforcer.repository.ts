import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, In, IsNull, LessThanOrEqual, Not } from 'typeorm';
import { Camera } from '../cameras/camera.entity.js';
import type { EventKind } from '../common/domain.js';
import { ResourceSettings } from '../schedules/resource-settings.entity.js';
import { ScheduleException } from '../schedules/schedule-exception.entity.js';
import { SchedulePolicy } from '../schedules/schedule-policy.entity.js';
import { ScheduleWindow } from '../schedules/schedule-window.entity.js';
import { StreamProfile } from '../schedules/stream-profile.entity.js';
import { EnforcerEvent } from './enforcer-event.entity.js';
import { Runner } from './runner.entity.js';

/** Everything one tick needs, loaded in a fixed number of queries however many cameras exist. */
export interface World {
  cameras: Camera[];
  profiles: StreamProfile[];
  policies: SchedulePolicy[];
  windows: ScheduleWindow[];
  exceptions: ScheduleException[];
  links: { policyId: number; cameraId: number }[];
  resources: ResourceSettings[];
  runners: Runner[];
}

export interface NewEvent {
  kind: EventKind;
  cameraId?: number | null;
  profileId?: number | null;
  pid?: number | null;
  message: string;
}

/** The enforcer's database side: the world it reads each tick, runner rows and events. */
@Injectable()
export class EnforcerRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * 8 queries, whatever the size of the fleet. Schedule data is read as plain rows (only the
   * columns planning needs, no entity hydration): at 10,000 cameras this is the bulk of a tick.
   */
  async loadWorld(node: string): Promise<World> {
    const m = this.dataSource.manager;
    const raw = <T>(table: string, columns: string[], order = 'id') =>
      m.createQueryBuilder().select(columns.map((c) => `t.${c} AS "${c}"`)).from(table, 't').orderBy(`t.${order}`, 'ASC').getRawMany<T>();
    const [cameras, profiles, policies, windows, exceptions, links, resources, runners] = await Promise.all([
      raw<Record<string, unknown>>('cameras', ['id', 'name', 'rtsp_url', 'is_active', 'pause_until', 'rtsp_transport', 'hb_interval', 'snapshot_every', 'prefer_camera_over_profile', 'target_fps_req', 'det_set_req', 'node']),
      raw<Record<string, unknown>>('stream_profiles', ['id', 'name', 'fps', 'detection_set', 'rtsp_transport', 'hb_interval', 'snapshot_every', 'extra_args', 'is_active']),
      raw<Record<string, unknown>>('schedule_policies', ['id', 'name', 'is_enabled']),
      raw<Record<string, unknown>>('schedule_windows', ['id', 'policy_id', 'day_of_week', 'start_time', 'end_time', 'profile_id']),
      raw<Record<string, unknown>>('schedule_exceptions', ['id', 'policy_id', 'date', 'mode', 'start_time', 'end_time', 'profile_id']),
      raw<Record<string, unknown>>('schedule_policy_cameras', ['policy_id', 'camera_id'], 'policy_id'),
      m.find(ResourceSettings),
      m.find(Runner, { where: { node }, order: { id: 'ASC' } }),
    ]);
    return {
      cameras: cameras.map((c) => ({
        id: Number(c.id), name: String(c.name), rtspUrl: String(c.rtsp_url), isActive: bool(c.is_active), pauseUntil: instant(c.pause_until),
        rtspTransport: c.rtsp_transport, hbInterval: Number(c.hb_interval), snapshotEvery: Number(c.snapshot_every),
        preferCameraOverProfile: bool(c.prefer_camera_over_profile), targetFpsReq: c.target_fps_req === null ? null : Number(c.target_fps_req),
        detSetReq: c.det_set_req ?? null, node: c.node ?? null,
      })) as Camera[],
      profiles: profiles.map((p) => ({
        id: Number(p.id), name: String(p.name), fps: Number(p.fps), detectionSet: p.detection_set, rtspTransport: p.rtsp_transport,
        hbInterval: Number(p.hb_interval), snapshotEvery: Number(p.snapshot_every), extraArgs: json(p.extra_args), isActive: bool(p.is_active),
      })) as StreamProfile[],
      policies: policies.map((p) => ({ id: Number(p.id), name: String(p.name), isEnabled: bool(p.is_enabled) })) as SchedulePolicy[],
      windows: windows.map((w) => ({
        id: Number(w.id), policyId: Number(w.policy_id), dayOfWeek: Number(w.day_of_week), startTime: String(w.start_time), endTime: String(w.end_time), profileId: Number(w.profile_id),
      })) as ScheduleWindow[],
      exceptions: exceptions.map((e) => ({
        id: Number(e.id), policyId: Number(e.policy_id), date: String(e.date), mode: e.mode, startTime: e.start_time ?? null, endTime: e.end_time ?? null,
        profileId: e.profile_id === null ? null : Number(e.profile_id),
      })) as ScheduleException[],
      links: links.map((l) => ({ policyId: Number(l.policy_id), cameraId: Number(l.camera_id) })),
      resources,
      runners,
    };
  }

  /** Clears these cameras' pauses if they have still ended by `now` (one extended meanwhile is kept). */
  async clearPauses(cameraIds: number[], now: Date): Promise<void> {
    if (cameraIds.length === 0) return;
    await this.dataSource.getRepository(Camera).update({ id: In(cameraIds), pauseUntil: LessThanOrEqual(now) }, { pauseUntil: null });
  }

  async createRunner(values: Partial<Runner>): Promise<Runner> {
    const repo = this.dataSource.getRepository(Runner);
    return repo.save(repo.create(values));
  }

  async updateRunner(id: number, values: Partial<Runner>): Promise<void> {
    await this.dataSource.getRepository(Runner).update(id, values);
  }

  findRunner(id: number): Promise<Runner | null> {
    return this.dataSource.getRepository(Runner).findOneBy({ id });
  }

  /** Runner rows of this node with a process recorded (what `stop-runners` works on). */
  findLiveRunners(node: string, filter: { cameraId?: number; profileId?: number } = {}): Promise<Runner[]> {
    return this.dataSource.getRepository(Runner).find({
      where: { node, pid: Not(IsNull()), ...(filter.cameraId ? { cameraId: filter.cameraId } : {}), ...(filter.profileId ? { profileId: filter.profileId } : {}) },
      order: { id: 'ASC' },
    });
  }

  findEvents(limit: number, offset: number, filter: { cameraId?: number; kind?: EventKind }): Promise<[EnforcerEvent[], number]> {
    return this.dataSource.getRepository(EnforcerEvent).findAndCount({
      where: { ...(filter.cameraId ? { cameraId: filter.cameraId } : {}), ...(filter.kind ? { kind: filter.kind } : {}) },
      order: { id: 'DESC' },
      take: limit,
      skip: offset,
    });
  }

  findRunnersPage(limit: number, offset: number): Promise<[Runner[], number]> {
    return this.dataSource.getRepository(Runner).findAndCount({ order: { cameraId: 'ASC', profileId: 'ASC', id: 'ASC' }, take: limit, skip: offset });
  }

  /** All runner rows of every node (the system page shows the whole fleet). */
  allRunners(): Promise<Runner[]> {
    return this.dataSource.getRepository(Runner).find({ order: { cameraId: 'ASC', profileId: 'ASC', id: 'ASC' } });
  }

  /** Restart causes per pair since `since` (crash, stall, drift): one grouped query. */
  async restartsSince(since: Date): Promise<Map<string, number>> {
    const rows = await this.dataSource
      .getRepository(EnforcerEvent)
      .createQueryBuilder('e')
      .select(['e.camera_id AS "cameraId"', 'e.profile_id AS "profileId"', 'COUNT(*) AS "count"'])
      .where('e.ts >= :since', { since })
      .andWhere('e.kind IN (:...kinds)', { kinds: ['crash', 'stall', 'drift'] })
      .groupBy('e.camera_id')
      .addGroupBy('e.profile_id')
      .getRawMany<{ cameraId: number; profileId: number; count: number | string }>();
    return new Map(rows.map((r) => [`${r.cameraId}:${r.profileId}`, Number(r.count)]));
  }

  async addEvents(node: string, events: NewEvent[], at = new Date()): Promise<void> {
    if (events.length === 0) return;
    await this.dataSource.getRepository(EnforcerEvent).insert(
      events.map((e) => ({ ts: at, node, kind: e.kind, cameraId: e.cameraId ?? null, profileId: e.profileId ?? null, pid: e.pid ?? null, message: e.message })),
    );
  }

  /** Cheap round trip used to notice that the database is back after an outage. */
  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}

const bool = (value: unknown) => value === true || value === 1 || value === '1' || value === 't';
const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value || '{}') : (value ?? {}));
/** PostgreSQL hands back Dates; SQLite the UTC text TypeORM wrote ("2026-11-29 13:45:00.000"). */
const instant = (value: unknown): Date | null => {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  const text = String(value);
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
};
