import { Inject, Injectable } from '@nestjs/common';
import type { CameraTransport, DetectionSet, Device, EventKind, ExceptionMode, Hwaccel, RunnerStatus } from '../common/domain.js';
import { equalities, readBool, readInstant, readJson, readNumber, SQL_PORT, type Sql } from '../database/sql.js';
import type { ForeignRunner, LeaseView } from './ownership.js';
import { NodeSessions, presenceName } from './presence.js';
import { type PlanningWorld, type RunnerRow, selectList, WORLD_COLUMNS, type World } from './world.js';

export interface NewEvent {
  kind: EventKind;
  cameraId?: number | null;
  profileId?: number | null;
  pid?: number | null;
  message: string;
}

type Row = Record<string, unknown>;

/** Columns of `runners` the enforcer writes, by property name. */
const { id: _id, createdAt: _created, updatedAt: _updated, ...RUNNER_WRITABLE } = WORLD_COLUMNS.runners;
type RunnerWrite = Partial<Omit<RunnerRow, 'id' | 'createdAt' | 'updatedAt'>>;

export function toRunner(r: Row): RunnerRow {
  return {
    id: Number(r.id), cameraId: Number(r.camera_id), profileId: Number(r.profile_id), node: String(r.node), pid: readNumber(r.pid),
    processStartTime: (r.process_start_time as string | null) ?? null, status: r.status as RunnerStatus,
    startedAt: readInstant(r.started_at), lastHeartbeatAt: readInstant(r.last_heartbeat_at), effectiveArgs: readJson<string[] | null>(r.effective_args, null),
    specHash: String(r.spec_hash ?? ''), restartCount: Number(r.restart_count ?? 0), crashCount: Number(r.crash_count ?? 0),
    lastExitAt: readInstant(r.last_exit_at), lastExitCode: readNumber(r.last_exit_code), lastExitSignal: (r.last_exit_signal as string | null) ?? null,
    lastError: String(r.last_error ?? ''), cameraFps: readNumber(r.camera_fps), processedFps: readNumber(r.processed_fps),
    targetFps: readNumber(r.target_fps), snapshotEvery: readNumber(r.snapshot_every),
    createdAt: readInstant(r.created_at)!, updatedAt: readInstant(r.updated_at)!,
  };
}

/** The cameras and schedules are read again at least this often even when their version says nothing changed. */
export const WORLD_REREAD_MS = 5 * 60_000;
/** Camera ids per statement when looking up other nodes' rows (under both engines' parameter limits). */
const FOREIGN_CHUNK = 500;

/**
 * Every lease with whether its node's own session (presence.ts) is open now — on this database:
 * another fleet on the same server may use the same node names — and when the server started (a
 * session is only missed within one run of the server). pg_stat_activity is read once.
 */
const LEASES_WITH_SESSIONS = `SELECT l.node, l.expires_at, l.holder, (a.application_name IS NOT NULL) AS present,
  (extract(epoch FROM pg_postmaster_start_time()) * 1000)::bigint AS server_start
  FROM enforcer_leases l LEFT JOIN (SELECT DISTINCT application_name FROM pg_stat_activity WHERE datname = current_database()) a ON a.application_name = left('${presenceName('')}' || l.node, 63)
  ORDER BY l.node`;

export const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/**
 * What a tick reads and writes: the world, this node's runner rows, events. Plain SQL through
 * the SQL port (see sql.ts), so the service needs no ORM. The HTTP API's reads live apart, in
 * EnforcerReadModel.
 */
@Injectable()
export class EnforcerRepository {
  constructor(@Inject(SQL_PORT) private readonly sql: Sql) {}

  /** Which nodes' sessions were seen open: a session missed later means that node's process is gone. */
  private readonly sessions = new NodeSessions();
  /** What a tick plans from, as of world_version `version`, and when it was read. */
  private planning: { version: string; readAt: number; world: PlanningWorld } | null = null;

