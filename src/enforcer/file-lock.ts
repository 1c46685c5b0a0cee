import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import fsExt from 'fs-ext';

export type LockResult = { ok: true } | { ok: false; holderPid: number | null };

/**
 * A kernel lock (flock(2), exclusive, non-blocking) on the lock file. The kernel drops it when
 * the holder exits for any reason, SIGKILL included, so a stale lock cannot exist; the file
 * also carries the holder's PID for the "Another enforcer holds the lock" message.
 * (fcntl locks would be silently lost when any descriptor of the file is closed; flock is not.)
 */
export class FileLock {
  private fd: number | null = null;

  constructor(readonly path: string) {}

  tryAcquire(): LockResult {
    if (this.fd !== null) return { ok: true };
    mkdirSync(dirname(this.path), { recursive: true });
    const fd = openSync(this.path, 'a+', 0o644);
    try {
      fsExt.flockSync(fd, 'exnb');
    } catch (error) {
      closeSync(fd);
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN' || (error as NodeJS.ErrnoException).code === 'EWOULDBLOCK') {
        return { ok: false, holderPid: this.readHolderPid() };
      }
      throw error;
    }
    ftruncateSync(fd, 0);
    writeSync(fd, `${process.pid}\n`, 0);
    this.fd = fd;
    return { ok: true };
  }

  readHolderPid(): number | null {
    try {
      const pid = Number.parseInt(readFileSync(this.path, 'utf8'), 10);
      return Number.isFinite(pid) && pid > 0 ? pid : null;
    } catch {
      return null;
    }
  }

  get held(): boolean {
    return this.fd !== null;
  }

  release(): void {
    if (this.fd === null) return;
    try {
      fsExt.flockSync(this.fd, 'un');
    } finally {
      closeSync(this.fd);
      this.fd = null;
    }
  }
}

export const lockHeldMessage = (path: string, pid: number | null) =>
  `Another enforcer holds the lock: ${path}${pid !== null ? ` (pid=${pid})` : ''}`;
