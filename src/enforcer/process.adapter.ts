import { Injectable } from '@nestjs/common';
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, copyFileSync, existsSync, ftruncateSync, mkdirSync, openSync, readdirSync, readSync, statSync, writeSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { findMarkedProcesses, findOrphanedGroups, isSameProcess, type MarkedProcess, type OrphanedGroup, readStat } from './proc.js';

export interface SpawnRequest {
  argv: string[];
  env: NodeJS.ProcessEnv;
  logFile: string;
  cwd?: string;
  nice: number | null;
  cpuAffinity: string | null;
}

export interface SpawnedProcess {
  pid: number;
  startTime: string;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
}

/** A runner could not be started at all (command missing, not executable, ...): said plainly. */
export class SpawnError extends Error {
  override readonly name = 'SpawnError';
}

export type StopResult = 'gone' | 'terminated' | 'killed';

/** The line the enforcer writes into a runner's log before each start: what a runner said is read from the last one on. */
export const RUN_START_MARK = '--- bisk: runner started';

/**
 * Every OS call the enforcer makes on runner processes, behind one class (§4): spawn into
 * a new process group with nice/affinity and output to a log file, liveness with the PID-reuse
 * guard, group signals, exit notification, stray discovery, log capping. Tests of the
 * enforcer's decisions swap it for a fake; its own tests use real processes.
 */
@Injectable()
export class ProcessAdapter {
  /** Resolves a command like a shell would, so "not found" is reported before anything runs. */
  resolveCommand(command: string, path = process.env.PATH ?? ''): string {
    const candidates = command.includes('/') ? [resolve(command)] : path.split(delimiter).filter(Boolean).map((dir) => join(dir, command));
    for (const candidate of candidates) {
      try {
        accessSync(candidate, constants.X_OK);
        if (statSync(candidate).isFile()) return candidate;
      } catch {
        // try the next one
      }
    }
    if (command.includes('/') && existsSync(resolve(command))) throw new SpawnError(`runner command is not executable: ${command}`);
    throw new SpawnError(`runner command not found: ${command}${command.includes('/') ? '' : ' (not on PATH)'}`);
  }

  /**
   * Starts argv as the leader of a new process group (so ffmpeg and other grandchildren can
   * be signalled together), detached from the enforcer so it survives an enforcer restart
   * and can be adopted. stdout/stderr go straight to the log file (not through a pipe that
   * would break if the enforcer died).
   */
  async spawn(request: SpawnRequest, onExit: (exit: ExitInfo) => void): Promise<SpawnedProcess> {
    const [command, ...args] = request.argv;
    const executable = this.resolveCommand(command, request.env.PATH);
    const prefix: string[] = [];
    if (request.nice !== null && request.nice !== 0) prefix.push('nice', '-n', String(request.nice));
    if (request.cpuAffinity) prefix.push('taskset', '-c', request.cpuAffinity);
    const argv = [...prefix, executable, ...args];

    mkdirSync(dirname(request.logFile), { recursive: true });
    const log = openSync(request.logFile, 'a');
    try {
      writeSync(log, `${RUN_START_MARK} ${new Date().toISOString()} ---\n`);
      const child = spawn(argv[0], argv.slice(1), {
        cwd: request.cwd,
        env: request.env,
        detached: true,
        stdio: ['ignore', log, log],
      });
      await new Promise<void>((resolveSpawn, reject) => {
        child.once('spawn', resolveSpawn);
        child.once('error', (error) => reject(new SpawnError(`cannot start ${command}: ${error.message}`)));
      });
      child.once('exit', (code, signal) => onExit({ code, signal }));
      child.unref();
      const pid = child.pid!;
      const stat = readStat(pid);
      return { pid, startTime: stat?.startTime ?? '' };
    } finally {
      closeSync(log);
    }
  }

  isAlive(pid: number, startTime: string | null): boolean {
    return isSameProcess(pid, startTime);
  }

  /** Members of process group `pgid` still present (leader included), zombies excluded. */
  groupMembers(pgid: number): number[] {
    const members: number[] = [];
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const stat = readStat(Number(name));
      if (stat && stat.pgrp === pgid && stat.state !== 'Z') members.push(stat.pid);
    }
    return members;
  }

  /**
   * SIGTERM to the whole group, wait up to `timeoutMs` for it to empty, then SIGKILL what is
   * left. The leader's start time is checked first: a PID now owned by another process is
   * never signalled.
   */
  async stop(pid: number, startTime: string | null, timeoutMs: number): Promise<StopResult> {
    const stat = readStat(pid);
    // The PID now belongs to another process: never signal it or its group.
    if (stat !== null && startTime !== null && startTime !== '' && stat.startTime !== startTime) return 'gone';
    // The leader may be gone (or a zombie) while its group outlives it; the kernel does not hand
    // out a PID still in use as a group id, so signalling that group reaches only the runner's
    // children. Nothing left in the group: nothing to do.
    if (this.groupMembers(pid).length === 0) return 'gone';
    this.signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.groupMembers(pid).length === 0) return 'terminated';
      await sleep(25);
    }
    this.signalGroup(pid, 'SIGKILL');
    const killDeadline = Date.now() + 2000;
    while (Date.now() < killDeadline && this.groupMembers(pid).length > 0) await sleep(10);
    return 'killed';
  }

  signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
    try {
      process.kill(-pgid, signal);
      return true;
    } catch {
      return false;
    }
  }

  /** Calls `onExit` once the process is gone; for adopted runners, which are not our children. */
  watch(pid: number, startTime: string | null, onExit: () => void, everyMs = 500): () => void {
    const timer = setInterval(() => {
      if (!this.isAlive(pid, startTime)) {
        clearInterval(timer);
        onExit();
      }
    }, everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  findMarked(): MarkedProcess[] {
    return findMarkedProcesses();
  }

  /** Groups of marked processes whose leader is gone, as of the last findMarked scan. */
  findOrphanedGroups(): OrphanedGroup[] {
    return findOrphanedGroups();
  }

  /** The last `lines` non-empty lines a runner wrote to its log in its current (or last) run: what it said before it exited. */
  tail(file: string, lines = 5, maxBytes = 16 * 1024): string {
    let fd: number | undefined;
    try {
      fd = openSync(file, 'r');
      const size = statSync(file).size;
      const length = Math.min(size, maxBytes);
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, size - length);
      const all = buffer.toString('utf8').split(/\r?\n/).map((l) => l.trimEnd()).filter(Boolean);
      const runStart = all.findLastIndex((l) => l.startsWith(RUN_START_MARK));
      return all.slice(runStart + 1).slice(-lines).join('\n');
    } catch {
      return '';
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /**
   * Keeps a runner log under `maxBytes`: copies it to `<file>.1` and truncates it in place.
   * The runner keeps writing (O_APPEND) to the same file, so nothing has to reopen it.
   */
  capLog(file: string, maxBytes: number): boolean {
    try {
      if (statSync(file).size <= maxBytes) return false;
      copyFileSync(file, `${file}.1`);
      const fd = openSync(file, 'r+');
      try {
        ftruncateSync(fd, 0);
      } finally {
        closeSync(fd);
      }
      return true;
    } catch {
      return false;
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
