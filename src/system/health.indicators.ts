import { statfsSync } from 'node:fs';
import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { Breadcrumbs } from '../enforcer/breadcrumbs.js';
import { enforcerLiveness } from '../enforcer/status.service.js';
import { probeGpus, probeTool } from './probes.js';

/** Disk: down when the data directory's filesystem is at least this full. */
export const DISK_FULL_PERCENT = 95;
/** Memory: down when this process's resident set exceeds this many MiB. */
export const RSS_LIMIT_MIB = 1536;

export function diskUsage(path: string) {
  const s = statfsSync(path);
  const total = s.blocks * s.bsize;
  const free = s.bavail * s.bsize;
  return { path, totalBytes: total, freeBytes: free, usedPercent: total > 0 ? Math.round(((total - free) / total) * 1000) / 10 : 0 };
}

/**
 * The product's own health indicators (Terminus style: a key, then up or down with details).
 * Details never include secrets: paths, versions, ages and reasons only.
 */
@Injectable()
export class SystemHealthIndicators {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly config: AppConfig,
    private readonly breadcrumbs: Breadcrumbs,
    private readonly clock: Clock,
  ) {}

  async ffmpeg() {
    const check = this.health.check('ffmpeg');
    const path = this.config.tools.searchPath;
    const [ffmpeg, ffprobe] = await Promise.all([
      probeTool('ffmpeg', this.config.tools.ffmpegPath, path),
      probeTool('ffprobe', this.config.tools.ffprobePath, path),
    ]);
    // ffprobe is reported for site runners that use it; nothing in the product needs it, so only ffmpeg decides.
    const details = {
      ffmpeg: ffmpeg.ok ? { path: ffmpeg.path, version: ffmpeg.version } : { reason: ffmpeg.reason },
      ffprobe: ffprobe.ok ? { path: ffprobe.path, version: ffprobe.version } : { reason: ffprobe.reason, required: false },
    };
    return ffmpeg.ok ? check.up(details) : check.down(details);
  }

  async gpu() {
    const check = this.health.check('gpu');
    const probe = await probeGpus(this.config.tools.nvidiaSmi, this.config.tools.searchPath);
    if (probe.status === 'error') return check.down({ reason: probe.reason });
    const gpus = probe.status === 'ok' ? probe.gpus : [];
    if (gpus.length === 0 && this.config.tools.gpuRequired) return check.down({ gpus, reason: 'no NVIDIA GPU found and GPU_REQUIRED=true' });
    return check.up({ gpus });
  }

  async enforcer() {
    const check = this.health.check('enforcer');
    const crumbs = await this.breadcrumbs.read();
    const live = enforcerLiveness(crumbs, this.clock.now(), this.config.enforcer.intervalSeconds);
    const details = { pid: crumbs.runningPid, node: crumbs.node, lastOk: crumbs.lastOk, ageSeconds: live.lastOkAgeSeconds, limitSeconds: live.limitSeconds };
    return live.healthy ? check.up(details) : check.down({ ...details, reason: live.reason, lastError: crumbs.lastError });
  }

  disk() {
    const check = this.health.check('disk');
    try {
      const usage = diskUsage(this.config.dataDir);
      return usage.usedPercent < DISK_FULL_PERCENT ? check.up(usage) : check.down({ ...usage, reason: `data directory filesystem ${usage.usedPercent}% full` });
    } catch (error) {
      return check.down({ path: this.config.dataDir, reason: (error as Error).message });
    }
  }

  memory() {
    const check = this.health.check('memory');
    const { rss, heapUsed } = process.memoryUsage();
    const details = { rssMiB: Math.round(rss / 1048576), heapUsedMiB: Math.round(heapUsed / 1048576), limitMiB: RSS_LIMIT_MIB };
    return details.rssMiB <= RSS_LIMIT_MIB ? check.up(details) : check.down({ ...details, reason: 'resident memory above the limit' });
  }
}
