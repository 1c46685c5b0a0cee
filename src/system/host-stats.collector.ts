import { hostname, loadavg, uptime } from 'node:os';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import si from 'systeminformation';
import { AppConfig } from '../config/app-config.js';
import { diskUsage } from './health.indicators.js';
import { type Gpu, probeGpus } from './probes.js';

export interface HostStats {
  collectedAt: string | null;
  hostname: string;
  uptimeSeconds: number;
  cpu: { percent: number | null; cores: number | null; threads: number | null; load: [number, number, number]; loadPercentOfThreads: [number, number, number] | null };
  memory: { totalBytes: number; usedBytes: number; availableBytes: number; percent: number } | null;
  disk: { path: string; totalBytes: number; freeBytes: number; usedPercent: number } | null;
  gpus: Gpu[];
  gpuError: string | null;
}

/** How often the host is sampled; requests read the last sample and never wait on a probe. */
export const HOST_STATS_EVERY_MS = 5000;

const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * Samples CPU, load, memory, the data directory's disk and the GPUs in the background with
 * systeminformation and nvidia-smi, so `/api/system` and the dashboard answer at once.
 */
@Injectable()
export class HostStatsCollector implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('HostStats');
  private timer: NodeJS.Timeout | null = null;
  private cores: { physical: number; logical: number } | null = null;
  private sampling: Promise<void> | null = null;
  private latest: HostStats;

  constructor(private readonly config: AppConfig) {
    this.latest = {
      collectedAt: null, hostname: hostname(), uptimeSeconds: Math.round(uptime()),
      cpu: { percent: null, cores: null, threads: null, load: loadavg() as [number, number, number], loadPercentOfThreads: null },
      memory: null, disk: null, gpus: [], gpuError: null,
    };
  }

  onApplicationBootstrap(): void {
    this.sampling = this.sample();
    this.timer = setInterval(() => {
      if (!this.sampling) this.sampling = this.sample();
    }, HOST_STATS_EVERY_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sampling;
  }

  get stats(): HostStats {
    return this.latest;
  }

  /** The first sample, for callers that must not see an empty one (tests, the first page load). */
  async ready(): Promise<HostStats> {
    await this.sampling;
    return this.latest;
  }

  private async sample(): Promise<void> {
    try {
      let cores = this.cores;
      if (!cores) {
        const cpu = await si.cpu();
        cores = { physical: cpu.physicalCores, logical: cpu.cores };
        this.cores = cores;
      }
      const [load, mem, gpus] = await Promise.all([
        si.currentLoad(),
        si.mem(),
        probeGpus(this.config.tools.nvidiaSmi, this.config.tools.searchPath),
      ]);
      const averages = loadavg().map(round1) as [number, number, number];
      let disk: HostStats['disk'] = null;
      try {
        disk = diskUsage(this.config.dataDir);
      } catch {
        disk = null;
      }
      this.latest = {
        collectedAt: new Date().toISOString(),
        hostname: hostname(),
        uptimeSeconds: Math.round(uptime()),
        cpu: {
          percent: round1(load.currentLoad),
          cores: cores.physical,
          threads: cores.logical,
          load: averages,
          loadPercentOfThreads: cores.logical ? (averages.map((a) => round1((a / cores.logical) * 100)) as [number, number, number]) : null,
        },
        memory: { totalBytes: mem.total, usedBytes: mem.total - mem.available, availableBytes: mem.available, percent: round1(((mem.total - mem.available) / mem.total) * 100) },
        disk,
        gpus: gpus.status === 'ok' ? gpus.gpus : [],
        gpuError: gpus.status === 'error' ? gpus.reason : null,
      };
    } catch (error) {
      this.logger.warn(`host sample failed: ${(error as Error).message}`);
    } finally {
      this.sampling = null;
    }
  }
}
