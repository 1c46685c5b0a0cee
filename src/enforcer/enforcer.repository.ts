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

  /** 8 queries, whatever the size of the fleet. */
  async loadWorld(node: string): Promise<World> {
    const m = this.dataSource.manager;
    const [cameras, profiles, policies, windows, exceptions, links, resources, runners] = await Promise.all([
      m.find(Camera, { order: { id: 'ASC' } }),
      m.find(StreamProfile, { order: { id: 'ASC' } }),
      m.find(SchedulePolicy, { order: { id: 'ASC' } }),
      m.find(ScheduleWindow, { order: { id: 'ASC' } }),
      m.find(ScheduleException, { order: { id: 'ASC' } }),
      m
        .createQueryBuilder()
        .select(['link.policy_id AS "policyId"', 'link.camera_id AS "cameraId"'])
        .from('schedule_policy_cameras', 'link')
        .getRawMany<{ policyId: number | string; cameraId: number | string }>(),
      m.find(ResourceSettings),
      m.find(Runner, { where: { node }, order: { id: 'ASC' } }),
    ]);
    return {
      cameras, profiles, policies, windows, exceptions, resources, runners,
      links: links.map((l) => ({ policyId: Number(l.policyId), cameraId: Number(l.cameraId) })),
    };
  }

  /** Clears pauses that have ended; returns the cameras it cleared. */
  async clearExpiredPauses(now: Date): Promise<Camera[]> {
    const repo = this.dataSource.getRepository(Camera);
    const expired = await repo.find({ where: { pauseUntil: LessThanOrEqual(now) } });
    if (expired.length > 0) await repo.update({ id: In(expired.map((c) => c.id)) }, { pauseUntil: null });
    return expired;
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
