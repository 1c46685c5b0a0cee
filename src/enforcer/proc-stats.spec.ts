import { type ChildProcess, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { countDescendants, cpuPercent, parseChildren, parseStatFigures, parseStatusFigures, parseUptime, processUptimeSeconds, RunnerProcessReader } from './proc-stats.js';

/** A real /proc/<pid>/stat line with `comm` in place of the command name. */
const statLine = (comm: string, over: { state?: string; utime?: number; stime?: number; threads?: number; start?: string } = {}) =>
  `4242 (${comm}) ${over.state ?? 'S'} 4100 4242 4242 0 -1 4194560 1093 0 0 0 ${over.utime ?? 150} ${over.stime ?? 25} 0 0 20 0 ` +
  `${over.threads ?? 7} 0 ${over.start ?? '987654'} 1124335616 10752 18446744073709551615 1 1 0 0 0 0 0 16781312 134235650 0 0 0 17 1 0 0 0 0 0\n`;

describe('parseStatFigures', () => {
  it.each([
    ['a plain name', 'node', { pid: 4242, state: 'S', ppid: 4100, pgrp: 4242, cpuTicks: 175, threads: 7, startTime: '987654' }],
    ['a name with spaces', 'bisk runner 1', { pid: 4242, state: 'S', ppid: 4100, pgrp: 4242, cpuTicks: 175, threads: 7, startTime: '987654' }],
    ['a name with parentheses', 'my (odd) cmd', { pid: 4242, state: 'S', ppid: 4100, pgrp: 4242, cpuTicks: 175, threads: 7, startTime: '987654' }],
    ['a name that looks like the next fields', 'x) R 1 1 1 (y', { pid: 4242, state: 'S', ppid: 4100, pgrp: 4242, cpuTicks: 175, threads: 7, startTime: '987654' }],
    ['a name with a newline', 'a\nb', { pid: 4242, state: 'S', ppid: 4100, pgrp: 4242, cpuTicks: 175, threads: 7, startTime: '987654' }],
    ['a lone closing parenthesis', ')', { pid: 4242, state: 'S', ppid: 4100, pgrp: 4242, cpuTicks: 175, threads: 7, startTime: '987654' }],
    ['an empty name', '', { pid: 4242, state: 'S', ppid: 4100, pgrp: 4242, cpuTicks: 175, threads: 7, startTime: '987654' }],
  ])('%s', (_name, comm, expected) => {
    expect(parseStatFigures(statLine(comm))).toEqual(expected);
  });

  it('reads utime + stime, threads, state and start time where they are', () => {
    expect(parseStatFigures(statLine('ffmpeg', { state: 'Z', utime: 12345, stime: 678, threads: 33, start: '18446744073709551' })))
      .toMatchObject({ state: 'Z', cpuTicks: 13023, threads: 33, startTime: '18446744073709551' });
  });

  it('reads a kernel thread as shown by /proc/2/stat', () => {
    const kthreadd = '2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 3 0 0 20 0 1 0 22 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 1 0 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0';
    expect(parseStatFigures(kthreadd)).toEqual({ pid: 2, state: 'S', ppid: 0, pgrp: 0, cpuTicks: 3, threads: 1, startTime: '22' });
  });

  it.each([
    ['empty text', ''],
    ['no command name', '4242 S 1 4242'],
    ['no closing parenthesis', '4242 (node S 1 4242 4242 0 -1 4194560 1 0 0 0 1 2 0 0 20 0 1 0 9 1 1'],
    ['too few fields', '4242 (node) S 1 4242 4242 0'],
    ['no pid', '(node) S 4100 4242 4242 0 -1 4194560 1093 0 0 0 150 25 0 0 20 0 7 0 987654 1 1'],
    ['a word where a number belongs', statLine('node').replace(' 150 ', ' lots ')],
  ])('null for %s', (_name, text) => {
    expect(parseStatFigures(text)).toBeNull();
  });
});

describe('parseStatusFigures', () => {
  const status = (lines: string[]) => `Name:\tnode\nUmask:\t0077\nState:\tS (sleeping)\n${lines.join('\n')}\nSigQ:\t0/95000\n`;
  it.each([
    ['a process', status(['VmPeak:\t 1104768 kB', 'VmRSS:\t   43684 kB', 'RssAnon:\t   20000 kB', 'Threads:\t7']), { rssBytes: 43_684 * 1024, threads: 7 }],
    ['a kernel thread (no memory lines)', status(['Threads:\t1']), { rssBytes: null, threads: 1 }],
    ['a name that mentions VmRSS', 'Name:\tVmRSS: 5 kB\nVmRSS:\t     12 kB\nThreads:\t2\n', { rssBytes: 12 * 1024, threads: 2 }],
    ['nothing known', 'Name:\tx\n', { rssBytes: null, threads: null }],
  ])('%s', (_name, text, expected) => {
    expect(parseStatusFigures(text)).toEqual(expected);
  });
});

describe('cpuPercent', () => {
  it.each([
    ['no earlier sample', undefined, { cpuTicks: 500, atMs: 2000 }, null],
    ['idle', { cpuTicks: 500, atMs: 1000 }, { cpuTicks: 500, atMs: 3000 }, 0],
    ['half a core over 2 s', { cpuTicks: 500, atMs: 1000 }, { cpuTicks: 600, atMs: 3000 }, 50],
    ['two cores busy', { cpuTicks: 0, atMs: 0 }, { cpuTicks: 200, atMs: 1000 }, 200],
    ['one decimal', { cpuTicks: 0, atMs: 0 }, { cpuTicks: 1, atMs: 3000 }, 0.3],
    ['no time passed', { cpuTicks: 0, atMs: 1000 }, { cpuTicks: 5, atMs: 1000 }, null],
    ['fewer ticks than before (another process)', { cpuTicks: 900, atMs: 0 }, { cpuTicks: 100, atMs: 1000 }, null],
  ])('%s', (_name, previous, current, expected) => {
    expect(cpuPercent(previous, current)).toBe(expected);
  });
});

describe('process age', () => {
  it.each([
    ['started 10 s after boot, up 70.5 s', '1000', 80.5, 70.5],
    ['started just now', '8050', 80.5, 0],
    ['start after the uptime read (clock skew): never negative', '9000', 80.5, 0],
  ])('%s', (_name, startTime, uptime, expected) => {
    expect(processUptimeSeconds(startTime, uptime)).toBe(expected);
  });

  it.each([
    ['12345.67 54321.00\n', 12345.67],
    ['', null],
    ['abc', null],
  ])('parseUptime(%j)', (text, expected) => {
    expect(parseUptime(text)).toBe(expected);
  });
});

describe('countDescendants', () => {
  const tree = (edges: Record<number, number[]>) => (pid: number) => edges[pid] ?? [];
  it.each([
    ['no children', { 1: [] }, 0],
    ['two children', { 1: [2, 3] }, 2],
    ['children and grandchildren', { 1: [2, 3], 2: [4], 4: [5, 6] }, 5],
    ['a PID listed twice (two threads forked it in the same read) counts once', { 1: [2, 2], 2: [3] }, 2],
    ['a loop in the lists (PIDs reused mid-walk) ends', { 1: [2], 2: [1, 3], 3: [2] }, 2],
  ])('%s', (_name, edges, expected) => {
    expect(countDescendants(1, tree(edges))).toBe(expected);
  });

  it('is null when the root\'s lists cannot be read', () => {
    expect(countDescendants(1, () => null)).toBeNull();
  });

  it('a child whose lists vanished counts, with none below it', () => {
    expect(countDescendants(1, (pid) => (pid === 1 ? [2, 3] : null))).toBe(2);
  });

  it('stops at the limit', () => {
    expect(countDescendants(1, (pid) => (pid < 100 ? [pid + 1] : []), 10)).toBe(10);
  });

  it.each([
    ['', []],
    ['123 456 ', [123, 456]],
    ['7\n', [7]],
  ])('parseChildren(%j)', (text, expected) => {
    expect(parseChildren(text)).toEqual(expected);
  });
});

describe('RunnerProcessReader on real processes', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  /** A group leader like a runner: `script` under sh, in a process group of its own. */
  const startGroup = (script: string) => {
    const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
    children.push(child);
    return child.pid!;
  };
  const until = async <T>(read: () => T, ok: (value: T) => boolean, timeoutMs = 5000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = read();
      if (ok(value)) return value;
      if (Date.now() > deadline) throw new Error(`condition not met in time; last value ${JSON.stringify(value)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('reads memory, threads, descendants (grandchildren included) and age of a process tree', async () => {
    // sh → (sh → sleep) and sleep: three descendants of the leader.
    const pid = startGroup('sh -c "sleep 30 & wait" & sleep 30 & wait');
    const reader = new RunnerProcessReader();
    const figures = await until(() => reader.read(pid, null), (f) => f?.childProcesses === 3);
    expect(figures).toMatchObject({ pid, threads: 1, cpuPercent: null, childProcesses: 3 });
    expect(figures!.rssBytes).toBeGreaterThan(100 * 1024);
    expect(figures!.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(figures!.uptimeSeconds).toBeLessThan(30);
  });

  it('gives CPU use over the interval since the previous read', async () => {
    const pid = startGroup('while :; do :; done');
    const reader = new RunnerProcessReader();
    const first = performance.now();
    expect(reader.read(pid, null, first)?.cpuPercent).toBeNull();
    // Too soon for a new sample: still nothing to compare.
    expect(reader.read(pid, null, first + 10)?.cpuPercent).toBeNull();
    const later = await until(() => performance.now(), (now) => now - first >= 1200);
    const busy = reader.read(pid, null, later)?.cpuPercent;
    // A busy loop: close to one core, less when this 2-core machine is shared.
    expect(busy).toBeGreaterThan(20);
    expect(busy).toBeLessThanOrEqual(110);
    // Read again within the minimum interval: the last full interval's figure stands.
    expect(reader.read(pid, null, later + 5)?.cpuPercent).toBe(busy);
  });

  it('is null for a PID now owned by another process, and for one that is gone', async () => {
    // `exec`: the leader becomes sleep itself (a shell may fork for its last command or not).
    const pid = startGroup('exec sleep 30');
    const reader = new RunnerProcessReader();
    const figures = await until(() => reader.read(pid, null), (f) => f !== null);
    expect(figures?.childProcesses).toBe(0);
    expect(reader.read(pid, '1')).toBeNull();
    process.kill(-pid, 'SIGKILL');
    await until(() => reader.read(pid, null), (f) => f === null);
  });
});
