import { Controller, Get, Inject, Param, Query, Render } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SnapshotStore } from '../cameras/snapshots.js';
import type { RunnerStatus } from '../common/domain.js';
import { IdPipe } from '../common/id.pipe.js';
import { maskCredentials } from '../common/mask.js';
import { notFound } from '../common/errors.js';
import { AppConfig } from '../config/app-config.js';
import { readInstant, readNumber, SQL_PORT, type Sql } from '../database/sql.js';
import { RunnerProcessReader } from '../enforcer/proc-stats.js';
import { RunnerDetails } from '../enforcer/runner-details.service.js';
import type { RunnerRow } from '../enforcer/world.js';
import { chartGeometry } from './chart.js';
import { ConsolePages } from './console.pages.js';
import { offsetOf, pager } from './pager.js';

const PAGE_SIZE = 50;
const CHART_HOURS = [1, 6, 24] as const;
const CHART_POINTS = 240;

/**
 * The chart's points as chartGeometry buckets them (the mean of each of CHART_POINTS spans, at
 * its last sample), averaged by the database: a day of 4-s heartbeats is 21,600 rows to read but
 * 240 to send; fetching and parsing them all kept the 24-h page at 100-125 ms.
 */
function chartStatement(engine: Sql['engine']): string {
  const ms = engine === 'postgres' ? 'EXTRACT(EPOCH FROM ts) * 1000' : '(julianday(ts) - 2440587.5) * 86400000';
  const bucket = engine === 'postgres' ? `FLOOR((${ms} - ?) / ?)` : `CAST((${ms} - ?) / ? AS INTEGER)`;
  return `SELECT MAX(ts) AS at, AVG(camera_fps) AS camera_fps, AVG(processed_fps) AS processed_fps, COUNT(*) AS n FROM runner_heartbeats WHERE camera_id = ? AND profile_id = ? AND ts >= ? AND ts <= ? GROUP BY ${bucket}`;
}

/** A runner row as the page shows it: the row's own fields plus names and the heartbeat state. */
export type RunnerLine = Pick<
  RunnerRow,
  'id' | 'cameraId' | 'profileId' | 'node' | 'pid' | 'processStartTime' | 'status' | 'startedAt' | 'lastHeartbeatAt' | 'restartCount' | 'lastError' | 'cameraFps' | 'processedFps' | 'targetFps'
> & { cameraName: string; profileName: string; heartbeat: string };

const RUNNER_SELECT = `SELECT r.id, r.camera_id, c.name AS camera_name, r.profile_id, p.name AS profile_name, r.node, r.pid, r.process_start_time, r.status, r.started_at,
  r.last_heartbeat_at, r.restart_count, r.last_error, r.camera_fps, r.processed_fps, r.target_fps
  FROM runners r LEFT JOIN cameras c ON c.id = r.camera_id LEFT JOIN stream_profiles p ON p.id = r.profile_id`;

/** /dash/runners/: every runner with its process figures, stop and restart; one runner with its log, snapshot and heartbeat chart. */
@ApiExcludeController()
@Controller('dash/runners')
export class RunnerPages {
  constructor(
    private readonly pages: ConsolePages,
    private readonly config: AppConfig,
    private readonly processes: RunnerProcessReader,
    private readonly details: RunnerDetails,
    private readonly snapshots: SnapshotStore,
    @Inject(SQL_PORT) private readonly sql: Sql,
  ) {}

