import { Injectable } from '@nestjs/common';
import type { DesiredSpec } from './plan.js';

/** A runner process this enforcer is responsible for (spawned by it, or adopted after a restart). */
export interface Tracked {
  runnerId: number;
  cameraId: number;
  profileId: number;
  pid: number;
  startTime: string;
  startedAt: number;
  crashCount: number;
  restartCount: number;
  logFile: string;
  stopping: boolean;
  /** What it was started with (unknown for an adopted runner): lets an exit be answered by a restart in place. */
  started: DesiredSpec | null;
  unwatch?: () => void;
}

/** The runner processes of this enforcer, by runner row id: what the observer, executor and handover share. */
@Injectable()
export class TrackedRunners {
  private readonly byRow = new Map<number, Tracked>();

  get(runnerId: number): Tracked | undefined {
    return this.byRow.get(runnerId);
  }

  set(t: Tracked): void {
    this.byRow.set(t.runnerId, t);
  }

  /** Forgets a runner (and stops watching it) if `t` is still the one recorded for its row. */
  drop(t: Tracked): void {
    t.unwatch?.();
    if (this.byRow.get(t.runnerId) === t) this.byRow.delete(t.runnerId);
  }

  byPid(pid: number): Tracked | undefined {
    for (const t of this.byRow.values()) if (t.pid === pid) return t;
    return undefined;
  }

  all(): Tracked[] {
    return [...this.byRow.values()];
  }
}