  /**
   * The world a tick plans from. Three statements on every call, whatever the size of the fleet
   * (the world's version, this node's runner rows through ix_runners_node, the leases); the
   * cameras, profiles and schedules (seven more) only when their version moved since the last
   * call — any write to them bumps it (the WorldVersion migration's triggers) — or they were read
   * more than WORLD_REREAD_MS ago. The version is read before the tables, so what is kept is never
   * older than the version it is kept under. Only the columns planning needs, as row arrays in the
   * order of WORLD_COLUMNS (no per-row objects from the driver).
   */
  async loadWorld(node: string): Promise<World> {
    const [[version], runners, leases] = await Promise.all([
      this.sql.rows('SELECT version FROM world_version'),
      this.sql.query<Row>(`SELECT ${selectList('runners')} FROM runners WHERE node = ? ORDER BY id`, [node]),
      this.sql.rows(this.sql.engine === 'postgres' ? LEASES_WITH_SESSIONS : 'SELECT node, expires_at, holder, 1, 0 FROM enforcer_leases ORDER BY node'),
    ]);
    const current = String(version?.[0] ?? '');
    if (this.planning === null || this.planning.version !== current || Date.now() - this.planning.readAt > WORLD_REREAD_MS) {
      this.planning = { version: current, readAt: Date.now(), world: await this.readPlanningWorld() };
    }
    return {
      ...this.planning.world,
      runners: runners.map(toRunner),
      leases: this.leaseViews(leases),
    };
  }

  /** The leases as a tick sees them, with the nodes whose session has closed marked gone (presence.ts). */
  private leaseViews(rows: unknown[][]): LeaseView[] {
    const leases = rows.map(([node, expires, holder, present]) => ({ node: String(node), expiresAt: Number(expires), holder: String(holder), present: readBool(present) }));
    const gone = this.sessions.judge(leases, Number(rows[0]?.[4] ?? 0));
    return leases.map(({ node, expiresAt }) => (gone.has(node) ? { node, expiresAt, gone: true } : { node, expiresAt }));
  }

  /** The leases alone, judged as loadWorld judges them: what the peer watch compares between ticks. */
  async leases(): Promise<LeaseView[]> {
    return this.leaseViews(await this.sql.rows(this.sql.engine === 'postgres' ? LEASES_WITH_SESSIONS : 'SELECT node, expires_at, holder, 1, 0 FROM enforcer_leases ORDER BY node'));
  }

  /** The version of the planning tables last read (tests, the fleet bench). */
  get worldVersion(): string | null {
    return this.planning?.version ?? null;
  }

  private async readPlanningWorld(): Promise<PlanningWorld> {
    const raw = (table: keyof typeof WORLD_COLUMNS) => this.sql.rows(`SELECT ${selectList(table)} FROM ${table} ORDER BY id`);
    const [cameras, profiles, policies, windows, exceptions, links, resources] = await Promise.all([
      raw('cameras'),
      raw('stream_profiles'),
      raw('schedule_policies'),
      raw('schedule_windows'),
      raw('schedule_exceptions'),
      this.sql.rows('SELECT policy_id, camera_id FROM schedule_policy_cameras ORDER BY policy_id, camera_id'),
      raw('resource_settings'),
    ]);
    return {
      cameras: cameras.map(([id, name, rtsp, active, pause, transport, hb, snap, prefer, fps, det, pinned]) => ({
        id: Number(id), name: String(name), rtspUrl: String(rtsp), isActive: readBool(active), pauseUntil: readInstant(pause),
        rtspTransport: transport as CameraTransport, hbInterval: Number(hb), snapshotEvery: Number(snap),
        preferCameraOverProfile: readBool(prefer), targetFpsReq: readNumber(fps), detSetReq: (det ?? null) as DetectionSet | null, node: (pinned ?? null) as string | null,
      })),
      profiles: profiles.map(([id, name, fps, det, transport, hb, snap, extra, active]) => ({
        id: Number(id), name: String(name), fps: Number(fps), detectionSet: det as DetectionSet, rtspTransport: transport as '' | CameraTransport,
        hbInterval: Number(hb), snapshotEvery: Number(snap), extraArgs: readJson(extra, {}), isActive: readBool(active),
      })),
      policies: policies.map(([id, name, enabled]) => ({ id: Number(id), name: String(name), isEnabled: readBool(enabled) })),
      windows: windows.map(([id, policy, day, start, end, profile]) => ({
        id: Number(id), policyId: Number(policy), dayOfWeek: Number(day), startTime: String(start), endTime: String(end), profileId: Number(profile),
      })),
      exceptions: exceptions.map(([id, policy, date, mode, start, end, profile]) => ({
        id: Number(id), policyId: Number(policy), date: String(date), mode: mode as ExceptionMode,
        startTime: (start ?? null) as string | null, endTime: (end ?? null) as string | null, profileId: readNumber(profile),
      })),
      links: links.map(([policy, camera]) => ({ policyId: Number(policy), cameraId: Number(camera) })),
      resources: resources.map(([id, camera, device, hwaccel, gpu, nice, affinity, maxFps, detMax, active]) => ({
        id: Number(id), cameraId: readNumber(camera), device: (device ?? null) as Device | null, hwaccel: (hwaccel ?? null) as Hwaccel | null,
        gpuIndex: readNumber(gpu), cpuNice: readNumber(nice), cpuAffinity: (affinity ?? null) as string | null, maxFps: readNumber(maxFps),
        detSetMax: (detMax ?? null) as DetectionSet | null, isActive: readBool(active),
      })),
    };
  }

