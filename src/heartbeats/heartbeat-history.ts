import { Inject, Injectable } from '@nestjs/common';
import { readInstant, readNumber, SQL_PORT, type Sql } from '../database/sql.js';

/** A (camera, profile) pair: history rows are keyed by it, not by runner row (they outlive runners and nodes). */
export interface Pair {
  cameraId: number;
  profileId: number;
}

/** One stored heartbeat as the API shows it. */
export interface StoredHeartbeat {
  id: number;
  at: Date;
  pid: number | null;
  cameraFps: number | null;
  processedFps: number | null;
  targetFps: number | null;
  detected: number | null;
  matched: number | null;
  latencyMs: number | null;
  lastError: string;
  snapshotEvery: number | null;
  minFacePx: number | null;
}

export interface HistoryFilter {
  limit: number;
  offset: number;
  /** Only rows strictly older than this. */
  before?: Date;
  /** Only rows at or after this. */
  since?: Date;
}

const COLUMNS = 'id, ts, pid, camera_fps, processed_fps, target_fps, detected, matched, latency_ms, last_error, snapshot_every, min_face_px';

/**
 * The page of a pair's history, newest first, as one statement: `WHERE camera_id = ? AND
 * profile_id = ? [AND ts …] ORDER BY ts DESC, id DESC` is read backwards along
 * ix_runner_heartbeats_pair_ts (camera_id, profile_id, ts) on both engines — SQLite keeps the
 * rowid (id) at the end of every index entry; PostgreSQL sorts only rows of equal ts by id.
 */
export function historyStatements(pair: Pair, filter: HistoryFilter, sql: Pick<Sql, 'instant'>) {
  const conditions = ['camera_id = ?', 'profile_id = ?'];
  const params: unknown[] = [pair.cameraId, pair.profileId];
  if (filter.before) {
    conditions.push('ts < ?');
    params.push(sql.instant(filter.before));
  }
  if (filter.since) {
    conditions.push('ts >= ?');
    params.push(sql.instant(filter.since));
  }
  const where = conditions.join(' AND ');
  return {
    page: { text: `SELECT ${COLUMNS} FROM runner_heartbeats WHERE ${where} ORDER BY ts DESC, id DESC LIMIT ? OFFSET ?`, params: [...params, filter.limit, filter.offset] },
    count: { text: `SELECT COUNT(*) AS n FROM runner_heartbeats WHERE ${where}`, params },
  };
}

function toHeartbeat(r: Record<string, unknown>): StoredHeartbeat {
  return {
    id: Number(r.id), at: readInstant(r.ts)!, pid: readNumber(r.pid), cameraFps: readNumber(r.camera_fps), processedFps: readNumber(r.processed_fps),
    targetFps: readNumber(r.target_fps), detected: readNumber(r.detected), matched: readNumber(r.matched), latencyMs: readNumber(r.latency_ms),
    lastError: String(r.last_error ?? ''), snapshotEvery: readNumber(r.snapshot_every), minFacePx: readNumber(r.min_face_px),
  };
}

/**
 * The stored heartbeat rows without the ORM: reading a pair's history (the API) and pruning old
 * rows (`bisk prune-heartbeats` and DELETE /api/heartbeats). Only history rows: the runner
 * row's latest heartbeat (last_heartbeat_at, fps) is never touched here.
 */
@Injectable()
export class HeartbeatHistory {
  constructor(@Inject(SQL_PORT) private readonly sql: Sql) {}

  /** A page of `pair`'s history, newest first, and how many rows match the filter. */
  async list(pair: Pair, filter: HistoryFilter): Promise<[StoredHeartbeat[], number]> {
    const statements = historyStatements(pair, filter, this.sql);
    const [rows, [count]] = await Promise.all([
      this.sql.query<Record<string, unknown>>(statements.page.text, statements.page.params),
      this.sql.query<{ n: number | string }>(statements.count.text, statements.count.params),
    ]);
    return [rows.map(toHeartbeat), Number(count.n)];
  }

  /** Deletes heartbeat rows older than `before` (of one pair, or all); returns how many. */
  prune(before: Date, pair?: Pair): Promise<number> {
    if (pair) {
      return this.sql.execute('DELETE FROM runner_heartbeats WHERE camera_id = ? AND profile_id = ? AND ts < ?', [pair.cameraId, pair.profileId, this.sql.instant(before)]);
    }
    return this.sql.execute('DELETE FROM runner_heartbeats WHERE ts < ?', [this.sql.instant(before)]);
  }
}
