import { constants } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';

/**
 * A camera's latest snapshot from SNAPSHOT_DIR, as runners write them: the reference runner
 * keeps `camera-<camera>-profile-<profile>-latest.jpg` per profile, so a camera's latest is the
 * newest of those. Names are matched against the numeric camera id only; each candidate's real
 * path (symlinks resolved) must lie inside the real snapshot directory, and a file is read only
 * up to `maxBytes`.
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
    if (!Number.isSafeInteger(cameraId) || cameraId < 1) return { kind: 'none' };
    let root: string;
    let names: string[];
    try {
      root = await realpath(this.dir);
      names = await readdir(root);
    } catch {
      return { kind: 'none' };
    }
    const candidates: { path: string; profileId: number; mtimeMs: number }[] = [];
    for (const name of names) {
      const profileId = snapshotProfile(name, cameraId);
      if (profileId === null) continue;
      try {
        const path = await realpath(join(root, name));
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
      const read = await this.readCapped(candidate.path);
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
   * Reads a regular file of at most maxBytes. O_NOFOLLOW: the checked real path cannot have
   * become a symlink since; O_NONBLOCK: a FIFO put there cannot hold the request.
   */
  private async readCapped(path: string): Promise<{ data: Buffer; modifiedAt: Date } | { tooLarge: number } | null> {
    let handle;
    try {
      handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch {
      return null;
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) return null;
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
