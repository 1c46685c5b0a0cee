import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessAdapter } from '../../src/enforcer/process.adapter.js';
import { isSameProcess, readStat } from '../../src/enforcer/proc.js';
import { type Harness, startApp } from '../support/app-harness.js';
import { embeddedEnforcerEnv, until } from '../support/wait.js';
import { freePort } from '../support/processes.js';

/**
 * The enforcer with real child processes: the HTTP app runs with the enforcer embedded
 * (1 s interval), runners are the small scripts in test/fixtures chosen per camera through
 * its stream URL (`fixture:<name>`), and heartbeats go over real HTTP.
 */
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

let h: Harness;
const listGroup = (pgid: number) => new ProcessAdapter().groupMembers(pgid);
let seq = 0;

const runnerRow = async (cameraId: number) =>
  (await h.dataSource.query(`SELECT * FROM runners WHERE camera_id = ${cameraId}`))[0] as
    | { id: number; pid: number | null; status: string; process_start_time: string | null; last_error: string; crash_count: number; restart_count: number }
    | undefined;
const events = async (cameraId: number) =>
  (await h.dataSource.query(`SELECT kind, message, pid FROM enforcer_events WHERE camera_id = ${cameraId} ORDER BY id`)) as { kind: string; message: string; pid: number | null }[];

/** A camera running `fixture` under an always-on policy; returns ids and a cleanup that unschedules it. */
async function scenario(fixture: string) {
  const n = ++seq;
  const camera = (await h.request('POST', '/api/cameras', { name: `cam-${n}-${fixture}`, rtspUrl: `fixture:${fixture}` })).body;
  const profile = (await h.request('POST', '/api/profiles', { name: `profile-${n}`, hbInterval: 1 })).body;
  const policy = (
    await h.request('POST', '/api/policies', {
      name: `policy-${n}`,
      cameraIds: [camera.id],
      windows: [0, 1, 2, 3, 4, 5, 6].map((d) => ({ dayOfWeek: d, startTime: '00:00', endTime: '00:00', profileId: profile.id })),
    })
  ).body;
  return {
    camera,
    profile,
    policy,
    /** Unschedules the camera and waits until its runner is gone. */
    async end() {
      await h.request('PATCH', `/api/policies/${policy.id}`, { isEnabled: false });
      await until('runner stopped', async () => {
        const row = await runnerRow(camera.id);
        return !row || row.pid === null;
      });
    },
  };
}

beforeAll(async () => {
  const port = await freePort();
  h = await startApp(
    'sqlite',
    embeddedEnforcerEnv(port, {
      RUNNER_COMMAND: join(FIXTURES, 'dispatch.sh'),
      RUNNER_STOP_TIMEOUT_SECONDS: '1',
      HEARTBEAT_ONLINE_SEC: '1',
      HEARTBEAT_STALE_SEC: '2',
      HEARTBEAT_OFFLINE_SEC: '3',
      NODE_NAME: 'test-node',
    }),
    { listen: true },
  );
});

afterAll(async () => {
  await h?.close();
});

