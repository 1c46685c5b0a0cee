import type { RunnerStatus } from '../common/domain.js';
import type { EffectiveSpec } from './spec.js';

/**
 * The planner (§5), pure: (desired specs, observed runners, now) → actions with reasons.
 * No clock, no processes, no database; the executor performs what comes out. Output is
 * sorted (strays first, then by camera and profile) so tests compare whole values.
 */

export interface DesiredSpec {
  spec: EffectiveSpec;
  hash: string;
}

/** What the executor knows about one runner row of this node, after checking its process. */
export interface ObservedRunner {
  runnerId: number;
  cameraId: number;
  profileId: number;
  pid: number | null;
  /** The process exists and its kernel start time matches the recorded one. */
  alive: boolean;
  status: RunnerStatus;
  specHash: string;
  startedAt: Date | null;
  lastHeartbeatAt: Date | null;
  /** Consecutive short-lived exits (reset once a runner stays up `stableSeconds`). */
  crashes: number;
  lastExitAt: Date | null;
}

/**
 * A marked runner process with no live row, or what is left of a runner's process group after
 * its leader died (`orphans`: pid is then the group id): it belongs to nobody and is killed.
 */
export interface StrayProcess {
  pid: number;
  /** null for an orphaned group (its leader is gone). */
  startTime: string | null;
  runnerId: number | null;
  /** For an orphaned group: how many processes are left in it. */
  orphans?: number;
}

export interface PlanSettings {
  /** No heartbeat for this long (from a runner that has sent one) = stalled. */
  offlineSeconds: number;
  backoffMaxSeconds: number;
  /** Stall checks are suspended until then (after a database outage or a long event-loop stall). */
  heartbeatGraceUntil: Date | null;
}

export type Action =
  | { kind: 'start'; cameraId: number; profileId: number; runnerId: number | null; spec: EffectiveSpec; hash: string; reason: string }
  | { kind: 'restart'; cameraId: number; profileId: number; runnerId: number; pid: number; spec: EffectiveSpec; hash: string; cause: 'drift' | 'stall'; reason: string }
  | { kind: 'stop'; cameraId: number; profileId: number; runnerId: number; pid: number; reason: string }
  | { kind: 'wait'; cameraId: number; profileId: number; runnerId: number; until: Date; reason: string }
  | { kind: 'stray-kill'; pid: number; startTime: string | null; runnerId: number | null; reason: string };

export interface Plan {
  actions: Action[];
  /** Earliest instant the plan itself wants another look (a back-off ending, a heartbeat deadline). */
  wakeAt: Date | null;
}

/** Exponential crash back-off: 1 s, 2 s, 4 s … capped. 0 crashes → no wait. */
export function backoffSeconds(crashes: number, maxSeconds: number): number {
  if (crashes <= 0) return 0;
  return Math.min(2 ** Math.min(crashes - 1, 30), maxSeconds);
}

const pairKey = (cameraId: number, profileId: number) => `${cameraId}:${profileId}`;
const seconds = (ms: number) => Math.round(ms / 100) / 10;

function strayReason(s: StrayProcess): string {
  if (s.orphans !== undefined) return `${s.orphans} process(es) left in the group of runner ${s.runnerId ?? '?'} after its leader (pid ${s.pid}) ended`;
  return s.runnerId === null ? 'marked runner process without a runner row' : `runner ${s.runnerId} has no live row on this node`;
}

export function plan(desired: DesiredSpec[], observed: ObservedRunner[], strays: StrayProcess[], now: Date, settings: PlanSettings): Plan {
  const t = now.getTime();
  const actions: Action[] = [];
  let wake = Infinity;
  const wakeAt = (ms: number) => {
    if (ms > t && ms < wake) wake = ms;
  };

  const wanted = new Map(desired.map((d) => [pairKey(d.spec.cameraId, d.spec.profileId), d]));
  const rows = new Map(observed.map((r) => [pairKey(r.cameraId, r.profileId), r]));

  for (const [key, runner] of rows) {
    const want = wanted.get(key);
    if (!runner.alive || runner.pid === null) continue;
    if (runner.status === 'stopping') continue; // a stop is already in progress
    if (!want) {
      actions.push({ kind: 'stop', cameraId: runner.cameraId, profileId: runner.profileId, runnerId: runner.runnerId, pid: runner.pid, reason: 'no active schedule window wants this pair any more' });
      continue;
    }
    if (runner.specHash !== want.hash) {
      actions.push({ kind: 'restart', cameraId: runner.cameraId, profileId: runner.profileId, runnerId: runner.runnerId, pid: runner.pid, spec: want.spec, hash: want.hash, cause: 'drift', reason: 'settings changed since it started (spec drift)' });
      continue;
    }
    const heartbeatedSinceStart =
      runner.lastHeartbeatAt !== null && (runner.startedAt === null || runner.lastHeartbeatAt.getTime() >= runner.startedAt.getTime());
    if (heartbeatedSinceStart) {
      const deadline = runner.lastHeartbeatAt!.getTime() + settings.offlineSeconds * 1000;
      const grace = settings.heartbeatGraceUntil?.getTime() ?? -Infinity;
      if (t >= deadline && t >= grace) {
        actions.push({
          kind: 'restart', cameraId: runner.cameraId, profileId: runner.profileId, runnerId: runner.runnerId, pid: runner.pid, spec: want.spec, hash: want.hash, cause: 'stall',
          reason: `no heartbeat for ${seconds(t - runner.lastHeartbeatAt!.getTime())} s (limit ${settings.offlineSeconds} s)`,
        });
      } else {
        wakeAt(Math.max(deadline, grace));
      }
    }
  }

  for (const [key, want] of wanted) {
    const runner = rows.get(key);
    if (runner && runner.alive && runner.pid !== null) continue;
    const { cameraId, profileId } = want.spec;
    const delay = runner ? backoffSeconds(runner.crashes, settings.backoffMaxSeconds) : 0;
    const retryAt = runner?.lastExitAt ? runner.lastExitAt.getTime() + delay * 1000 : -Infinity;
    if (runner && retryAt > t) {
      actions.push({ kind: 'wait', cameraId, profileId, runnerId: runner.runnerId, until: new Date(retryAt), reason: `back-off ${delay} s after ${runner.crashes} quick exit(s)` });
      wakeAt(retryAt);
      continue;
    }
    actions.push({
      kind: 'start', cameraId, profileId, runnerId: runner?.runnerId ?? null, spec: want.spec, hash: want.hash,
      reason: runner && runner.crashes > 0 ? `restart after exit (attempt ${runner.crashes + 1})` : 'wanted by the schedule and not running',
    });
  }

  const strayActions: Action[] = [...strays]
    .sort((a, b) => a.pid - b.pid)
    .map((s) => ({ kind: 'stray-kill', pid: s.pid, startTime: s.startTime, runnerId: s.runnerId, reason: strayReason(s) }));

  const pairActions = actions.sort((a, b) => {
    const [ac, ap] = 'cameraId' in a ? [a.cameraId, a.profileId] : [0, 0];
    const [bc, bp] = 'cameraId' in b ? [b.cameraId, b.profileId] : [0, 0];
    return ac - bc || ap - bp;
  });
  return { actions: [...strayActions, ...pairActions], wakeAt: Number.isFinite(wake) ? new Date(wake) : null };
}
