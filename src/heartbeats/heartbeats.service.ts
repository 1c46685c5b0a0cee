import { Injectable, NotFoundException } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { maskCredentials } from '../common/mask.js';
import { AppConfig } from '../config/app-config.js';
import { type Heartbeat, holdNonZero, shouldStore } from './heartbeat.payload.js';
import { MetricsService } from '../system/metrics.service.js';
import { HeartbeatsRepository } from './heartbeats.repository.js';

/**
 * Records runner heartbeats: the runner row gets the latest telemetry at once; a history row
 * is kept at most once per HB_LOG_EVERY_SEC per pair (always for errors and for the first).
 */
@Injectable()
export class HeartbeatsService {
  private readonly lastStored = new Map<string, number>();

  constructor(
    private readonly repo: HeartbeatsRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  async record(hb: Heartbeat): Promise<{ ok: true; runnerId: number | null; stored: boolean }> {
    const now = this.clock.now();
    const runners = await this.repo.runnersOf(hb.cameraId, hb.profileId);
    if (runners.length === 0) {
      const { camera, profile } = await this.repo.exists(hb.cameraId, hb.profileId);
      if (!camera || !profile) {
        throw new NotFoundException(
          [!camera && `unknown camera ${hb.cameraId}`, !profile && `unknown profile ${hb.profileId}`].filter(Boolean).join(' and '),
        );
      }
    }
    const runner = runners.find((r) => hb.pid !== null && r.pid === hb.pid) ?? runners.find((r) => r.pid !== null) ?? runners[0];
    const lastError = hb.lastError === null ? null : maskCredentials(hb.lastError.trim());
    if (runner) {
      await this.repo.updateRunner(runner.id, {
        lastHeartbeatAt: now,
        cameraFps: holdNonZero(hb.cameraFps, runner.cameraFps),
        processedFps: holdNonZero(hb.processedFps, runner.processedFps),
        ...(hb.targetFps !== null ? { targetFps: hb.targetFps } : {}),
        ...(hb.snapshotEvery !== null ? { snapshotEvery: hb.snapshotEvery } : {}),
        ...(lastError !== null ? { lastError } : {}),
      });
    }
    const key = `${hb.cameraId}:${hb.profileId}`;
    const store = shouldStore(this.lastStored.get(key), now.getTime(), this.config.heartbeats.logEverySec, Boolean(lastError));
    if (store) {
      this.lastStored.set(key, now.getTime());
      await this.repo.store({
        cameraId: hb.cameraId, profileId: hb.profileId, pid: hb.pid, ts: now, cameraFps: hb.cameraFps, processedFps: hb.processedFps,
        targetFps: hb.targetFps, detected: hb.detected, matched: hb.matched, latencyMs: hb.latencyMs, lastError: lastError ?? '',
        snapshotEvery: hb.snapshotEvery, minFacePx: hb.minFacePx,
      });
    }
    this.metrics.heartbeats.inc();
    return { ok: true, runnerId: runner?.id ?? null, stored: store };
  }
}
