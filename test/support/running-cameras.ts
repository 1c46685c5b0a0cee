import type { Sql } from '../../src/database/sql.js';
import { findMarkedProcesses, isSameProcess, readStat } from '../../src/enforcer/proc.js';

/**
 * The real process table of several-hosts tests: camera id → nodes running it, from the runner
 * processes marked with one of `nodes` (runner ids mapped to cameras from the runners table,
 * read again only when an unknown runner appears). Marked and really running only: a runner
 * killed a moment ago may linger as a zombie until reaped.
 */
export function runningCameras(nodes: string[], sql: () => Sql): () => Promise<Map<number, string[]>> {
  let cameraOf = new Map<number, number>();
  return async () => {
    const procs = findMarkedProcesses().filter((p) => nodes.includes(p.node) && readStat(p.pid)?.state !== 'Z' && isSameProcess(p.pid, p.startTime));
    if (procs.some((p) => p.runnerId !== null && !cameraOf.has(p.runnerId))) {
      const rows = await sql().query<{ id: number; camera_id: number }>('SELECT id, camera_id FROM runners');
      cameraOf = new Map(rows.map((r) => [Number(r.id), Number(r.camera_id)]));
    }
    const byCamera = new Map<number, string[]>();
    for (const p of procs) {
      const camera = cameraOf.get(p.runnerId ?? -1);
      if (camera !== undefined) byCamera.set(camera, [...(byCamera.get(camera) ?? []), p.node]);
    }
    return byCamera;
  };
}