  /**
   * Other nodes' rows that record a process or still hold the pair (starting, running, stopping)
   * for these cameras: what a start must wait for or take over (handover). Read only when this
   * node has pairs to start, and only for them (through the pair index) — a steady tick reads none.
   */
  async foreignRunners(node: string, cameraIds: number[]): Promise<ForeignRunner[]> {
    if (cameraIds.length === 0) return [];
    const select = `SELECT id, node, camera_id, profile_id, pid, last_heartbeat_at, status FROM runners WHERE node <> ? AND (pid IS NOT NULL OR status IN ('starting', 'running', 'stopping'))`;
    const ids = [...new Set(cameraIds)];
    const rows: unknown[][] = [];
    // Past a few chunks (a cold start of a whole fleet), one read of every such row is cheaper.
    if (ids.length > 4 * FOREIGN_CHUNK) rows.push(...(await this.sql.rows(`${select} ORDER BY id`, [node])));
    else {
      for (let i = 0; i < ids.length; i += FOREIGN_CHUNK) {
        const chunk = ids.slice(i, i + FOREIGN_CHUNK);
        rows.push(...(await this.sql.rows(`${select} AND camera_id IN (${placeholders(chunk.length)}) ORDER BY id`, [node, ...chunk])));
      }
    }
    return rows.map(([id, owner, camera, profile, pid, heartbeat, status]) => ({
      id: Number(id), node: String(owner), cameraId: Number(camera), profileId: Number(profile), pid: readNumber(pid), lastHeartbeatAt: readInstant(heartbeat),
      status: status as RunnerStatus,
    }));
  }

  /** Clears these cameras' pauses if they have still ended by `now` (one extended meanwhile is kept). */
  async clearPauses(cameraIds: number[], now: Date): Promise<void> {
    if (cameraIds.length === 0) return;
    await this.sql.execute(
      `UPDATE cameras SET pause_until = NULL, updated_at = ? WHERE id IN (${placeholders(cameraIds.length)}) AND pause_until <= ?`,
      [this.sql.instant(now), ...cameraIds, this.sql.instant(now)],
    );
  }

  async createRunner(values: Pick<RunnerRow, 'cameraId' | 'profileId' | 'node' | 'status' | 'specHash'>): Promise<RunnerRow> {
    const [row] = await this.sql.query<Row>(
      `INSERT INTO runners (camera_id, profile_id, node, status, spec_hash) VALUES (?, ?, ?, ?, ?) RETURNING ${selectList('runners')}`,
      [values.cameraId, values.profileId, values.node, values.status, values.specHash],
    );
    return toRunner(row);
  }

