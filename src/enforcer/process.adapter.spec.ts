import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ExitInfo, ProcessAdapter, SpawnError } from './process.adapter.js';
import { parseStat, readStat, RUNNER_MARKER } from './proc.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const adapter = new ProcessAdapter();
let dir: string;
const started: number[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bisk-proc-'));
});
afterEach(() => {
  for (const pid of started.splice(0)) adapter.signalGroup(pid, 'SIGKILL');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function until(check: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function start(script: string, over: { nice?: number | null; cpuAffinity?: string | null; marker?: string; logFile?: string } = {}) {
  const exits: ExitInfo[] = [];
  const logFile = over.logFile ?? join(dir, `${script}-${Date.now()}-${Math.random()}.log`);
  const proc = await adapter.spawn(
    {
      argv: [join(FIXTURES, script), '--camera', '1'],
      env: { PATH: process.env.PATH, [RUNNER_MARKER]: over.marker ?? 'test-node:77' },
      logFile,
      nice: over.nice ?? null,
      cpuAffinity: over.cpuAffinity ?? null,
    },
    (exit) => exits.push(exit),
  );
  started.push(proc.pid);
  return { ...proc, exits, logFile };
}

describe('parseStat', () => {
  it('reads fields after a command name with spaces and parentheses', () => {
    const line = '4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 100';
    expect(parseStat(line)).toEqual({ pid: 4242, state: 'S', pgrp: 4242, startTime: '987654' });
  });
});

describe('ProcessAdapter (real processes)', () => {
  it('starts a runner as its own process-group leader, logging to its file, marked for stray detection', async () => {
    const runner = await start('sleeper.sh');
    expect(readStat(runner.pid)).toMatchObject({ pgrp: runner.pid, startTime: runner.startTime });
    await until(() => existsSync(runner.logFile) && readFileSync(runner.logFile, 'utf8').includes('args: --camera 1'));
    expect(adapter.findMarked()).toContainEqual({ pid: runner.pid, startTime: runner.startTime, node: 'test-node', runnerId: 77 });
    expect(adapter.isAlive(runner.pid, runner.startTime)).toBe(true);
  });

  it('notices an exit at once, with its code, and keeps the last stderr lines', async () => {
    const runner = await start('exit-at-once.sh');
    await until(() => runner.exits.length === 1, 2000);
    expect(runner.exits[0]).toEqual({ code: 3, signal: null });
    expect(adapter.tail(runner.logFile, 1)).toBe('error: cannot open stream (fixture exits at once)');
  });

  it('stops a well-behaved runner with SIGTERM', async () => {
    const runner = await start('sleeper.sh');
    await until(() => readFileSync(runner.logFile, 'utf8').includes('args:')); // its TERM trap is set
    expect(await adapter.stop(runner.pid, runner.startTime, 3000)).toBe('terminated');
    await until(() => runner.exits.length === 1);
    expect(runner.exits[0].code).toBe(0);
  });

  it('kills a runner that ignores SIGTERM once the timeout passes', async () => {
    const runner = await start('ignore-term.sh');
    await until(() => readFileSync(runner.logFile, 'utf8').includes('ignoring TERM'));
    const began = Date.now();
    expect(await adapter.stop(runner.pid, runner.startTime, 400)).toBe('killed');
    expect(Date.now() - began).toBeGreaterThanOrEqual(390);
    expect(adapter.isAlive(runner.pid, runner.startTime)).toBe(false);
  });

  it('takes the whole process group down, children included', async () => {
    const runner = await start('forker.sh');
    await until(() => adapter.groupMembers(runner.pid).length >= 3);
    const members = adapter.groupMembers(runner.pid);
    expect(await adapter.stop(runner.pid, runner.startTime, 300)).toBe('killed');
    expect(adapter.groupMembers(runner.pid)).toEqual([]);
    for (const pid of members) expect(readStat(pid)?.state ?? 'gone').toMatch(/gone|Z/);
  });

  it('finds what is left of a group whose leader died, and stops it by its group id', async () => {
    const marker = `adapter-spec-${process.pid}`;
    const runner = await start('forker.sh', { marker: `${marker}:78` });
    await until(() => adapter.groupMembers(runner.pid).length >= 3);
    process.kill(runner.pid, 'SIGKILL');
    await until(() => runner.exits.length === 1);
    adapter.findMarked();
    const orphaned = adapter.findOrphanedGroups().filter((g) => g.node === marker);
    expect(orphaned).toEqual([{ pgid: runner.pid, node: marker, runnerId: 78, members: expect.any(Array) }]);
    expect(orphaned[0].members.length).toBeGreaterThanOrEqual(2); // two subshells (and their sleeps)
    expect(adapter.findMarked().filter((p) => p.node === marker)).toEqual([]);
    expect(await adapter.stop(runner.pid, runner.startTime, 300)).toBe('killed');
    expect(adapter.groupMembers(runner.pid)).toEqual([]);
    adapter.findMarked();
    expect(adapter.findOrphanedGroups().filter((g) => g.node === marker)).toEqual([]);
  });

  it('reads what a runner said in its current run only, not in earlier runs appended to the same log', async () => {
    const logFile = join(dir, 'appended.log');
    writeFileSync(logFile, 'old failure: auth failed in an earlier run\nold line 2\n');
    const runner = await start('exit-at-once.sh', { logFile });
    await until(() => runner.exits.length === 1, 2000);
    const said = adapter.tail(logFile, 5);
    expect(said).toBe('starting with --camera 1\nerror: cannot open stream (fixture exits at once)');
    expect(readFileSync(logFile, 'utf8')).toContain('old failure');
  });

  it('never signals a PID whose start time does not match (PID reuse)', async () => {
    const unrelated = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    await new Promise((r) => unrelated.once('spawn', r));
    const pid = unrelated.pid!;
    try {
      expect(await adapter.stop(pid, '1', 200)).toBe('gone');
      expect(adapter.isAlive(pid, null)).toBe(true);
      expect(adapter.isAlive(pid, '1')).toBe(false);
    } finally {
      process.kill(-pid, 'SIGKILL');
    }
  });

  it('applies nice and CPU affinity', async () => {
    const runner = await start('sleeper.sh', { nice: 7, cpuAffinity: '0' });
    await until(() => readFileSync(runner.logFile, 'utf8').includes('args:'));
    const fields = readFileSync(`/proc/${runner.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    expect(Number(fields[16])).toBe(7); // field 19: nice
    expect(readFileSync(`/proc/${runner.pid}/status`, 'utf8')).toMatch(/Cpus_allowed_list:\s+0\n/);
    expect(readStat(runner.pid)?.pgrp).toBe(runner.pid);
  });

  it.each([
    ['a command not on PATH', 'no-such-runner-xyz', /runner command not found: no-such-runner-xyz \(not on PATH\)/],
    ['a missing absolute path', '/nonexistent/runner', /runner command not found: \/nonexistent\/runner/],
  ])('refuses %s with a clear message', async (_label, command, message) => {
    await expect(
      adapter.spawn({ argv: [command], env: { PATH: process.env.PATH }, logFile: join(dir, 'x.log'), nice: null, cpuAffinity: null }, () => {}),
    ).rejects.toThrow(message);
  });

  it('refuses a file that is not executable', async () => {
    const file = join(dir, 'not-executable.sh');
    writeFileSync(file, '#!/bin/sh\n');
    await expect(
      adapter.spawn({ argv: [file], env: {}, logFile: join(dir, 'y.log'), nice: null, cpuAffinity: null }, () => {}),
    ).rejects.toBeInstanceOf(SpawnError);
  });

  it('caps a log file by copying it aside and truncating it in place', () => {
    const file = join(dir, 'big.log');
    writeFileSync(file, 'x'.repeat(5000));
    expect(adapter.capLog(file, 1000)).toBe(true);
    expect(statSync(file).size).toBe(0);
    expect(statSync(`${file}.1`).size).toBe(5000);
    expect(adapter.capLog(file, 1000)).toBe(false);
  });
});
