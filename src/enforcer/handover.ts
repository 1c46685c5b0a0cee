import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { Desired } from './desired.js';
import { EnforcerRepository, type NewEvent } from './enforcer.repository.js';
import { handover, leaseLive } from './ownership.js';
import type { DesiredSpec, ObservedRunner } from './plan.js';
import { ProcessAdapter } from './process.adapter.js';
import { TrackedRunners } from './tracked-runners.js';
import type { World } from './world.js';

const pairKey = (p: { cameraId: number; profileId: number }) => `${p.cameraId}:${p.profileId}`;

/**
 * Floating cameras changing node, and this node stepping back when it cannot renew its lease
 * (§9): the tick's third concern, beside observing and executing.
 */
@Injectable()
export class Handover {
  private readonly logger = new Logger('Enforcer');
  /** Other nodes holding a live lease at the last successful tick (could take over floating cameras). */
  private peers = 0;
  /** Cameras pinned to this node at the last successful tick (never fenced). */
  private pinnedHere = new Set<number>();
  /** The loaded camera list pinnedHere was worked out from. */
  private pinnedOf: World['cameras'] | null = null;
  /** Runners stopped by fence() while the database was away: recorded as such once it is back. */
  private readonly fenced = new Set<number>();
  /** Pairs already reported as waiting for another node (one event per wait, not one per tick). */
  private readonly waits = new Set<string>();

  constructor(
    private readonly config: AppConfig,
    private readonly repo: EnforcerRepository,
    private readonly processes: ProcessAdapter,
    private readonly tracked: TrackedRunners,
  ) {}

  /** What the last loaded world says about the fleet around this node. */
  noteWorld(world: World, nowMs: number): void {
    const node = this.config.enforcer.nodeName;
    this.peers = world.leases.filter((l) => l.node !== node && leaseLive(l, nowMs)).length;
    // The same camera list from tick to tick while the planning tables are unchanged: looked through once.
    if (this.pinnedOf !== world.cameras) {
      this.pinnedOf = world.cameras;
      this.pinnedHere = new Set(world.cameras.filter((c) => c.node === node).map((c) => c.id));
    }
    for (const row of world.runners) if (row.pid === null) this.fenced.delete(row.id);
  }

  /** How many other nodes were live at the last successful tick. */
  get peerCount(): number {
    return this.peers;
  }

  /** Whether other nodes were live at the last successful tick (someone could take over floating cameras). */
  get hasPeers(): boolean {
    return this.peers > 0;
  }

  /** A row whose runner fence() stopped: true once, then forgotten. */
  takeFenced(runnerId: number): boolean {
    return this.fenced.delete(runnerId);
  }

  /**
   * A pair another live node still runs waits until that node has stopped it; a row left by a
   * node that is gone (lease expired, runner silent) is taken over. `events` null = preview
   * (nothing written).
   */
  async gate(desired: Desired, observed: ObservedRunner[], now: Date, events: NewEvent[] | null): Promise<{ specs: DesiredSpec[]; waiting: number }> {
    const aliveHere = new Set(observed.filter((o) => o.alive).map(pairKey));
    const wanted = desired.specs.map((d) => d.spec).filter((s) => !aliveHere.has(pairKey(s)));
    // Other nodes' rows are read only for the pairs this node is about to start (none in a steady tick).
    const foreign = await this.repo.foreignRunners(this.config.enforcer.nodeName, wanted.map((s) => s.cameraId));
    if (foreign.length === 0) {
      if (events) this.waits.clear();
      return { specs: desired.specs, waiting: 0 };
    }
    // The leases are read again, after the rows: a node takes its lease before it writes any row
    // and lets go of it only after stopping its runners, so leases read after a row are the ones
    // that speak for it. The tick's own view is older than these rows — a node that joined since
    // (its lease unseen, its rows seen) would look lease-less, and its running pairs abandoned.
    const leases = await this.repo.leases();
    const decisions = handover(wanted, foreign, leases, now.getTime(), this.config.heartbeats.offlineSec * 1000);
    const blocked = new Set(decisions.filter((d) => d.kind === 'wait').map(pairKey));
    const waits = new Set<string>();
    const rows = new Map(foreign.map((r) => [r.id, r]));
    for (const d of decisions) {
      if (d.kind === 'wait') {
        waits.add(`${pairKey(d)}@${d.node}`);
        if (events && !this.waits.has(`${pairKey(d)}@${d.node}`)) events.push({ kind: 'handover', cameraId: d.cameraId, profileId: d.profileId, message: d.reason });
      } else if (events && !blocked.has(pairKey(d))) {
        // Only while the row and its node's lease are as read: a node that came back meanwhile (a
        // stalled process, a late answer) and wrote its row or renewed its lease keeps its pair,
        // and this start waits for the next tick.
        const seen = rows.get(d.runnerId)!;
        const values = { status: 'exited' as const, pid: null, processStartTime: null, lastExitAt: now, lastError: d.reason };
        if (!(await this.repo.takeOverRunner(d.runnerId, values, { pid: seen.pid, status: seen.status }, { node: d.node, expiresAt: d.leaseExpiresAt }))) {
          blocked.add(pairKey(d));
          events.push({ kind: 'handover', cameraId: d.cameraId, profileId: d.profileId, message: `not taken over: node ${d.node} wrote its row or renewed its lease meanwhile` });
          continue;
        }
        events.push({ kind: 'handover', cameraId: d.cameraId, profileId: d.profileId, message: d.reason });
        this.logger.warn(`camera ${d.cameraId} profile ${d.profileId}: ${d.reason}`);
      }
    }
    if (events) {
      this.waits.clear();
      for (const w of waits) this.waits.add(w);
    }
    return { specs: desired.specs.filter((d) => !blocked.has(pairKey(d.spec))), waiting: blocked.size };
  }

  /**
   * This node's lease could not be renewed for most of its length (the database is unreachable
   * from here): stop its floating runners before another node, seeing the lease expire, starts
   * them. Pinned cameras keep running (nobody else may run them). Needs no database; the rows
   * are put right when it is back.
   */
  async fence(reason: string): Promise<number> {
    const victims = this.tracked.all().filter((t) => !this.pinnedHere.has(t.cameraId) && !t.stopping);
    await Promise.all(
      victims.map(async (t) => {
        t.stopping = true;
        await this.processes.stop(t.pid, t.startTime, this.config.runners.stopTimeoutSeconds * 1000);
        this.tracked.drop(t);
        this.fenced.add(t.runnerId);
      }),
    );
    if (victims.length > 0) this.logger.error(`${reason}: stopped ${victims.length} floating runner(s) so that another node can take them over`);
    return victims.length;
  }
}
