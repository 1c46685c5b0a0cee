import type { Camera } from '../cameras/camera.entity.js';
import type { EventKind } from '../common/domain.js';
import { readBool, readInstant, readJson, readNumber, type Sql } from '../database/sql.js';
import type { ResourceSettings } from '../schedules/resource-settings.entity.js';
import type { ScheduleException } from '../schedules/schedule-exception.entity.js';
import type { SchedulePolicy } from '../schedules/schedule-policy.entity.js';
import type { ScheduleWindow } from '../schedules/schedule-window.entity.js';
import type { StreamProfile } from '../schedules/stream-profile.entity.js';
import type { EnforcerEvent } from './enforcer-event.entity.js';
import type { ForeignRunner, LeaseView } from './ownership.js';
import type { Runner } from './runner.entity.js';

/** Everything one tick needs, loaded in a fixed number of queries however many cameras exist. */
export interface World {
  cameras: Camera[];
  profiles: StreamProfile[];
  policies: SchedulePolicy[];
  windows: ScheduleWindow[];
  exceptions: ScheduleException[];
  links: { policyId: number; cameraId: number }[];
  resources: ResourceSettings[];
  /** This node's runner rows. */
  runners: Runner[];
  /** Other nodes' rows that record a process or hold the pair (starting/running/stopping): handovers. */
  foreignRunners: ForeignRunner[];
  /** Every node's lease (which nodes are live). */
  leases: LeaseView[];
}

export interface NewEvent {
  kind: EventKind;
  cameraId?: number | null;
  profileId?: number | null;
  pid?: number | null;
  message: string;
}

type Row = Record<string, unknown>;

/** Columns of `runners` the enforcer writes, by property name. */
const RUNNER_COLUMNS: Partial<Record<keyof Runner, string>> = {
  cameraId: 'camera_id', profileId: 'profile_id', node: 'node', pid: 'pid', processStartTime: 'process_start_time', status: 'status',
  startedAt: 'started_at', lastHeartbeatAt: 'last_heartbeat_at', effectiveArgs: 'effective_args', specHash: 'spec_hash',
  restartCount: 'restart_count', crashCount: 'crash_count', lastExitAt: 'last_exit_at', lastExitCode: 'last_exit_code',
  lastExitSignal: 'last_exit_signal', lastError: 'last_error', cameraFps: 'camera_fps', processedFps: 'processed_fps',
  targetFps: 'target_fps', snapshotEvery: 'snapshot_every',
};

export function toRunner(r: Row): Runner {
  return {
    id: Number(r.id), cameraId: Number(r.camera_id), profileId: Number(r.profile_id), node: String(r.node), pid: readNumber(r.pid),
    processStartTime: (r.process_start_time as string | null) ?? null, status: r.status as Runner['status'],
    startedAt: readInstant(r.started_at), lastHeartbeatAt: readInstant(r.last_heartbeat_at), effectiveArgs: readJson<string[] | null>(r.effective_args, null),
    specHash: String(r.spec_hash ?? ''), restartCount: Number(r.restart_count ?? 0), crashCount: Number(r.crash_count ?? 0),
    lastExitAt: readInstant(r.last_exit_at), lastExitCode: readNumber(r.last_exit_code), lastExitSignal: (r.last_exit_signal as string | null) ?? null,
    lastError: String(r.last_error ?? ''), cameraFps: readNumber(r.camera_fps), processedFps: readNumber(r.processed_fps),
    targetFps: readNumber(r.target_fps), snapshotEvery: readNumber(r.snapshot_every),
    createdAt: readInstant(r.created_at)!, updatedAt: readInstant(r.updated_at)!,
  } as Runner;
}

function toEvent(r: Row): EnforcerEvent {
  return {
    id: Number(r.id), ts: readInstant(r.ts)!, node: String(r.node), kind: r.kind as EventKind, cameraId: readNumber(r.camera_id),
    profileId: readNumber(r.profile_id), pid: readNumber(r.pid), message: String(r.message ?? ''),
  };
}

