import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Database from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import { Camera } from '../cameras/camera.entity.js';
import { RunnerHeartbeat } from '../enforcer/runner-heartbeat.entity.js';
import { Runner } from '../enforcer/runner.entity.js';
import { sqliteInstant } from '../database/sql.js';
import { StreamProfile } from '../schedules/stream-profile.entity.js';

@Injectable()
export class HeartbeatsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  runnersOf(cameraId: number, profileId: number): Promise<Runner[]> {
    return this.dataSource.getRepository(Runner).find({ where: { cameraId, profileId }, order: { id: 'ASC' } });
  }

  async exists(cameraId: number, profileId: number): Promise<{ camera: boolean; profile: boolean }> {
    const [camera, profile] = await Promise.all([
      this.dataSource.getRepository(Camera).existsBy({ id: cameraId }),
      this.dataSource.getRepository(StreamProfile).existsBy({ id: profileId }),
    ]);
    return { camera, profile };
  }

  /**
   * Runner telemetry updates and sampled heartbeat rows, all in one transaction. The updates
   * are one prepared statement run per runner on SQLite and a single UPDATE … FROM (VALUES …)
   * on PostgreSQL: this runs every 200 ms with up to a fleet's worth of runners, so it must
   * not hold the event loop for long.
   */
  async writeBatch(runners: Map<number, Partial<Runner>>, rows: Partial<RunnerHeartbeat>[]): Promise<void> {
    const updates = [...runners].map(([id, v]) => [
      id, v.lastHeartbeatAt ?? null, v.cameraFps ?? null, v.processedFps ?? null, v.targetFps ?? null, v.snapshotEvery ?? null, v.lastError ?? null,
    ] as const);
    const now = new Date();
    await this.dataSource.transaction(async (manager) => {
      if (updates.length > 0 && this.dataSource.options.type === 'better-sqlite3') {
        const db = (this.dataSource.driver as unknown as { databaseConnection: Database.Database }).databaseConnection;
        const statement = db.prepare(
          `UPDATE runners SET last_heartbeat_at = ?, camera_fps = ?, processed_fps = ?, target_fps = COALESCE(?, target_fps),
             snapshot_every = COALESCE(?, snapshot_every), last_error = COALESCE(?, last_error), updated_at = ? WHERE id = ?`,
        );
        for (const [id, hb, cameraFps, processedFps, targetFps, snapshotEvery, lastError] of updates) {
          statement.run(hb ? sqliteInstant(hb) : null, cameraFps, processedFps, targetFps, snapshotEvery, lastError, sqliteInstant(now), id);
        }
      } else if (updates.length > 0) {
        for (let i = 0; i < updates.length; i += 500) {
          const chunk = updates.slice(i, i + 500);
          const params: unknown[] = [];
          const values = chunk.map((u) => `(${u.map((value) => `$${params.push(value)}`).join(', ')})`).join(', ');
          await manager.query(
            `UPDATE runners AS r SET last_heartbeat_at = v.hb::timestamptz, camera_fps = v.cf::float8, processed_fps = v.pf::float8,
               target_fps = COALESCE(v.tf::float8, r.target_fps), snapshot_every = COALESCE(v.se::int, r.snapshot_every),
               last_error = COALESCE(v.le::text, r.last_error), updated_at = now()
             FROM (VALUES ${values}) AS v(id, hb, cf, pf, tf, se, le) WHERE r.id = v.id::int`,
            params,
          );
        }
      }
      for (let i = 0; i < rows.length; i += 200) await manager.insert(RunnerHeartbeat, rows.slice(i, i + 200));
    });
  }
}

/** The text form TypeORM stores instants in on SQLite (UTC, milliseconds). */
