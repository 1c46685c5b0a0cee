import { Inject, Injectable, Logger, NotFoundException, type OnModuleDestroy } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { STATE_STORE, type StateStore } from '../state/state-store.js';
import { maskCredentials } from '../common/mask.js';
import { AppConfig } from '../config/app-config.js';
import { isDataError } from '../database/db-errors.js';
import type { RunnerHeartbeat } from '../enforcer/runner-heartbeat.entity.js';
import type { Runner } from '../enforcer/runner.entity.js';
import { MetricsService } from '../system/metrics.service.js';
import { admitHistoryRow, type Heartbeat, type HistoryGate, holdNonZero } from './heartbeat.payload.js';
import { HeartbeatsRepository } from './heartbeats.repository.js';

/** What is known about a (camera, profile) pair between database reads. */
interface PairState {
  runnerId: number | null;
  pid: number | null;
  cameraFps: number | null;
  processedFps: number | null;
  checkedAt: number;
}

/** How long a pair's runner lookup is trusted before it is read again (a restart changes the pid). */
export const PAIR_TTL_MS = 5000;
/** Heartbeats are written in batches this often: one transaction instead of one per request. */
export const FLUSH_EVERY_MS = 200;

/**
 * Records runner heartbeats (§4). The hot path touches no database once a pair is known: the
 * runner row's telemetry and the sampled history rows are queued and written in one
 * transaction every FLUSH_EVERY_MS (and on shutdown), so a fleet's heartbeats cost a few
 * transactions a second instead of thousands. A history row is kept for the first heartbeat of
 * a pair, then at most once per HB_LOG_EVERY_SEC, and for an error when its text changes —
 * at most ERROR_ROWS_PER_MINUTE of those per pair and minute (admitHistoryRow).
 */
@Injectable()
export class HeartbeatsService implements OnModuleDestroy {
  private readonly logger = new Logger('Heartbeats');
  private readonly pairs = new Map<string, PairState>();
  /** History sampling per pair; like `pairs`, only ever holds pairs that exist (unknown ones are a 404 first). */
  private readonly gates = new Map<string, HistoryGate>();
  private pendingRunners = new Map<number, Partial<Runner>>();
  private pendingRows: Partial<RunnerHeartbeat>[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly repo: HeartbeatsRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
    @Inject(STATE_STORE) private readonly state: StateStore,
  ) {}

  async record(hb: Heartbeat): Promise<{ ok: true; runnerId: number | null; stored: boolean }> {
    const now = this.clock.now();
    const key = `${hb.cameraId}:${hb.profileId}`;
    const pair = await this.pair(key, hb, now.getTime());
    const lastError = hb.lastError === null ? null : maskCredentials(hb.lastError.trim());
    if (pair.runnerId !== null) {
      pair.cameraFps = holdNonZero(hb.cameraFps, pair.cameraFps);
      pair.processedFps = holdNonZero(hb.processedFps, pair.processedFps);
      const update: Partial<Runner> = { lastHeartbeatAt: now, cameraFps: pair.cameraFps, processedFps: pair.processedFps };
      if (hb.targetFps !== null) update.targetFps = hb.targetFps;
      if (hb.snapshotEvery !== null) update.snapshotEvery = hb.snapshotEvery;
      if (lastError !== null) update.lastError = lastError;
      this.pendingRunners.set(pair.runnerId, { ...this.pendingRunners.get(pair.runnerId), ...update });
    }
    const admitted = admitHistoryRow(this.gates.get(key), now.getTime(), this.config.heartbeats.logEverySec, lastError ?? '');
    this.gates.set(key, admitted.gate);
    let store = admitted.store;
    if (store && !lastError && this.config.redisUrl) store = await this.sharedGate(key, now.getTime());
    if (store) {
      this.pendingRows.push({
        cameraId: hb.cameraId, profileId: hb.profileId, pid: hb.pid, ts: now, cameraFps: hb.cameraFps, processedFps: hb.processedFps,
        targetFps: hb.targetFps, detected: hb.detected, matched: hb.matched, latencyMs: hb.latencyMs, lastError: lastError ?? '',
        snapshotEvery: hb.snapshotEvery, minFacePx: hb.minFacePx,
      });
    }
    this.scheduleFlush();
    this.metrics.heartbeats.inc();
    return { ok: true, runnerId: pair.runnerId, stored: store };
  }

