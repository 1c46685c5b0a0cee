import { Inject, Injectable } from '@nestjs/common';
import type { EventKind, RunnerStatus } from '../common/domain.js';
import { equalities, readInstant, readNumber, SQL_PORT, type Sql } from '../database/sql.js';
import { toRunner } from './enforcer.repository.js';
import { type EventRow, type RunnerRow, selectList } from './world.js';

type Row = Record<string, unknown>;

function toEvent(r: Row): EventRow {
  return {
    id: Number(r.id), ts: readInstant(r.ts)!, node: String(r.node), kind: r.kind as EventKind, cameraId: readNumber(r.camera_id),
    profileId: readNumber(r.profile_id), pid: readNumber(r.pid), message: String(r.message ?? ''),
  };
}

/**
 * What the HTTP API, the dashboard and `bisk status` read about runners, events and nodes —
 * apart from the tick's own repository, so the tick's reads stay the ten statements they are.
 */
@Injectable()
export class EnforcerReadModel {
  constructor(@Inject(SQL_PORT) private readonly sql: Sql) {}

  async findEvents(limit: number, offset: number, filter: { cameraId?: number; kind?: EventKind }): Promise<[EventRow[], number]> {
    const { conditions, params } = equalities({ camera_id: filter.cameraId, kind: filter.kind });
    const clause = conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
    const [rows, [count]] = await Promise.all([
      this.sql.query<Row>(`SELECT ${selectList('enforcer_events')} FROM enforcer_events${clause} ORDER BY id DESC LIMIT ? OFFSET ?`, [...params, limit, offset]),
      this.sql.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM enforcer_events${clause}`, params),
    ]);
    return [rows.map(toEvent), Number(count.n)];
  }

  async findRunnersPage(limit: number, offset: number): Promise<[RunnerRow[], number]> {
    const [rows, [count]] = await Promise.all([
      this.sql.query<Row>(`SELECT ${selectList('runners')} FROM runners ORDER BY camera_id, profile_id, id LIMIT ? OFFSET ?`, [limit, offset]),
      this.sql.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM runners'),
    ]);
    return [rows.map(toRunner), Number(count.n)];
  }

  /** One runner row, or null. */
  async runner(id: number): Promise<RunnerRow | null> {
    const [row] = await this.sql.query<Row>(`SELECT ${selectList('runners')} FROM runners WHERE id = ?`, [id]);
    return row ? toRunner(row) : null;
  }

  /** Status, process and last heartbeat of every runner (the tallies). */
  async runnerStates(): Promise<Pick<RunnerRow, 'id' | 'status' | 'pid' | 'lastHeartbeatAt'>[]> {
    const rows = await this.sql.rows('SELECT id, status, pid, last_heartbeat_at FROM runners');
    return rows.map(([id, status, pid, heartbeat]) => ({ id: Number(id), status: status as RunnerStatus, pid: readNumber(pid), lastHeartbeatAt: readInstant(heartbeat) }));
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
  async allRunners(): Promise<RunnerRow[]> {
    return (await this.sql.query<Row>(`SELECT ${selectList('runners')} FROM runners ORDER BY camera_id, profile_id, id`)).map(toRunner);
  }

  /** Restart causes per pair since `since` (crash, stall, drift): one grouped query. */
  async restartsSince(since: Date): Promise<Map<string, number>> {
    const rows = await this.sql.query<{ camera_id: number; profile_id: number; n: number | string }>(
      `SELECT camera_id, profile_id, COUNT(*) AS n FROM enforcer_events WHERE ts >= ? AND kind IN ('crash', 'stall', 'drift') GROUP BY camera_id, profile_id`,
      [this.sql.instant(since)],
    );
    return new Map(rows.map((r) => [`${r.camera_id}:${r.profile_id}`, Number(r.n)]));
  }
}