describe('enforcer with real runner processes', () => {
  it('starts a wanted runner, records it, and stops it when the schedule no longer wants it', async () => {
    const s = await scenario('sleeper');
    const row = await until('runner running', async () => {
      const r = await runnerRow(s.camera.id);
      return r?.status === 'running' && r.pid ? r : undefined;
    });
    expect(isSameProcess(row.pid!, row.process_start_time)).toBe(true);
    expect(readStat(row.pid!)?.pgrp).toBe(row.pid);
    const pid = row.pid!;
    await s.end();
    expect(isSameProcess(pid, row.process_start_time)).toBe(false);
    const kinds = (await events(s.camera.id)).map((e) => e.kind);
    expect(kinds).toEqual(['start', 'stop']);
  });

  it('backs off a runner that exits at once: few starts, growing delays, the reason kept', async () => {
    const s = await scenario('exit-at-once');
    await new Promise((r) => setTimeout(r, 8000));
    const starts = (await events(s.camera.id)).filter((e) => e.kind === 'start').length;
    // Back-off 1, 2, 4 s: starts at about 0, 1, 3, 7 s → 4 in 8 s (a crash loop would be ~8 with 1 s ticks, far more without).
    expect(starts).toBeGreaterThanOrEqual(3);
    expect(starts).toBeLessThanOrEqual(5);
    const crashes = (await events(s.camera.id)).filter((e) => e.kind === 'crash');
    expect(crashes[0].message).toMatch(/exited with code 3 after [\d.]+ s: error: cannot open stream .*retry in 1 s/);
    expect(crashes.map((c) => c.message.match(/retry in (\d+) s/)?.[1])).toEqual(expect.arrayContaining(['1', '2', '4']));
    const row = await runnerRow(s.camera.id);
    expect(row?.last_error).toContain('error: cannot open stream');
    await s.end();
  });

  it('kills a runner that ignores SIGTERM after the stop timeout', async () => {
    const s = await scenario('ignore-term');
    const row = await until('runner running', async () => {
      const r = await runnerRow(s.camera.id);
      return r?.pid && existsSync(join(h.db.dir, 'log', `camera-${s.camera.id}-profile-${s.profile.id}.log`)) && readFileSync(join(h.db.dir, 'log', `camera-${s.camera.id}-profile-${s.profile.id}.log`), 'utf8').includes('ignoring TERM') ? r : undefined;
    });
    await s.end();
    expect(isSameProcess(row.pid!, row.process_start_time)).toBe(false);
    const stop = (await events(s.camera.id)).find((e) => e.kind === 'stop');
    expect(stop?.message).toMatch(/killed after ignoring SIGTERM for 1 s/);
  });

  it('takes down the whole process group of a runner that forks', async () => {
    const s = await scenario('forker');
    const row = await until('runner with children', async () => {
      const r = await runnerRow(s.camera.id);
      if (!r?.pid) return undefined;
      return listGroup(r.pid).length >= 3 ? r : undefined;
    });
    const members = listGroup(row.pid!);
    await s.end();
    await until('group empty', () => listGroup(row.pid!).length === 0, 5000);
    for (const pid of members) expect(readStat(pid) === null || readStat(pid)?.state === 'Z').toBe(true);
  });

  it('leaves no process behind when a forking runner is SIGKILLed from outside', async () => {
    const s = await scenario('forker');
    const row = await until('runner with children', async () => {
      const r = await runnerRow(s.camera.id);
      return r?.pid && listGroup(r.pid).length >= 3 ? r : undefined;
    });
    const members = listGroup(row.pid!);
    process.kill(row.pid!, 'SIGKILL'); // the leader only: its children ignore TERM and would be reparented to init
    await until('the old group empty', () => listGroup(row.pid!).length === 0, 10_000);
    for (const pid of members) expect(readStat(pid) === null || readStat(pid)?.state === 'Z').toBe(true);
    await s.end();
  });

  it('finds and kills marked processes whose runner ended while nobody watched (not group leaders)', async () => {
    // A runner of this node (no row: it was never recorded) whose leader died, leaving its children.
    // (The leader itself is unmarked, so the sweep cannot take the group down through its leader first.)
    const leader = spawn(join(FIXTURES, 'orphan-maker.sh'), ['test-node:999999'], { detached: true, stdio: 'ignore', env: { PATH: process.env.PATH } });
    await new Promise((r) => leader.once('spawn', r));
    const pgid = leader.pid!;
    await until('children forked', () => listGroup(pgid).length >= 3);
    process.kill(pgid, 'SIGKILL');
    await until('leader gone', () => readStat(pgid) === null || readStat(pgid)?.state === 'Z');
    await until('orphans killed by the stray sweep', () => listGroup(pgid).length === 0, 15_000);
    // The tick records its events once its actions are done: wait for the row, not just the kill.
    const sweep = await until('stray-kill event', async () => {
      const rows = (await h.dataSource.query(`SELECT message FROM enforcer_events WHERE kind = 'stray-kill' AND pid = ${pgid}`)) as { message: string }[];
      return rows.length > 0 ? rows : undefined;
    });
    expect(sweep[0]?.message).toMatch(new RegExp(`^\\d process\\(es\\) left in the group of runner 999999 after its leader \\(pid ${pgid}\\) ended: (terminated|killed)$`));
  });

  it('restarts a runner that stopped heartbeating, and leaves one that never heartbeated', async () => {
    const silent = await scenario('heartbeat-then-silent');
    const never = await scenario('sleeper');
    const first = await until('first heartbeat', async () => {
      const r = (await h.dataSource.query(`SELECT pid, last_heartbeat_at FROM runners WHERE camera_id = ${silent.camera.id}`))[0];
      return r?.last_heartbeat_at ? r : undefined;
    });
    const neverRow = await until('quiet runner running', async () => {
      const r = await runnerRow(never.camera.id);
      return r?.pid ? r : undefined;
    });
    const stall = await until('stall restart', async () => (await events(silent.camera.id)).find((e) => e.kind === 'stall'), 15_000);
    expect(stall.message).toMatch(/no heartbeat for [\d.]+ s \(limit 3 s\)/);
    const restarted = await until('new pid', async () => {
      const r = await runnerRow(silent.camera.id);
      return r?.pid && r.pid !== first.pid ? r : undefined;
    });
    expect(restarted.pid).not.toBe(first.pid);
    // The runner that never sent a heartbeat is still the same process, never "stalled".
    const neverNow = await runnerRow(never.camera.id);
    expect(neverNow?.pid).toBe(neverRow.pid);
    expect((await events(never.camera.id)).map((e) => e.kind)).toEqual(['start']);
    await silent.end();
    await never.end();
  });

  it('never signals a recorded PID that now belongs to an unrelated process', async () => {
    const s = await scenario('sleeper');
    const row = await until('runner running', async () => {
      const r = await runnerRow(s.camera.id);
      return r?.pid && r.status === 'running' ? r : undefined;
    });
    await s.end();
    // An unrelated process, and a row that claims it (as after PID reuse) with another start time.
    const unrelated = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    await new Promise((r) => unrelated.once('spawn', r));
    try {
      await h.dataSource.query(`UPDATE runners SET pid = ${unrelated.pid}, process_start_time = '1', status = 'running' WHERE id = ${row.id}`);
      await h.request('PATCH', `/api/policies/${s.policy.id}`, { isEnabled: true });
      const fresh = await until('a new runner started instead', async () => {
        const r = await runnerRow(s.camera.id);
        return r?.pid && r.pid !== unrelated.pid && r.status === 'running' ? r : undefined;
      });
      expect(fresh.pid).not.toBe(unrelated.pid);
      expect(isSameProcess(unrelated.pid!, null)).toBe(true);
      await s.end();
      expect(isSameProcess(unrelated.pid!, null)).toBe(true);
    } finally {
      process.kill(-unrelated.pid!, 'SIGKILL');
    }
  });

  it('restarts a runner killed from outside at once', async () => {
    const s = await scenario('sleeper');
    const row = await until('runner running', async () => {
      const r = await runnerRow(s.camera.id);
      return r?.pid && r.status === 'running' ? r : undefined;
    });
    const killedAt = Date.now();
    process.kill(row.pid!, 'SIGKILL');
    const next = await until('replacement', async () => {
      const r = await runnerRow(s.camera.id);
      return r?.pid && r.pid !== row.pid && r.status === 'running' ? r : undefined;
    });
    // Exit noticed at once, back-off of 1 s for a quick exit: well under the generous bound.
    expect(Date.now() - killedAt).toBeLessThan(5000);
    expect(next.pid).not.toBe(row.pid);
    const crash = (await events(s.camera.id)).find((e) => e.kind === 'crash');
    expect(crash?.message).toMatch(/was killed by SIGKILL/);
    await s.end();
  });

  it('reports a RUNNER_COMMAND fixture that does not exist without a crash loop of the enforcer', async () => {
    const s = await scenario('no-such-fixture');
    const row = await until('failure recorded', async () => {
      const r = await runnerRow(s.camera.id);
      return r?.last_error ? r : undefined;
    });
    expect(row.last_error).toMatch(/no-such-fixture\.sh: (not found|No such file)/);
    await new Promise((r) => setTimeout(r, 3000));
    const starts = (await events(s.camera.id)).filter((e) => e.kind === 'start' || e.kind === 'error').length;
    expect(starts).toBeLessThanOrEqual(4);
    expect((await h.request('GET', '/api/enforcer/status')).body.enforcer.lastError).toBeNull();
    await s.end();
  });

  it('exposes runners, events, the plan and the status over the API', async () => {
    const s = await scenario('sleeper');
    await until('runner running', async () => (await runnerRow(s.camera.id))?.pid);
    const runners = await h.request('GET', '/api/runners?limit=500');
    const mine = runners.body.items.find((r: { cameraId: number }) => r.cameraId === s.camera.id);
    expect(mine).toMatchObject({ status: 'running', node: 'test-node' });
    expect(mine.effectiveArgs).toEqual(expect.arrayContaining(['--camera', String(s.camera.id), '--rtsp', 'fixture:sleeper']));
    const plan = await h.request('GET', '/api/enforcer/plan');
    expect(plan.status).toBe(200);
    expect(plan.body.desired.some((d: { cameraId: number }) => d.cameraId === s.camera.id)).toBe(true);
    const later = await h.request('GET', `/api/enforcer/plan?at=${encodeURIComponent('2099-01-01T00:00:00Z')}`);
    expect(later.status).toBe(200);
    expect((await h.request('GET', '/api/enforcer/plan?at=tomorrow')).status).toBe(400);
    const ev = await h.request('GET', `/api/enforcer/events?cameraId=${s.camera.id}&kind=start`);
    expect(ev.body.items).toHaveLength(1);
    const status = await h.request('GET', '/api/enforcer/status');
    expect(status.body.enforcer).toMatchObject({ alive: true, runningPid: process.pid, node: 'test-node', intervalSeconds: 1 });
    const stop = await h.request('POST', '/api/runners/stop', { cameraId: s.camera.id });
    expect(stop.body).toEqual({ stopped: 1, skipped: 0 });
    await s.end();
  });

  it('restarts a runner whose settings changed (drift)', async () => {
    const s = await scenario('sleeper');
    const row = await until('runner running', async () => {
      const r = await runnerRow(s.camera.id);
      return r?.pid && r.status === 'running' ? r : undefined;
    });
    await h.request('PATCH', `/api/profiles/${s.profile.id}`, { fps: 9 });
    const next = await until('restart', async () => {
      const r = await runnerRow(s.camera.id);
      return r?.pid && r.pid !== row.pid && r.status === 'running' ? r : undefined;
    });
    expect(next.restart_count).toBe(1);
    const drift = (await events(s.camera.id)).find((e) => e.kind === 'drift');
    expect(drift?.message).toBe('settings changed since it started (spec drift)');
    const args = (await h.request('GET', '/api/runners?limit=500')).body.items.find((r: { cameraId: number }) => r.cameraId === s.camera.id).effectiveArgs;
    expect(args[args.indexOf('--fps') + 1]).toBe('9');
    await s.end();
  });

  it('stops a paused camera and starts it again when the pause ends, clearing it', async () => {
    const s = await scenario('sleeper');
    await until('runner running', async () => (await runnerRow(s.camera.id))?.pid);
    const until_ = new Date(Date.now() + 2500);
    await h.dataSource.query(`UPDATE cameras SET pause_until = '${until_.toISOString().replace('T', ' ').replace('Z', '')}' WHERE id = ${s.camera.id}`);
    await until('stopped while paused', async () => (await runnerRow(s.camera.id))?.pid === null);
    const resumed = await until('running again', async () => {
      const r = await runnerRow(s.camera.id);
      return r?.pid ? r : undefined;
    });
    expect(resumed.pid).toBeTruthy();
    const kinds = (await events(s.camera.id)).map((e) => e.kind);
    expect(kinds).toEqual(['start', 'stop', 'pause-expired', 'start']);
    expect((await h.request('GET', `/api/cameras/${s.camera.id}`)).body.pauseUntil).toBeNull();
    await s.end();
  });

  it('stops the runners of a camera before deleting it', async () => {
    const s = await scenario('sleeper');
    const row = await until('runner running', async () => {
      const r = await runnerRow(s.camera.id);
      return r?.pid ? r : undefined;
    });
    expect((await h.request('DELETE', `/api/cameras/${s.camera.id}`)).status).toBe(204);
    expect(isSameProcess(row.pid!, row.process_start_time)).toBe(false); // gone by the time the API answered
    expect((await events(s.camera.id)).map((e) => e.kind)).toEqual(['start', 'stop']);
    expect((await events(s.camera.id))[1].message).toMatch(/^camera deleted; stopped$/);
  });

  it('kills a marked runner process that no row accounts for (stray)', async () => {
    const s = await scenario('sleeper');
    const row = await until('runner running', async () => {
      const r = await runnerRow(s.camera.id);
      return r?.pid ? r : undefined;
    });
    await h.dataSource.query(`DELETE FROM runners WHERE id = ${row.id}`); // e.g. removed by hand
    await until('stray killed', () => !isSameProcess(row.pid!, row.process_start_time), 10_000);
    const stray = await until('stray event', async () => (await h.dataSource.query(`SELECT message FROM enforcer_events WHERE kind = 'stray-kill' AND pid = ${row.pid}`))[0]);
    expect(stray.message).toMatch(/no live row on this node/);
    await s.end();
  });

  it('answers "enforce now" with 202, then 429 within 10 s', async () => {
    const first = await h.request('POST', '/api/enforcer/enforce');
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ requested: true, enforcerPid: process.pid });
    const second = await h.request('POST', '/api/enforcer/enforce');
    expect(second.status).toBe(429);
    expect(second.body.message).toMatch(/try again in \d+ s/);
  });
});