  /**
   * With several HTTP apps behind one Redis, the history sampling gate is shared: the first app
   * to pass its own gate for a pair takes the Redis one too, the others skip that row. Consulted
   * only when this app's gate opens (once per HB_LOG_EVERY_SEC per pair), so the hot path stays
   * local; a race of two apps within one round trip can still keep two rows.
   */
  private async sharedGate(key: string, nowMs: number): Promise<boolean> {
    const everyMs = this.config.heartbeats.logEverySec * 1000;
    if (everyMs === 0) return true;
    const gateKey = `heartbeat:gate:${key}`;
    try {
      const last = await this.state.get<number>(gateKey);
      if (typeof last === 'number' && nowMs - last < everyMs) {
        const gate = this.gates.get(key);
        if (gate) this.gates.set(key, { ...gate, storedAt: last });
        return false;
      }
      await this.state.set(gateKey, nowMs, everyMs);
    } catch {
      // Redis away: fall back to this app's own gate.
    }
    return true;
  }

  /** The pair's runner (by pid when several nodes have one), read again after PAIR_TTL_MS or a pid change. */
  private async pair(key: string, hb: Heartbeat, nowMs: number): Promise<PairState> {
    const known = this.pairs.get(key);
    if (known && nowMs - known.checkedAt < PAIR_TTL_MS && (hb.pid === null || known.pid === hb.pid || known.runnerId === null)) return known;
    const runners = await this.repo.runnersOf(hb.cameraId, hb.profileId);
    if (runners.length === 0) {
      const { camera, profile } = await this.repo.exists(hb.cameraId, hb.profileId);
      if (!camera || !profile) {
        this.pairs.delete(key);
        throw new NotFoundException([!camera && `unknown camera ${hb.cameraId}`, !profile && `unknown profile ${hb.profileId}`].filter(Boolean).join(' and '));
      }
    }
    const runner = runners.find((r) => hb.pid !== null && r.pid === hb.pid) ?? runners.find((r) => r.pid !== null) ?? runners[0];
    const pending = runner ? this.pendingRunners.get(runner.id) : undefined;
    const state: PairState = {
      runnerId: runner?.id ?? null,
      pid: runner?.pid ?? null,
      cameraFps: pending?.cameraFps ?? runner?.cameraFps ?? null,
      processedFps: pending?.processedFps ?? runner?.processedFps ?? null,
      checkedAt: nowMs,
    };
    this.pairs.set(key, state);
    return state;
  }

  private scheduleFlush(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, FLUSH_EVERY_MS);
  }

  /** Writes what is queued in one transaction. Waits for a flush already running. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pendingRunners.size === 0 && this.pendingRows.length === 0) return;
    const runners = this.pendingRunners;
    const rows = this.pendingRows;
    this.pendingRunners = new Map();
    this.pendingRows = [];
    this.flushing = this.repo
      .writeBatch(runners, rows)
      .catch(async (error: Error) => {
        // The database refused some of the data: write item by item and drop what it refuses,
        // so one bad value cannot stop every later heartbeat from being stored.
        if (isDataError(error)) return this.writeEachDroppingRefused(runners, rows);
        // The database is away: keep the newest telemetry for the next flush, drop sampled rows beyond a bound.
        for (const [id, values] of runners) this.pendingRunners.set(id, { ...values, ...this.pendingRunners.get(id) });
        this.pendingRows = [...rows, ...this.pendingRows].slice(-10_000);
        this.logger.warn(`could not write ${runners.size} runner update(s) and ${rows.length} heartbeat row(s): ${error.message}`);
        this.scheduleFlush();
      })
      .finally(() => {
        this.flushing = null;
      });
    await this.flushing;
  }

  private async writeEachDroppingRefused(runners: Map<number, Partial<Runner>>, rows: Partial<RunnerHeartbeat>[]): Promise<void> {
    const refused: string[] = [];
    for (const [id, values] of runners) {
      await this.repo.writeBatch(new Map([[id, values]]), []).catch((e: Error) => refused.push(`runner ${id}: ${e.message}`));
    }
    for (const row of rows) {
      await this.repo.writeBatch(new Map(), [row]).catch((e: Error) => refused.push(`heartbeat row of camera ${row.cameraId} profile ${row.profileId}: ${e.message}`));
    }
    if (refused.length > 0) this.logger.warn(`dropped ${refused.length} heartbeat write(s) the database refused: ${refused.slice(0, 3).join('; ')}${refused.length > 3 ? '; …' : ''}`);
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }
}