  @Get()
  @Render('runners/list')
  async list(@Query('cameraId') cameraFilter?: string, @Query('offset') offsetText?: string, @Query('fragment') fragment?: string) {
    const cameraId = cameraFilter && /^\d{1,10}$/.test(cameraFilter) ? Number(cameraFilter) : undefined;
    const offset = offsetOf(offsetText);
    const where = cameraId === undefined ? '' : ' WHERE r.camera_id = ?';
    const params = cameraId === undefined ? [] : [cameraId];
    const [rows, [count]] = await Promise.all([
      this.sql.rows(`${RUNNER_SELECT}${where} ORDER BY r.camera_id, r.profile_id, r.id LIMIT ? OFFSET ?`, [...params, PAGE_SIZE, offset]),
      this.sql.rows(`SELECT COUNT(*) FROM runners r${where}`, params),
    ]);
    const runners = rows.map((row) => this.line(row));
    const processes = new Map(runners.map((r) => [r.id, this.processOf(r)]));
    const snapshots = await this.snapshots.latestTimes([...new Set(runners.map((r) => r.cameraId))]);
    const page = { items: runners, total: Number(count[0]), limit: PAGE_SIZE, offset };
    return {
      ...this.pages.base('runners', 'Runners'), runners, processes, snapshots, cameraId, fragment: Boolean(fragment),
      node: this.config.enforcer.nodeName, pager: pager(page, '/dash/runners/', { cameraId }),
    };
  }

  @Get(':id')
  @Render('runners/detail')
  async detail(@Param('id', new IdPipe()) id: number, @Query('hours') hoursText?: string) {
    const [row] = await this.sql.rows(`${RUNNER_SELECT} WHERE r.id = ?`, [id]);
    if (!row) throw notFound('runner', id);
    const runner = this.line(row);
    const hours = CHART_HOURS.find((h) => String(h) === hoursText) ?? 6;
    const to = this.pages.now().getTime();
    const from = to - hours * 3_600_000;
    const [samples, log, snapshots] = await Promise.all([
      this.sql.rows(chartStatement(this.sql.engine), [
        runner.cameraId, runner.profileId, this.sql.instant(new Date(from)), this.sql.instant(new Date(to)), from, (to - from) / CHART_POINTS,
      ]),
      this.details.log(id, 50).catch((error: unknown) => ({ lines: [] as string[], runStartedAt: null, truncated: false, missing: error instanceof Error ? error.message : String(error) })),
      this.snapshots.latestTimes([runner.cameraId]),
    ]);
    const chart = chartGeometry(
      samples.map(([ts, camera, processed]) => ({ at: readInstant(ts)!.getTime(), values: [readNumber(camera), readNumber(processed)] })),
      2, from, to, { maxPoints: CHART_POINTS },
    );
    return {
      ...this.pages.base('runners', `${runner.cameraName} · ${runner.profileName}`), runner, process: this.processOf(runner), log, chart,
      samples: samples.reduce((n, row) => n + Number(row[3]), 0), hours, hourChoices: CHART_HOURS, snapshot: snapshots.get(runner.cameraId) ?? null, node: this.config.enforcer.nodeName,
    };
  }

  private line(row: unknown[]): RunnerLine {
    const [id, cameraId, cameraName, profileId, profileName, node, pid, processStartTime, status, startedAt, heartbeatAt, restarts, lastError, cameraFps, processedFps, targetFps] = row;
    const lastHeartbeatAt = readInstant(heartbeatAt);
    return {
      id: Number(id), cameraId: Number(cameraId), cameraName: String(cameraName ?? `#${cameraId}`), profileId: Number(profileId), profileName: String(profileName ?? `#${profileId}`),
      node: String(node), pid: readNumber(pid), processStartTime: processStartTime === null ? null : String(processStartTime), status: status as RunnerStatus,
      startedAt: readInstant(startedAt), lastHeartbeatAt, heartbeat: this.pages.heartbeatOf(readNumber(pid), lastHeartbeatAt),
      restartCount: Number(restarts ?? 0), lastError: maskCredentials(String(lastError ?? '')), cameraFps: readNumber(cameraFps), processedFps: readNumber(processedFps), targetFps: readNumber(targetFps),
    };
  }

  /** /proc figures of a runner on this node (null elsewhere or without a live process). */
  private processOf(runner: RunnerLine) {
    if (runner.node !== this.config.enforcer.nodeName || runner.pid === null) return null;
    return this.processes.read(runner.pid, runner.processStartTime);
  }
}
