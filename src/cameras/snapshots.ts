import { constants } from 'node:fs';
import { lstat, open, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { snapshotDirFor } from '../enforcer/runner-command.js';

/**
 * A camera's latest snapshot from SNAPSHOT_DIR, as runners write them: the enforcer gives each
 * camera's runners `SNAPSHOT_DIR/camera-<camera>/` and the reference runner keeps
 * `camera-<camera>-profile-<profile>-latest.jpg` there per profile, so a camera's latest is the
 * newest of those. Names are matched against the numeric camera id only, and only in that camera's
 * own directory: `camera-<camera>` must be a directory itself, not a symlink — one leading outside
 * is outside, and one leading to another camera's directory would serve files put there for
 * another camera (a mount point is a directory, so a per-camera mount works). Each candidate's
 * real path (symlinks resolved) must lie inside the real snapshot directory, the file actually
 * opened is checked again, and a file is read only up to `maxBytes`.
 */

/** The largest snapshot served; a larger file is refused without being read. */
export const SNAPSHOT_MAX_BYTES = 10 * 1024 * 1024;

/** The profile id when `name` is a latest-snapshot file of `cameraId`, else null. */
export function snapshotProfile(name: string, cameraId: number): number | null {
  const prefix = `camera-${cameraId}-profile-`;
  if (!name.startsWith(prefix)) return null;
  const match = /^([1-9]\d{0,9})-latest\.jpg$/.exec(name.slice(prefix.length));
  return match ? Number(match[1]) : null;
}

/** True when `path` lies strictly inside `dir` (both already real paths). */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !isAbsolute(rel) && rel.split(sep)[0] !== '..';
}

export type SnapshotRead =
  | { kind: 'found'; data: Buffer; modifiedAt: Date; profileId: number }
  | { kind: 'none' }
  | { kind: 'too-large'; bytes: number };

export class SnapshotStore {
  constructor(
    private readonly dir: string,
    private readonly maxBytes = SNAPSHOT_MAX_BYTES,
  ) {}

  /**
   * The newest readable snapshot of the camera. Files that resolve outside the directory, are
   * not regular files or vanish meanwhile are passed over; when the only ones left are too
   * large, says so.
   */
  async latest(cameraId: number): Promise<SnapshotRead> {
    const root = await this.root();
    const dir = root === null ? null : await cameraDir(root, cameraId);
    if (root === null || dir === null) return { kind: 'none' };
    const candidates: { path: string; profileId: number; mtimeMs: number }[] = [];
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const profileId = snapshotProfile(name, cameraId);
      if (profileId === null) continue;
      try {
        const path = await realpath(join(dir, name));
        if (!isInside(root, path)) continue;
        const info = await stat(path);
        if (info.isFile()) candidates.push({ path, profileId, mtimeMs: info.mtimeMs });
      } catch {
        // dangling link, or replaced while being looked at
      }
    }
    candidates.sort((a, b) => b.mtimeMs - a.mtimeMs || a.profileId - b.profileId);
    let tooLarge: number | null = null;
    for (const candidate of candidates) {
      const read = await this.readCapped(root, candidate.path);
      if (read === null) continue;
      if ('tooLarge' in read) {
        tooLarge ??= read.tooLarge;
        continue;
      }
      return { kind: 'found', data: read.data, modifiedAt: read.modifiedAt, profileId: candidate.profileId };
    }
    return tooLarge === null ? { kind: 'none' } : { kind: 'too-large', bytes: tooLarge };
  }

  /**
   * When each of these cameras' newest snapshot was written (ms since the epoch), for lists that
   * show thumbnails: one directory read and a stat per matching file, nothing read.
   */
  async latestTimes(cameraIds: number[]): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    const root = await this.root();
    if (root === null) return out;
    await Promise.all(
      [...new Set(cameraIds)].map(async (cameraId) => {
        const dir = await cameraDir(root, cameraId);
        if (dir === null) return;
        for (const name of await readdir(dir).catch(() => [] as string[])) {
          if (snapshotProfile(name, cameraId) === null) continue;
          try {
            const path = await realpath(join(dir, name));
            if (!isInside(root, path)) continue;
            const info = await stat(path);
            if (info.isFile() && info.size > 0 && info.size <= this.maxBytes) out.set(cameraId, Math.max(out.get(cameraId) ?? 0, Math.floor(info.mtimeMs)));
          } catch {
            // gone meanwhile
          }
        }
      }),
    );
    return out;
  }

  private root(): Promise<string | null> {
    return realpath(this.dir).catch(() => null);
  }

  /**
   * Reads a regular file of at most maxBytes. O_NOFOLLOW: the checked real path cannot have
   * become a symlink since; O_NONBLOCK: a FIFO put there cannot hold the request. A directory on
   * the way may still have been swapped for a symlink since the check, so what was opened is
   * asked of /proc and must lie inside `root` too.
   */
  private async readCapped(root: string, path: string): Promise<{ data: Buffer; modifiedAt: Date } | { tooLarge: number } | null> {
    let handle;
    try {
      handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch {
      return null;
    }
    try {
      const info = await handle.stat();
      if (!info.isFile() || !(await openedInside(root, handle.fd))) return null;
      if (info.size > this.maxBytes) return { tooLarge: info.size };
      const data = Buffer.alloc(info.size);
      let filled = 0;
      while (filled < data.length) {
        const { bytesRead } = await handle.read(data, filled, data.length - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return filled === 0 ? null : { data: data.subarray(0, filled), modifiedAt: info.mtime };
    } catch {
      return null;
    } finally {
      await handle.close();
    }
  }
}

/**
 * `<root>/camera-<id>` when it is a directory itself (not a symlink to one), else null. `root` is
 * already a real path, so the result is one too.
 */
async function cameraDir(root: string, cameraId: number): Promise<string | null> {
  if (!Number.isSafeInteger(cameraId) || cameraId < 1) return null;
  const dir = snapshotDirFor(root, cameraId);
  try {
    return (await lstat(dir)).isDirectory() ? dir : null;
  } catch {
    return null;
  }
}

/** Whether the file open on `fd` lies inside `root`, by the kernel's own name for it (Linux /proc). */
async function openedInside(root: string, fd: number): Promise<boolean> {
  try {
    return isInside(root, (await readlink(`/proc/self/fd/${fd}`)).replace(/ \(deleted\)$/, ''));
  } catch {
    return false;
  }
}
