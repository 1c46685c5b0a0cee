import { closeSync, constants, fchmodSync, fstatSync, ftruncateSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import fsExt from 'fs-ext';

export type LockResult = { ok: true } | { ok: false; holderPid: number | null };

/**
 * A kernel lock (flock(2), exclusive, non-blocking) on the lock file. The kernel drops it when
 * the holder exits for any reason, SIGKILL included, so a stale lock cannot exist; the file
 * also carries the holder's PID for the "Another enforcer holds the lock" message.
 * (fcntl locks would be silently lost when any descriptor of the file is closed; flock is not.)
 *
 * The default path is in world-writable /tmp, so the file is treated as hostile until proven
 * ours: opened without following a symbolic link (O_NOFOLLOW) and without truncating it; a file
 * that is not a regular file or belongs to another user is refused (LockFileRefusedError);
 * only once the lock is held is it emptied and given our PID, mode 0600.
 */
export class FileLock {
  private fd: number | null = null;

  constructor(readonly path: string) {}

  tryAcquire(): LockResult {
    if (this.fd !== null) return { ok: true };
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const fd = openOwnLockFile(this.path);
    try {
      fsExt.flockSync(fd, 'exnb');
    } catch (error) {
      try {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return { ok: false, holderPid: waitForHolderPid(fd) };
        throw error;
      } finally {
        closeSync(fd);
      }
    }
    ftruncateSync(fd, 0);
    writeSync(fd, `${process.pid}\n`, 0);
    fchmodSync(fd, 0o600); // a file left by an older version may be 0644
    this.fd = fd;
    return { ok: true };
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

/** The lock file cannot be used safely (a symbolic link, not a regular file, another user's). */
export class LockFileRefusedError extends Error {
  override readonly name = 'LockFileRefusedError';
}

/**
 * Opens (creating it 0600 if missing) the lock file for reading and writing: no O_TRUNC (another
 * holder's PID stays until we hold the lock), O_NOFOLLOW (a planted link is not followed to
 * its target), O_NONBLOCK (a planted FIFO does not hang the open); then checks what was opened.
 */
function openOwnLockFile(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new LockFileRefusedError(`Refusing the lock file ${path}: it is a symbolic link (remove it, or set ENFORCER_LOCK_FILE to a path in a directory only this user can write, e.g. /run/bisk/enforcer.lock)`);
    if (code === 'EISDIR') throw new LockFileRefusedError(`Refusing the lock file ${path}: it is not a regular file (a directory; remove it, or set ENFORCER_LOCK_FILE to a path this user owns)`);
    if (code === 'EACCES' || code === 'EPERM') throw new LockFileRefusedError(`Cannot open the lock file ${path}: permission denied${ownerNote(path)} (remove it, or set ENFORCER_LOCK_FILE to a path this user owns)`);
    throw error;
  }
  const stat = fstatSync(fd);
  const euid = process.geteuid?.() ?? stat.uid;
  const problem = !stat.isFile()
    ? 'it is not a regular file'
    : stat.uid !== euid
      ? `it belongs to ${userName(stat.uid)}, not to ${userName(euid)} who runs this enforcer`
      : stat.nlink > 1
        ? `it has ${stat.nlink - 1} other name(s) (a hard link: writing the PID would change another file)`
        : null;
  if (problem) {
    closeSync(fd);
    throw new LockFileRefusedError(`Refusing the lock file ${path}: ${problem} (remove it, or set ENFORCER_LOCK_FILE to a path this user owns)`);
  }
  return fd;
}

function ownerNote(path: string): string {
  try {
    return `; it belongs to ${userName(lstatSync(path).uid)}`;
  } catch {
    return '';
  }
}

/** "nobody (uid 65534)" from /etc/passwd, or "uid 65534". */
function userName(uid: number): string {
  try {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':')[2] === String(uid));
    if (line) return `${line.split(':')[0]} (uid ${uid})`;
  } catch {
    // no passwd file: the number alone
  }
  return `uid ${uid}`;
}

/**
 * The holder writes its PID right after taking the lock; a contender that lost the race by
 * microseconds may see an empty file or the PID of a previous, dead holder. Wait briefly for a
 * live PID, reading through the descriptor already checked (not the path, which could be swapped).
 */
function waitForHolderPid(fd: number, timeoutMs = 500): number | null {
  const deadline = Date.now() + timeoutMs;
  let pid = readPid(fd);
  while ((pid === null || !isRunning(pid)) && Date.now() < deadline) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    pid = readPid(fd);
  }
  return pid;
}

function readPid(fd: number): number | null {
  const buffer = Buffer.alloc(32);
  const pid = Number.parseInt(buffer.toString('utf8', 0, readSync(fd, buffer, 0, buffer.length, 0)), 10);
  return Number.isFinite(pid) && pid > 0 ? pid : null;
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