/** Adds a parameter and returns its placeholder. */
const param = (params: unknown[], value: unknown) => (params.push(value), '?');
const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/**
 * The enforcer's database side: the world it reads each tick, runner rows and events. Plain
 * SQL through the `Sql` port, so the enforcer process needs no ORM.
 */
export class EnforcerRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * 10 queries, whatever the size of the fleet. Only the columns planning needs, as plain rows:
   * at 10,000 cameras this is the bulk of a tick.
   */
  async loadWorld(node: string): Promise<World> {
    const raw = (table: string, columns: string[], order = 'id') => this.sql.rows(`SELECT ${columns.join(', ')} FROM ${table} ORDER BY ${order}`);
    const [cameras, profiles, policies, windows, exceptions, links, resources, runners, foreign, leases] = await Promise.all([
      raw('cameras', ['id', 'name', 'rtsp_url', 'is_active', 'pause_until', 'rtsp_transport', 'hb_interval', 'snapshot_every', 'prefer_camera_over_profile', 'target_fps_req', 'det_set_req', 'node']),
      raw('stream_profiles', ['id', 'name', 'fps', 'detection_set', 'rtsp_transport', 'hb_interval', 'snapshot_every', 'extra_args', 'is_active']),
      raw('schedule_policies', ['id', 'name', 'is_enabled']),
      raw('schedule_windows', ['id', 'policy_id', 'day_of_week', 'start_time', 'end_time', 'profile_id']),
      raw('schedule_exceptions', ['id', 'policy_id', 'date', 'mode', 'start_time', 'end_time', 'profile_id']),
      raw('schedule_policy_cameras', ['policy_id', 'camera_id'], 'policy_id, camera_id'),
      raw('resource_settings', ['id', 'camera_id', 'device', 'hwaccel', 'gpu_index', 'cpu_nice', 'cpu_affinity', 'max_fps', 'det_set_max', 'is_active']),
      this.sql.query<Row>('SELECT * FROM runners WHERE node = ? ORDER BY id', [node]),
      this.sql.rows(`SELECT id, node, camera_id, profile_id, pid, last_heartbeat_at FROM runners WHERE node <> ? AND (pid IS NOT NULL OR status IN ('starting', 'running', 'stopping')) ORDER BY id`, [node]),
      this.sql.rows('SELECT node, expires_at FROM enforcer_leases ORDER BY node'),
    ]);
    // Rows come as arrays in the order of the column lists above (the tick's big reads: no per-row objects).
    return {
      cameras: cameras.map(([id, name, rtsp, active, pause, transport, hb, snap, prefer, fps, det, pinned]) => ({
        id: Number(id), name: String(name), rtspUrl: String(rtsp), isActive: readBool(active), pauseUntil: readInstant(pause),
        rtspTransport: transport, hbInterval: Number(hb), snapshotEvery: Number(snap),
        preferCameraOverProfile: readBool(prefer), targetFpsReq: readNumber(fps), detSetReq: det ?? null, node: pinned ?? null,
      })) as Camera[],
      profiles: profiles.map(([id, name, fps, det, transport, hb, snap, extra, active]) => ({
        id: Number(id), name: String(name), fps: Number(fps), detectionSet: det, rtspTransport: transport,
        hbInterval: Number(hb), snapshotEvery: Number(snap), extraArgs: readJson(extra, {}), isActive: readBool(active),
      })) as StreamProfile[],
      policies: policies.map(([id, name, enabled]) => ({ id: Number(id), name: String(name), isEnabled: readBool(enabled) })) as SchedulePolicy[],
      windows: windows.map(([id, policy, day, start, end, profile]) => ({
        id: Number(id), policyId: Number(policy), dayOfWeek: Number(day), startTime: String(start), endTime: String(end), profileId: Number(profile),
      })) as ScheduleWindow[],
      exceptions: exceptions.map(([id, policy, date, mode, start, end, profile]) => ({
        id: Number(id), policyId: Number(policy), date: String(date), mode, startTime: start ?? null, endTime: end ?? null, profileId: readNumber(profile),
      })) as ScheduleException[],
      links: links.map(([policy, camera]) => ({ policyId: Number(policy), cameraId: Number(camera) })),
      resources: resources.map(([id, camera, device, hwaccel, gpu, nice, affinity, maxFps, detMax, active]) => ({
        id: Number(id), cameraId: readNumber(camera), device: device ?? null, hwaccel: hwaccel ?? null, gpuIndex: readNumber(gpu),
        cpuNice: readNumber(nice), cpuAffinity: affinity ?? null, maxFps: readNumber(maxFps), detSetMax: detMax ?? null, isActive: readBool(active),
      })) as ResourceSettings[],
      runners: runners.map(toRunner),
      foreignRunners: foreign.map(([id, owner, camera, profile, pid, heartbeat]) => ({
        id: Number(id), node: String(owner), cameraId: Number(camera), profileId: Number(profile), pid: readNumber(pid), lastHeartbeatAt: readInstant(heartbeat),
      })),
      leases: leases.map(([owner, expires]) => ({ node: String(owner), expiresAt: Number(expires) })),
    };
  }

  /** Clears these cameras' pauses if they have still ended by `now` (one extended meanwhile is kept). */
  async clearPauses(cameraIds: number[], now: Date): Promise<void> {
    if (cameraIds.length === 0) return;
    await this.sql.query(
      `UPDATE cameras SET pause_until = NULL, updated_at = ? WHERE id IN (${placeholders(cameraIds.length)}) AND pause_until <= ?`,
      [this.sql.instant(now), ...cameraIds, this.sql.instant(now)],
    );
  }

  async createRunner(values: Pick<Runner, 'cameraId' | 'profileId' | 'node' | 'status' | 'specHash'>): Promise<Runner> {
    const [row] = await this.sql.query<Row>(
      'INSERT INTO runners (camera_id, profile_id, node, status, spec_hash) VALUES (?, ?, ?, ?, ?) RETURNING *',
      [values.cameraId, values.profileId, values.node, values.status, values.specHash],
    );
    return toRunner(row);
  }

  async updateRunner(id: number, values: Partial<Runner>): Promise<void> {
    const sets: string[] = [];
    const params: unknown[] = [];
    for (const [key, value] of Object.entries(values) as [keyof Runner, unknown][]) {
      const column = RUNNER_COLUMNS[key];
      if (!column) throw new Error(`runners has no writable column for ${String(key)}`);
      sets.push(`${column} = ?`);
      params.push(value instanceof Date ? this.sql.instant(value) : key === 'effectiveArgs' && value !== null ? JSON.stringify(value) : value);
    }
    await this.sql.query(`UPDATE runners SET ${sets.join(', ')}, updated_at = ? WHERE id = ?`, [...params, this.sql.instant(new Date()), id]);
  }

  async findRunner(id: number): Promise<Runner | null> {
    const [row] = await this.sql.query<Row>('SELECT * FROM runners WHERE id = ?', [id]);
    return row ? toRunner(row) : null;
  }

  /** Runner rows of this node with a process recorded (what `stop-runners` works on). */
  async findLiveRunners(node: string, filter: { cameraId?: number; profileId?: number } = {}): Promise<Runner[]> {
    const where = ['node = ?', 'pid IS NOT NULL'];
    const params: unknown[] = [node];
    if (filter.cameraId) where.push(`camera_id = ${param(params, filter.cameraId)}`);
    if (filter.profileId) where.push(`profile_id = ${param(params, filter.profileId)}`);
    return (await this.sql.query<Row>(`SELECT * FROM runners WHERE ${where.join(' AND ')} ORDER BY id`, params)).map(toRunner);
  }

  async findEvents(limit: number, offset: number, filter: { cameraId?: number; kind?: EventKind }): Promise<[EnforcerEvent[], number]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.cameraId) where.push(`camera_id = ${param(params, filter.cameraId)}`);
    if (filter.kind) where.push(`kind = ${param(params, filter.kind)}`);
    const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const [rows, [count]] = await Promise.all([
      this.sql.query<Row>(`SELECT * FROM enforcer_events${clause} ORDER BY id DESC LIMIT ? OFFSET ?`, [...params, limit, offset]),
      this.sql.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM enforcer_events${clause}`, params),
    ]);
    return [rows.map(toEvent), Number(count.n)];
  }

  async findRunnersPage(limit: number, offset: number): Promise<[Runner[], number]> {
    const [rows, [count]] = await Promise.all([
      this.sql.query<Row>('SELECT * FROM runners ORDER BY camera_id, profile_id, id LIMIT ? OFFSET ?', [limit, offset]),
      this.sql.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM runners'),
    ]);
    return [rows.map(toRunner), Number(count.n)];
  }

  /** Status, process and last heartbeat of every runner (the tallies). */
  async runnerStates(): Promise<Pick<Runner, 'id' | 'status' | 'pid' | 'lastHeartbeatAt'>[]> {
    const rows = await this.sql.query<Row>('SELECT id, status, pid, last_heartbeat_at FROM runners');
    return rows.map((r) => ({ id: Number(r.id), status: r.status as Runner['status'], pid: readNumber(r.pid), lastHeartbeatAt: readInstant(r.last_heartbeat_at) }));
  }

  /** Runner rows recording a process, per node. */
  async runnerCountsByNode(): Promise<Map<string, number>> {
    const rows = await this.sql.rows('SELECT node, COUNT(*) FROM runners WHERE pid IS NOT NULL GROUP BY node');
    return new Map(rows.map(([node, n]) => [String(node), Number(n)]));
  }

  /** Cameras not pinned to a node. */
  async floatingCameraIds(): Promise<number[]> {
    return (await this.sql.rows('SELECT id FROM cameras WHERE node IS NULL ORDER BY id')).map(([id]) => Number(id));
  }

  /** All runner rows of every node (the system page shows the whole fleet). */
  async allRunners(): Promise<Runner[]> {
    return (await this.sql.query<Row>('SELECT * FROM runners ORDER BY camera_id, profile_id, id')).map(toRunner);
  }

  /** Restart causes per pair since `since` (crash, stall, drift): one grouped query. */
  async restartsSince(since: Date): Promise<Map<string, number>> {
    const rows = await this.sql.query<{ camera_id: number; profile_id: number; n: number | string }>(
      `SELECT camera_id, profile_id, COUNT(*) AS n FROM enforcer_events WHERE ts >= ? AND kind IN ('crash', 'stall', 'drift') GROUP BY camera_id, profile_id`,
      [this.sql.instant(since)],
    );
    return new Map(rows.map((r) => [`${r.camera_id}:${r.profile_id}`, Number(r.n)]));
  }

  async addEvents(node: string, events: NewEvent[], at = new Date()): Promise<void> {
    const ts = this.sql.instant(at);
    // Chunks keep the statement under both engines' parameter limits.
    for (let i = 0; i < events.length; i += 500) {
      const chunk = events.slice(i, i + 500);
      await this.sql.query(
        `INSERT INTO enforcer_events (ts, node, kind, camera_id, profile_id, pid, message) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        chunk.flatMap((e) => [ts, node, e.kind, e.cameraId ?? null, e.profileId ?? null, e.pid ?? null, e.message]),
      );
    }
  }

  /** Cheap round trip used to notice that the database is back after an outage. */
  async ping(): Promise<void> {
    await this.sql.query('SELECT 1');
  }
}
