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
        return { ok: false, holderPid: this.waitForHolderPid() };
      }
      throw error;
    }
    ftruncateSync(fd, 0);
    writeSync(fd, `${process.pid}\n`, 0);
    this.fd = fd;
    return { ok: true };
  }

  /**
   * The holder writes its PID right after taking the lock; a contender that lost the race by
   * microseconds may see an empty file or the PID of a previous, dead holder. Wait briefly
   * for a live PID.
   */
  private waitForHolderPid(timeoutMs = 500): number | null {
    const deadline = Date.now() + timeoutMs;
    let pid = this.readHolderPid();
    while ((pid === null || !isRunning(pid)) && Date.now() < deadline) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
      pid = this.readHolderPid();
    }
    return pid;
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

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const lockHeldMessage = (path: string, pid: number | null) =>
  `Another enforcer holds the lock: ${path}${pid !== null ? ` (pid=${pid})` : ''}`;
