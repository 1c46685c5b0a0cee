import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';

/**
 * What a runner process costs right now, read from Linux /proc: resident memory, CPU, threads,
 * its descendants and its age. Parsing is pure (table-tested on real-shaped
 * text); RunnerProcessReader does the reads and keeps the previous CPU sample per process.
 */

/** USER_HZ: the unit of utime, stime and starttime; 100 on every Linux architecture Node runs on. */
export const CLOCK_TICKS = 100;

export interface StatFigures {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
  /** utime + stime (fields 14 and 15), clock ticks spent by the process's own threads. */
  cpuTicks: number;
  /** Field 20. */
  threads: number;
  /** Field 22: start time in clock ticks since boot, as text (the PID-reuse guard compares it as recorded). */
  startTime: string;
}

/**
 * Parses /proc/<pid>/stat. The command name (field 2) may hold spaces, parentheses and even a
 * newline, so the fields are read after the LAST ')'. Null for text that is not a stat line.
 */
export function parseStatFigures(text: string): StatFigures | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  // fields[0] is field 3 (state); field N is fields[N - 3].
  const fields = text.slice(close + 1).trim().split(/\s+/);
  if (!Number.isSafeInteger(pid) || pid <= 0 || fields.length < 20) return null;
  const number = (n: number) => Number(fields[n - 3]);
  const figures = {
    pid, state: fields[0], ppid: number(4), pgrp: number(5), cpuTicks: number(14) + number(15), threads: number(20), startTime: fields[19],
  };
  if (![figures.ppid, figures.pgrp, figures.cpuTicks, figures.threads].every(Number.isSafeInteger) || !/^\d+$/.test(figures.startTime)) return null;
  return figures;
}

export interface StatusFigures {
  /** VmRSS in bytes; null for a process without a memory map (a zombie, a kernel thread). */
  rssBytes: number | null;
  threads: number | null;
}

/** Reads VmRSS (kB) and Threads from /proc/<pid>/status ("Key:\tvalue" lines). */
export function parseStatusFigures(text: string): StatusFigures {
  const rss = /^VmRSS:\s*(\d+)\s*kB\s*$/m.exec(text);
  const threads = /^Threads:\s*(\d+)\s*$/m.exec(text);
  return { rssBytes: rss ? Number(rss[1]) * 1024 : null, threads: threads ? Number(threads[1]) : null };
}

export interface CpuSample {
  cpuTicks: number;
  /** Monotonic milliseconds when the sample was read. */
  atMs: number;
}

/**
 * CPU use between two samples of the same process, in percent of one core (a process busy on
 * two cores shows 200), one decimal. Null without a usable earlier sample.
 */
export function cpuPercent(previous: CpuSample | undefined, current: CpuSample, hz = CLOCK_TICKS): number | null {
  if (!previous) return null;
  const elapsedMs = current.atMs - previous.atMs;
  const ticks = current.cpuTicks - previous.cpuTicks;
  if (elapsedMs <= 0 || ticks < 0) return null;
  return Math.round(((ticks / hz) * 1000 * 1000) / elapsedMs) / 10;
}

/** Seconds since the process started: the system's uptime minus its start time (both since boot), one decimal. */
export function processUptimeSeconds(startTime: string, systemUptimeSeconds: number, hz = CLOCK_TICKS): number {
  return Math.max(0, Math.round((systemUptimeSeconds - Number(startTime) / hz) * 10) / 10);
}

/** Seconds since boot from /proc/uptime ("12345.67 54321.00"); null when unreadable. */
export function parseUptime(text: string): number | null {
  const value = Number.parseFloat(text);
  return Number.isFinite(value) && value >= 0 ? value : null;
}

/**
 * Descendants of `root` (children, their children, …), `root` itself not counted, walking
 * `childrenOf` (the kernel's per-thread children lists). Null when the root's list cannot be read
 * (a kernel without CONFIG_PROC_CHILDREN, or the process gone); stops counting at `limit`.
 */
