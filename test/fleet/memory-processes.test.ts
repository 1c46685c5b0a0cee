import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MemoryHosts, MemoryProcessAdapter } from '../../bench/fleet/memory-processes.js';
import { type ExitInfo, ProcessAdapter, SpawnError, type SpawnRequest } from '../../src/enforcer/process.adapter.js';
import { RUNNER_MARKER } from '../../src/enforcer/proc.js';
import { until } from '../support/wait.js';

/**
 * The fleet simulator's process adapter keeps ProcessAdapter's contract: the same cases run
 * against the real adapter (real child processes, /proc) and the in-memory one; then what only
 * the simulated hosts do (a host losing power, the fleet-wide snapshot).
 */
const IDLE = fileURLToPath(new URL('../fixtures/idle.sh', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bisk-memory-processes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NODE = `memtest-${process.pid}`;

function request(runnerId: number, cameraId = 7, profileId = 2): SpawnRequest {
  return {
    argv: [IDLE, '--camera', String(cameraId), '--profile', String(profileId)],
    env: { PATH: process.env.PATH, BISK_RUNNER_ID: String(runnerId), BISK_NODE: NODE, [RUNNER_MARKER]: `${NODE}:${runnerId}` },
    logFile: join(dir, `runner-${runnerId}.log`),
    nice: null,
    cpuAffinity: null,
  };
}

interface Subject {
  adapter: Pick<ProcessAdapter, keyof ProcessAdapter>;
  /** A SIGKILL from outside the enforcer. */
  killFromOutside(pid: number): void;
}

const realPids = new Set<number>();
const hosts = new MemoryHosts();
const subjects: [string, () => Subject][] = [
  ['the real adapter', () => ({ adapter: new ProcessAdapter(), killFromOutside: (pid) => process.kill(pid, 'SIGKILL') })],
  ['the in-memory adapter', () => ({ adapter: new MemoryProcessAdapter(hosts, NODE), killFromOutside: (pid) => void hosts.killProcess(pid) })],
];

afterEach(() => {
  for (const pid of realPids) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  realPids.clear();
});

describe.each(subjects)('ProcessAdapter contract: %s', (_name, make) => {
  async function start(runnerId: number) {
    const { adapter, killFromOutside } = make();
    const exits: ExitInfo[] = [];
    const proc = await adapter.spawn(request(runnerId), (exit) => exits.push(exit));
    if (adapter instanceof ProcessAdapter) realPids.add(proc.pid);
    return { adapter, killFromOutside, proc, exits };
  }

  it('a spawned runner is alive, found by its marker, alone in its group; another start time is not it', async () => {
    const { adapter, proc } = await start(41);
    expect(proc.pid).toBeGreaterThan(0);
    expect(proc.startTime).not.toBe('');
    expect(adapter.isAlive(proc.pid, proc.startTime)).toBe(true);
    expect(adapter.isAlive(proc.pid, null)).toBe(true);
    expect(adapter.isAlive(proc.pid, `${proc.startTime}9`)).toBe(false);
    await until('marker visible', () => adapter.findMarked().some((m) => m.pid === proc.pid), 2000);
    expect(adapter.findMarked().find((m) => m.pid === proc.pid)).toEqual({ pid: proc.pid, startTime: proc.startTime, node: NODE, runnerId: 41 });
    expect(adapter.groupMembers(proc.pid)).toEqual([proc.pid]);
  });

  it('stop ends it with SIGTERM, its exit reported before stop returns; a second stop finds it gone', async () => {
    const { adapter, proc, exits } = await start(42);
    await expect(adapter.stop(proc.pid, proc.startTime, 2000)).resolves.toBe('terminated');
    await until('exit reported', () => exits.length > 0, 2000);
    expect(exits).toEqual([{ code: null, signal: 'SIGTERM' }]);
    expect(adapter.isAlive(proc.pid, proc.startTime)).toBe(false);
    expect(adapter.groupMembers(proc.pid)).toEqual([]);
    await expect(adapter.stop(proc.pid, proc.startTime, 2000)).resolves.toBe('gone');
    expect(adapter.findMarked().some((m) => m.pid === proc.pid)).toBe(false);
  });

  it('stop with another start time (a reused PID) signals nothing: gone, still running', async () => {
    const { adapter, proc, exits } = await start(43);
    await expect(adapter.stop(proc.pid, `${proc.startTime}9`, 500)).resolves.toBe('gone');
    expect(adapter.isAlive(proc.pid, proc.startTime)).toBe(true);
    expect(exits).toEqual([]);
  });

  it('a SIGKILL from outside is reported to the spawner; watch calls back once it is gone', async () => {
    const { adapter, killFromOutside, proc, exits } = await start(44);
    let watched = 0;
    adapter.watch(proc.pid, proc.startTime, () => watched++, 20);
    killFromOutside(proc.pid);
    await until('exit reported', () => exits.length > 0 && watched > 0, 3000);
    expect(exits).toEqual([{ code: null, signal: 'SIGKILL' }]);
    expect(watched).toBe(1);
  });

  it('a watch ended before the process exits never calls back', async () => {
    const { adapter, proc } = await start(45);
    let watched = 0;
    const unwatch = adapter.watch(proc.pid, proc.startTime, () => watched++, 20);
    unwatch();
    await adapter.stop(proc.pid, proc.startTime, 2000);
    await new Promise((r) => setTimeout(r, 100));
    expect(watched).toBe(0);
  });

  it('signalGroup: false for a group that does not exist; SIGTERM ends the runner', async () => {
    const { adapter, proc, exits } = await start(46);
    expect(adapter.signalGroup(proc.pid, 'SIGTERM')).toBe(true);
    await until('exit reported', () => exits.length > 0, 2000);
    expect(exits[0].signal).toBe('SIGTERM');
    await until('group empty', () => adapter.groupMembers(proc.pid).length === 0, 2000);
    expect(adapter.signalGroup(proc.pid, 'SIGTERM')).toBe(false);
  });
});

describe('simulated hosts', () => {
  it('reads camera and profile from argv and node and runner from the marker; PIDs never repeat across hosts', async () => {
    const fleet = new MemoryHosts();
    const a = new MemoryProcessAdapter(fleet, 'host-a');
    const b = new MemoryProcessAdapter(fleet, 'host-b');
    const pa = await a.spawn({ ...request(1, 10, 3), env: { [RUNNER_MARKER]: 'host-a:1' } }, () => {});
    const pb = await b.spawn({ ...request(2, 11, 3), env: { [RUNNER_MARKER]: 'host-b:2' } }, () => {});
    expect(pa.pid).not.toBe(pb.pid);
    expect(fleet.snapshot()).toEqual([
      { node: 'host-a', runnerId: 1, pid: pa.pid, cameraId: 10, profileId: 3 },
      { node: 'host-b', runnerId: 2, pid: pb.pid, cameraId: 11, profileId: 3 },
    ]);
    // A host sees only its own processes.
    expect(a.isAlive(pb.pid, null)).toBe(false);
    expect(a.findMarked().map((m) => m.pid)).toEqual([pa.pid]);
    await expect(a.stop(pb.pid, pb.startTime, 100)).resolves.toBe('gone');
    expect(b.isAlive(pb.pid, pb.startTime)).toBe(true);
  });

  it('a host losing power loses every process silently; its adapter goes inert, a new one starts afresh', async () => {
    const fleet = new MemoryHosts();
    const before = new MemoryProcessAdapter(fleet, 'host-a');
    const exits: ExitInfo[] = [];
    const p = await before.spawn(request(1), (exit) => exits.push(exit));
    let watched = 0;
    before.watch(p.pid, p.startTime, () => watched++, 10);
    expect(fleet.crashHost('host-a')).toBe(1);
    await new Promise((r) => setTimeout(r, 60));
    expect(exits).toEqual([]);
    expect(watched).toBe(0);
    expect(before.watching).toBe(0);
    expect(fleet.snapshot()).toEqual([]);
    expect(before.findMarked()).toEqual([]);
    await expect(before.spawn(request(2), () => {})).rejects.toBeInstanceOf(SpawnError);
    const after = new MemoryProcessAdapter(fleet, 'host-a');
    const q = await after.spawn(request(3), () => {});
    expect(after.isAlive(q.pid, q.startTime)).toBe(true);
    expect(before.isAlive(q.pid, q.startTime)).toBe(false);
  });

  it('an exit reported after its host crashed is dropped (the enforcer that would hear it is gone)', async () => {
    const fleet = new MemoryHosts();
    const adapter = new MemoryProcessAdapter(fleet, 'host-a');
    const exits: ExitInfo[] = [];
    const p = await adapter.spawn(request(1), (exit) => exits.push(exit));
    fleet.killProcess(p.pid);
    fleet.crashHost('host-a');
    await new Promise((r) => setImmediate(r));
    expect(exits).toEqual([]);
  });

  it.each([
    ['resolveCommand', (a: MemoryProcessAdapter) => a.resolveCommand('/bin/true'), '/bin/true'],
    ['tail', (a: MemoryProcessAdapter) => a.tail('/nowhere.log', 3), ''],
    ['capLog', (a: MemoryProcessAdapter) => a.capLog('/nowhere.log', 10), false],
    ['findOrphanedGroups', (a: MemoryProcessAdapter) => a.findOrphanedGroups(), []],
  ])('%s answers without touching the machine', (_name, call, expected) => {
    expect(call(new MemoryProcessAdapter(new MemoryHosts(), 'host-a'))).toEqual(expected);
  });
});
