import { chmodSync, lstatSync } from 'node:fs';
import { stateFileFor } from '../state/state-store.js';
import type { AppConfig } from './app-config.js';

/**
 * Files private by default: the database and its WAL (stream passwords in plain text), the
 * state file, runner logs, snapshots and the lock are created by this process or by the
 * runners it starts, which inherit its umask. Both entry points call this first, so nothing
 * is created under the shell's or systemd's umask: BISK_UMASK (default 0077: files 0600,
 * directories 0700; the units set 0027 for a group of operators: 0640 / 0750).
 *
 * Files an older version left world-readable (the database, its -wal/-shm, the state file) are
 * tightened to the same mask, when this user owns them.
 */
export function applyFileModes(config: AppConfig): void {
  process.umask(config.umask);
  const files = [stateFileFor(config)];
  if (config.database.engine === 'sqlite' && config.database.path !== ':memory:') files.push(config.database.path);
  for (const file of files) {
    for (const path of [file, `${file}-wal`, `${file}-shm`]) tighten(path, config.umask);
  }
}

function tighten(path: string, umask: number): void {
  try {
    const stat = lstatSync(path);
    if (!stat.isFile() || stat.uid !== process.geteuid?.()) return;
    const mode = stat.mode & 0o7777;
    if ((mode & umask) !== 0) chmodSync(path, mode & ~umask);
  } catch {
    // missing (created later under the umask) or not ours to change
  }
}