export function countDescendants(root: number, childrenOf: (pid: number) => number[] | null, limit = 10_000): number | null {
  const first = childrenOf(root);
  if (first === null) return null;
  const seen = new Set<number>([root]);
  const queue = [...first];
  while (queue.length > 0 && seen.size <= limit) {
    const pid = queue.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    queue.push(...(childrenOf(pid) ?? []));
  }
  return Math.min(seen.size - 1, limit);
}

/** "123 456 " (a /proc/<pid>/task/<tid>/children file) → [123, 456]. */
export function parseChildren(text: string): number[] {
  return text.split(/\s+/).filter((word) => /^\d+$/.test(word)).map(Number);
}

export interface RunnerProcess {
  pid: number;
  rssBytes: number | null;
  /** Percent of one core since the previous read of this process (at least MIN_SAMPLE_MS before); null on the first read. */
  cpuPercent: number | null;
  threads: number;
  /** Live descendants (ffmpeg, a wrapper's children and theirs), the runner itself not counted; null where the kernel keeps no children lists. */
  childProcesses: number | null;
  uptimeSeconds: number;
}

/** A CPU sample is replaced only after this long: tick counts are 10 ms coarse, so a shorter interval says little. */
export const MIN_SAMPLE_MS = 1000;
/** Samples of processes not read for this long are forgotten (the PID is gone or no one is looking). */
const FORGET_AFTER_MS = 10 * 60_000;

interface Kept {
  startTime: string;
  sample: CpuSample;
  percent: number | null;
  lastReadMs: number;
}

const readText = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/** Children of every thread of `pid` that are not zombies; null when its lists cannot be read. */
function liveChildren(pid: number): number[] | null {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  const children: number[] = [];
  for (const tid of tids) {
    const text = readText(`/proc/${pid}/task/${tid}/children`);
    if (text === null) return null;
    for (const child of parseChildren(text)) {
      const state = parseStatFigures(readText(`/proc/${child}/stat`) ?? '')?.state;
      if (state !== undefined && state !== 'Z' && state !== 'X') children.push(child);
    }
  }
  return children;
}

/**
 * Reads the figures of one runner process on this host: two small files, the system uptime and
 * the children lists of the process and its descendants — no pass over all of /proc. The
 * previous CPU sample of each process is kept in memory, so the first read of a process has no
 * CPU figure and later reads give its use since the sample before.
 */
@Injectable()
export class RunnerProcessReader {
  private readonly kept = new Map<number, Kept>();

  /** Null for a PID that is gone, a zombie, or now another process than the one started at `startTime` (null: not checked). */
  read(pid: number, startTime: string | null, atMs = performance.now()): RunnerProcess | null {
    for (const [keptPid, kept] of this.kept) if (atMs - kept.lastReadMs > FORGET_AFTER_MS) this.kept.delete(keptPid);
    const stat = parseStatFigures(readText(`/proc/${pid}/stat`) ?? '');
    if (stat === null || stat.state === 'Z' || stat.state === 'X' || (startTime && stat.startTime !== startTime)) return null;
    const status = readText(`/proc/${pid}/status`);
    if (status === null) return null;
    const { rssBytes, threads } = parseStatusFigures(status);
    const uptime = parseUptime(readText('/proc/uptime') ?? '');
    return {
      pid,
      rssBytes,
      cpuPercent: this.cpu(stat, atMs),
      threads: threads ?? stat.threads,
      childProcesses: countDescendants(pid, liveChildren),
      uptimeSeconds: uptime === null ? 0 : processUptimeSeconds(stat.startTime, uptime),
    };
  }

  private cpu(stat: StatFigures, atMs: number): number | null {
    const current = { cpuTicks: stat.cpuTicks, atMs };
    const kept = this.kept.get(stat.pid);
    if (!kept || kept.startTime !== stat.startTime) {
      this.kept.set(stat.pid, { startTime: stat.startTime, sample: current, percent: null, lastReadMs: atMs });
      return null;
    }
    kept.lastReadMs = atMs;
    // Read again too soon: the figure of the last full interval stands.
    if (atMs - kept.sample.atMs < MIN_SAMPLE_MS) return kept.percent;
    kept.percent = cpuPercent(kept.sample, current);
    kept.sample = current;
    return kept.percent;
  }
}
