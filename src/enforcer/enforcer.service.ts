import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { computeDesired, type Desired } from './desired.js';
import { EnforcerRepository, type NewEvent } from './enforcer.repository.js';
import { Handover } from './handover.js';
import { fenceAfterMs } from './lock.adapter.js';
import { affectedNodes, liveNodes } from './ownership.js';
import { type Action, type DesiredSpec, type ObservedRunner, type Plan, plan } from './plan.js';
import { RunnerExecutor } from './runner.executor.js';
import { RunnerObserver } from './runner.observer.js';
import type { World } from './world.js';

export interface TickResult {
  at: Date;
  durationMs: number;
  desired: number;
  runningBefore: number;
  started: number;
  stopped: number;
  restarted: number;
  waiting: number;
  strays: number;
  actions: Action[];
  wakeAt: Date | null;
  nextBoundary: Date | null;
}

export interface PlanPreview {
  at: Date;
  desired: Desired;
  observed: ObservedRunner[];
  plan: Plan;
}

/**
 * One tick (§5): observe (RunnerObserver: load the world, check processes, adopt) → decide
 * (pure: desired.ts, plan.ts; Handover's gate for pairs changing node) → execute
 * (RunnerExecutor) → record. Never two at once: EnforcerScheduler serializes the calls.
 */
/** What a peer watch saw: the live nodes now, and which of them gain or lose floating cameras by it. */
export interface LiveNodesChange {
  nodes: string[];
  affected: string[];
}

@Injectable()
export class EnforcerService {
  private readonly logger = new Logger('Enforcer');
  private graceUntil: Date | null = null;
  private databaseWasDown = false;
  private lastTickAt: number | null = null;
  /** What the last tick wanted on this node (pair → spec hash) and until when that holds (its next boundary). */
  private wanted: { hashes: Map<string, string>; until: number } = { hashes: new Map(), until: 0 };
  /** The live nodes the last tick planned with, or another node announced since (sorted names), null before the first tick. */
  private knownLive: string | null = null;
  /** The last tick's live nodes, and the floating cameras of its world (what a change of live nodes moves). */
  private plannedNodes: string[] = [];
  private floating: { of: World['cameras'] | null; ids: number[] } = { of: null, ids: [] };
  readonly node: string;
  /** What the tick in progress is doing (for the tick-budget message: where a tick that hangs is stuck). */
  phase = 'idle';

  constructor(
    private readonly config: AppConfig,
    private readonly repo: EnforcerRepository,
    private readonly observer: RunnerObserver,
    private readonly handover: Handover,
    private readonly executor: RunnerExecutor,
    private readonly clock: Clock,
  ) {
    this.node = config.enforcer.nodeName;
  }

  /** What a tick would do at `at`, without doing it (no adoption, no rows written). */
  async preview(at: Date = this.clock.now()): Promise<PlanPreview> {
    const world = await this.repo.loadWorld(this.node);
    const now = this.clock.now();
    const desired = computeDesired(world, at, this.config.timeZone, this.node, now.getTime());
    const observed = world.runners.map((row) => this.observer.observe(row));
    const strays = this.observer.findStrays(world.runners);
    const gate = await this.handover.gate(desired, observed, now, null);
    return { at, desired, observed, plan: plan(gate.specs, observed, strays, at, this.planSettings()) };
  }