  /**
   * Writes `values` to runner `id`; with `ifPid`, only while the row still records that process
   * (a stop never overwrites the row of a newer start); with `{ pid, status }`, only while the row
   * is still as it was read (another node's row taken over: its node may have written it since).
   * Resolves to whether the row was written.
   */
  async updateRunner(id: number, values: RunnerWrite, ifPid?: number | { pid: number | null; status: RunnerStatus }): Promise<boolean> {
    return this.writeRunner(id, values, ifPid);
  }

  /**
   * Another node's row taken over: written only while the row is as read (`seen`) and that node's
   * lease expiry is as read (null: it held none) — a node that renewed meanwhile is alive.
   */
  async takeOverRunner(id: number, values: RunnerWrite, seen: { pid: number | null; status: RunnerStatus }, lease: { node: string; expiresAt: number | null }): Promise<boolean> {
    return this.writeRunner(id, values, seen, { sql: 'COALESCE((SELECT expires_at FROM enforcer_leases WHERE node = ?), -1) = ?', params: [lease.node, lease.expiresAt ?? -1] });
  }

  private async writeRunner(id: number, values: RunnerWrite, ifPid?: number | { pid: number | null; status: RunnerStatus }, extra?: { sql: string; params: unknown[] }): Promise<boolean> {
    const sets: string[] = [];
    const params: unknown[] = [];
    for (const [key, value] of Object.entries(values) as [keyof typeof RUNNER_WRITABLE, unknown][]) {
      const column = RUNNER_WRITABLE[key];
      if (!column) throw new Error(`runners has no writable column for ${String(key)}`);
      sets.push(`${column} = ?`);
      params.push(value instanceof Date ? this.sql.instant(value) : key === 'effectiveArgs' && value !== null ? JSON.stringify(value) : value);
    }
    const where = ['id = ?'];
    const whereParams: unknown[] = [id];
    if (typeof ifPid === 'number') {
      where.push('pid = ?');
      whereParams.push(ifPid);
    } else if (ifPid !== undefined) {
      where.push(ifPid.pid === null ? 'pid IS NULL' : 'pid = ?', 'status = ?');
      whereParams.push(...(ifPid.pid === null ? [] : [ifPid.pid]), ifPid.status);
    }
    if (extra) {
      where.push(extra.sql);
      whereParams.push(...extra.params);
    }
    const changed = await this.sql.execute(`UPDATE runners SET ${sets.join(', ')}, updated_at = ? WHERE ${where.join(' AND ')}`, [...params, this.sql.instant(new Date()), ...whereParams]);
    return changed > 0;
  }

  async findRunner(id: number): Promise<RunnerRow | null> {
    const [row] = await this.sql.query<Row>(`SELECT ${selectList('runners')} FROM runners WHERE id = ?`, [id]);
    return row ? toRunner(row) : null;
  }

  /** Runner rows of this node with a process recorded (what `stop-runners` works on). */
  async findLiveRunners(node: string, filter: { cameraId?: number; profileId?: number } = {}): Promise<RunnerRow[]> {
    const { conditions, params } = equalities({ node, camera_id: filter.cameraId, profile_id: filter.profileId });
    return (await this.sql.query<Row>(`SELECT ${selectList('runners')} FROM runners WHERE ${[...conditions, 'pid IS NOT NULL'].join(' AND ')} ORDER BY id`, params)).map(toRunner);
  }

  async addEvents(node: string, events: NewEvent[], at = new Date()): Promise<void> {
    const ts = this.sql.instant(at);
    // Chunks keep the statement under both engines' parameter limits.
    for (let i = 0; i < events.length; i += 500) {
      const chunk = events.slice(i, i + 500);
      await this.sql.execute(
        `INSERT INTO enforcer_events (ts, node, kind, camera_id, profile_id, pid, message) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        chunk.flatMap((e) => [ts, node, e.kind, e.cameraId ?? null, e.profileId ?? null, e.pid ?? null, e.message]),
      );
    }
  }
}