describe('GET /api/system', () => {
  it('gives host stats, breadcrumbs, tallies, paused cameras and the runner table with specs', async () => {
    const { HostStatsCollector } = await import('../../src/system/host-stats.collector.js');
    await h.app.get(HostStatsCollector).ready();
    const running = await scenario('heartbeat-steady');
    const paused = await scenario('sleeper');
    await h.request('POST', `/api/cameras/${paused.camera.id}/pause`, { minutes: 30 });
    await until('heartbeating runner', async () => {
      const r = (await h.dataSource.query(`SELECT last_heartbeat_at FROM runners WHERE camera_id = ${running.camera.id}`))[0];
      return r?.last_heartbeat_at;
    });
    const res = await h.request('GET', '/api/system');
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body.host.cpu).toMatchObject({ percent: expect.any(Number), threads: expect.any(Number), load: expect.any(Array) });
    expect(body.host.memory.totalBytes).toBeGreaterThan(0);
    expect(body.host.disk.usedPercent).toEqual(expect.any(Number));
    expect(body.enforcer).toMatchObject({ alive: true, runningPid: process.pid, intervalSeconds: 1 });
    expect(body.tallies.online).toBeGreaterThanOrEqual(1);
    expect(body.pausedCameras.map((c: { id: number }) => c.id)).toContain(paused.camera.id);
    const row = body.runners.find((r: { cameraId: number }) => r.cameraId === running.camera.id);
    expect(row).toMatchObject({
      cameraName: running.camera.name, profileName: running.profile.name, status: 'running', heartbeat: 'online', wanted: true,
      cameraFps: 25, processedFps: 5, restartsLastHour: 0, specCurrent: true,
    });
    expect(row.spec).toMatchObject({ cameraId: running.camera.id, fps: 6, rtspUrl: 'fixture:heartbeat-steady' });
    await running.end();
    await h.request('POST', `/api/cameras/${paused.camera.id}/resume`);
    await paused.end();
  });
});