  /** One reconcile pass. Throws when the database is unreachable (runners are then left as they are). */
  async tick(): Promise<TickResult> {
    const started = Date.now();
    const now = this.clock.now();
    let world: World;
    try {
      this.phase = 'reading the world';
      world = await this.repo.loadWorld(this.node);
    } catch (error) {
      // Fail-static: runners are left exactly as they are; the caller records the error.
      this.databaseWasDown = true;
      this.wanted = { hashes: new Map(), until: 0 };
      throw error;
    }
    this.noteTickGap(now);
    const events: NewEvent[] = [];
    this.handover.noteWorld(world, now.getTime());

    // Pauses that have ended are cleared from the cameras just loaded: no extra read per tick.
    const expired = world.cameras.filter((c) => c.pauseUntil !== null && c.pauseUntil.getTime() <= now.getTime());
    this.phase = 'clearing ended pauses';
    await this.repo.clearPauses(expired.map((c) => c.id), now);
    for (const camera of expired) {
      camera.pauseUntil = null;
      events.push({ kind: 'pause-expired', cameraId: camera.id, message: `pause of "${camera.name}" ended` });
    }

    const observed: ObservedRunner[] = [];
    for (const row of world.runners) {
      this.phase = `looking at runner ${observed.length + 1} of ${world.runners.length}`;
      observed.push(await this.observer.reconcile(row, now, events));
    }
    const strays = this.observer.findStrays(world.runners);
    const nodes = liveNodes(world.leases, now.getTime(), this.node);
    const desired = computeDesired(world, now, this.config.timeZone, this.node, now.getTime(), nodes);
    this.phase = 'checking handovers with other nodes';
    const gate = await this.handover.gate(desired, observed, now, events);
    const result = plan(gate.specs, observed, strays, now, this.planSettings());
    // A pair waiting for another node to stop it is looked at again in a second, not a full interval.
    if (gate.waiting > 0 && (result.wakeAt === null || result.wakeAt.getTime() > now.getTime() + 1000)) result.wakeAt = new Date(now.getTime() + 1000);
    // The lease was renewed just before this tick. A database that answered only after the fence's
    // time (a stalled link) may have handed back a view from before other nodes took over: act on it never.
    const tookMs = Date.now() - started;
    if (tookMs > fenceAfterMs(this.config)) {
      this.databaseWasDown = true;
      throw new Error(`the database took ${Math.round(tookMs / 1000)} s to answer, longer than the lease allows: nothing done with that answer`);
    }
    this.phase = `carrying out ${result.actions.length} actions`;
    const counts = await this.executor.execute(result.actions, world, now, events);
    counts.waiting += gate.waiting;
    this.phase = 'writing events';
    await this.repo.addEvents(this.node, events, now);
    this.phase = 'idle';

    this.wanted = {
      hashes: new Map(gate.specs.map((d) => [`${d.spec.cameraId}:${d.spec.profileId}`, d.hash])),
      until: desired.nextBoundary?.getTime() ?? Number.POSITIVE_INFINITY,
    };
    this.lastTickAt = now.getTime();
    this.knownLive = nodes.join('\0');
    this.plannedNodes = nodes;
    if (this.floating.of !== world.cameras) this.floating = { of: world.cameras, ids: world.cameras.filter((c) => c.node === null).map((c) => c.id) };
    return {
      at: now,
      durationMs: Date.now() - started,
      desired: desired.specs.length,
      runningBefore: observed.filter((o) => o.alive).length,
      ...counts,
      strays: strays.length,
      actions: result.actions,
      wakeAt: result.wakeAt,
      nextBoundary: desired.nextBoundary,
    };
  }

  /**
   * The live nodes, when they differ from those the last tick planned with (or another node
   * announced since): a node joined, left, let its lease lapse or lost its session (presence.ts).
   * One statement; the peer watch asks it. `affected`: the nodes whose floating cameras that
   * moves (affectedNodes) — the only ones that need to tick for it.
   */
  async liveNodesChange(): Promise<LiveNodesChange | null> {
    if (this.knownLive === null) return null;
    const nodes = liveNodes(await this.repo.leases(), this.clock.now().getTime(), this.node);
    if (nodes.join('\0') === this.knownLive) return null;
    return { nodes, affected: affectedNodes(this.floating.ids, this.plannedNodes, nodes) };
  }

  /** Another node saw the live nodes change and none of this node's cameras move: its own watch need not report that change again. */
  noteLiveNodes(nodes: string[]): void {
    if (this.knownLive !== null) this.knownLive = [...new Set([...nodes, this.node])].sort().join('\0');
  }

  /**
   * Whether the last tick still speaks for `now` about this pair: it wanted exactly this spec
   * and no schedule boundary has passed since. (Edits through the API are seen by the next tick.)
   */
  stillWants(started: DesiredSpec, now: Date): boolean {
    return now.getTime() < this.wanted.until && this.wanted.hashes.get(`${started.spec.cameraId}:${started.spec.profileId}`) === started.hash;
  }

  private planSettings() {
    return {
      offlineSeconds: this.config.heartbeats.offlineSec,
      backoffMaxSeconds: this.config.runners.backoffMaxSeconds,
      heartbeatGraceUntil: this.graceUntil,
    };
  }

  /**
   * After a database outage or a long stall of this process, heartbeats may have been lost
   * or not processed: give every runner a fresh grace period instead of restarting the fleet.
   */
  private noteTickGap(now: Date): void {
    const stalled = this.lastTickAt !== null && now.getTime() - this.lastTickAt > 3 * this.config.enforcer.intervalSeconds * 1000;
    if (this.databaseWasDown || stalled) {
      this.graceUntil = new Date(now.getTime() + this.config.heartbeats.offlineSec * 1000);
      this.logger.warn(`${this.databaseWasDown ? 'database is back' : 'ticks were delayed'}; stall checks paused until ${this.graceUntil.toISOString()}`);
      this.databaseWasDown = false;
    }
  }
}
