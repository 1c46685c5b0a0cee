import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { maskCredentials } from '../common/mask.js';
import { AppConfig } from '../config/app-config.js';
import { fleetDesired } from '../enforcer/desired.js';
import type { DesiredSpec } from '../enforcer/plan.js';
import { EnforcerReadModel } from '../enforcer/enforcer.read-model.js';
import { EnforcerRepository } from '../enforcer/enforcer.repository.js';
import { leaseLive } from '../enforcer/ownership.js';
import { isPaused } from '../enforcer/schedule.js';
import { heartbeatCategory, StatusService } from '../enforcer/status.service.js';
import { HostStatsCollector } from './host-stats.collector.js';

/**
 * Everything the system page shows, in one answer: host stats (sampled in the background),
 * the enforcer's breadcrumbs, runner tallies, paused cameras and the runner table with each
 * runner's effective spec. A fixed number of queries, whatever the fleet size.
 */
@Injectable()
export class SystemService {
  constructor(
    private readonly config: AppConfig,
    private readonly host: HostStatsCollector,
    private readonly status: StatusService,
    private readonly repo: EnforcerRepository,
    private readonly readModel: EnforcerReadModel,
    private readonly clock: Clock,
  ) {}

  async overview() {
    const now = this.clock.now();
    const [status, world, runners, restarts] = await Promise.all([
      this.status.status(),
      this.repo.loadWorld(this.config.enforcer.nodeName),
      this.readModel.allRunners(),
      this.readModel.restartsSince(new Date(now.getTime() - 3600_000)),
    ]);
    const cameras = new Map(world.cameras.map((c) => [c.id, c]));
    const profiles = new Map(world.profiles.map((p) => [p.id, p]));
    // Every node's share (several hosts): a row is "wanted" when its own node should run it.
    const fleet = fleetDesired(world, now, this.config.timeZone, this.config.enforcer.nodeName);
    const specs = new Map<string, DesiredSpec>([...fleet].flatMap(([node, d]) => d.specs.map((s) => [`${node}:${s.spec.cameraId}:${s.spec.profileId}`, s] as const)));
    const desiredCount = [...fleet.values()].reduce((sum, d) => sum + d.specs.length, 0);
    const { onlineSec, staleSec } = this.config.heartbeats;
    return {
      at: now.toISOString(),
      timeZone: this.config.timeZone,
      node: this.config.enforcer.nodeName,
      host: this.host.stats,
      enforcer: status.enforcer,
      tallies: { ...status.runners.heartbeat, total: status.runners.total, byStatus: status.runners.byStatus, desired: desiredCount },
      thresholds: { onlineSec, staleSec, offlineSec: this.config.heartbeats.offlineSec },
      pausedCameras: world.cameras
        .filter((c) => isPaused(c, now))
        .map((c) => ({ id: c.id, name: c.name, pauseUntil: c.pauseUntil!.toISOString() })),
      // Nodes in the lease table (several hosts): alive, lease expiry, runner processes recorded.
      nodes: world.leases.map((l) => ({
        name: l.node,
        alive: leaseLive(l, now.getTime()),
        leaseExpiresAt: new Date(l.expiresAt).toISOString(),
        runners: runners.filter((r) => r.node === l.node && r.pid !== null).length,
        desired: fleet.get(l.node)?.specs.length ?? 0,
      })),
      cameras: world.cameras.map((c) => ({ id: c.id, name: c.name, isActive: c.isActive, paused: isPaused(c, now), pauseUntil: c.pauseUntil?.toISOString() ?? null })),
      runners: runners.map((r) => {
        const key = `${r.cameraId}:${r.profileId}`;
        const want = specs.get(`${r.node}:${key}`);
        return {
          id: r.id,
          cameraId: r.cameraId,
          cameraName: cameras.get(r.cameraId)?.name ?? null,
          profileId: r.profileId,
          profileName: profiles.get(r.profileId)?.name ?? null,
          node: r.node,
          pid: r.pid,
          status: r.status,
          wanted: Boolean(want),
          targetFps: r.targetFps,
          cameraFps: r.cameraFps,
          processedFps: r.processedFps,
          snapshotEvery: r.snapshotEvery,
          lastHeartbeatAt: r.lastHeartbeatAt?.toISOString() ?? null,
          heartbeatAgeSeconds: r.lastHeartbeatAt ? Math.round((now.getTime() - r.lastHeartbeatAt.getTime()) / 1000) : null,
          heartbeat: r.pid === null ? 'none' : heartbeatCategory(r.lastHeartbeatAt, now, onlineSec, staleSec),
          restartsLastHour: restarts.get(key) ?? 0,
          restartCount: r.restartCount,
          lastError: maskCredentials(r.lastError),
          specHash: r.specHash,
          specCurrent: want ? want.hash === r.specHash : null,
          spec: want ? { ...want.spec, rtspUrl: maskCredentials(want.spec.rtspUrl) } : null,
        };
      }),
    };
  }
}