describe('GET /metrics', () => {
  it('exposes the app’s and the enforcer’s metrics with bisk_ names and bounded labels', async () => {
    const s = await scenario('heartbeat-steady');
    await until('heartbeats', async () => (await h.dataSource.query(`SELECT last_heartbeat_at FROM runners WHERE camera_id = ${s.camera.id}`))[0]?.last_heartbeat_at);
    await new Promise((r) => setTimeout(r, 1500)); // a tick after the start, so the enforcer's metrics are stored
    const res = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    expect(text).toMatch(/^bisk_heartbeats_received_total [1-9]\d*$/m);
    expect(text).toMatch(/^bisk_runners\{state="running"\} [1-9]\d*$/m);
    expect(text).toMatch(/^bisk_enforcer_up 1$/m);
    expect(text).toMatch(/^bisk_enforcer_last_ok_timestamp_seconds 1\d{9}(\.\d+)?$/m);
    expect(text).toMatch(/^bisk_enforcer_tick_duration_seconds_count [1-9]\d*$/m);
    expect(text).toMatch(/^bisk_runner_restarts_total\{reason="crash"\} \d+$/m);
    expect(text).toMatch(/^bisk_runner_starts_total [1-9]\d*$/m);
    expect(text).toMatch(/^bisk_process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^bisk_enforcer_process_resident_memory_bytes \d+/m);
    // Every metric name is ours; labels come from fixed sets only.
    const names = [...text.matchAll(/^([a-z_]+)(\{[^}]*\})? /gm)].map((m) => m[1]);
    expect(names.every((n) => n.startsWith('bisk_'))).toBe(true);
    const labels = new Set([...text.matchAll(/^[a-z_]+\{([a-z_]+)=/gm)].map((m) => m[1]));
    expect([...labels].every((l) => ['state', 'reason', 'le', 'version', 'major', 'minor', 'patch', 'kind', 'space', 'type'].includes(l))).toBe(true);
    await s.end();
  });
});
