import 'reflect-metadata';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliModule } from '../../src/cli.module.js';
import { loadConfig } from '../../src/config/app-config.js';
import { sqliteInstant } from '../../src/database/sql.js';
import { Breadcrumbs } from '../../src/enforcer/breadcrumbs.js';
import { EnforcerScheduler } from '../../src/enforcer/enforcer.scheduler.js';
import { isSameProcess, readMarker, readStat } from '../../src/enforcer/proc.js';
import { type Harness, startApp } from '../support/app-harness.js';
import { freePort } from '../support/processes.js';
import { embeddedEnforcerEnv, until } from '../support/wait.js';

/**
 * A runner stopped or restarted through the API while the enforcer ticks must never run twice,
 * nor lose its row to the stop's last write. Every 20 ms the test lists the pair's live runner
 * processes by the marker they carry (as stray detection finds them): never more than one.
 */
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

type RunnerRow = { id: number; pid: number | null; status: string; process_start_time: string | null; crash_count: number };

/** Live (not zombie) group leaders carrying `node`'s marker for runner `runnerId`. */
function liveRunnerProcesses(node: string, runnerId: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const stat = readStat(pid);
    if (!stat || stat.state === 'Z' || stat.pgrp !== pid) continue;
    const marker = readMarker(pid);
    if (marker?.node === node && marker.runnerId === runnerId) pids.push(pid);
  }
  return pids;
}

/** Samples the pair's processes until stopped; keeps every moment more than one was alive. */
function watchProcesses(node: string, runnerId: number) {
  const doubles: number[][] = [];
  const timer = setInterval(() => {
    const pids = liveRunnerProcesses(node, runnerId);
    if (pids.length > 1) doubles.push(pids);
  }, 20);
  return {
    stop: () => clearInterval(timer),
    expectNone: () => expect([...new Set(doubles.map((pids) => pids.join(' + ')))], `${doubles.length} samples with more than one live runner process`).toEqual([]),
  };
}

/** Resolves once the enforcer of `crumbs` has finished `n` more ticks. */
async function ticks(crumbs: Breadcrumbs, n: number): Promise<void> {
  let last = (await crumbs.read()).lastOk;
  for (let seen = 0; seen < n; seen++) {
    last = await until('an enforcer tick', async () => {
      const now = (await crumbs.read()).lastOk;
      return now !== last ? now : undefined;
    }, 10_000);
  }
}

/** An always-wanted camera running `fixture` (logged `ready` once its traps are set). */
async function alwaysOn(h: Harness, fixture: string, ready: string) {
  const name = `${fixture}-${Math.random().toString(36).slice(2, 8)}`;
  const camera = (await h.request('POST', '/api/cameras', { name, rtspUrl: `fixture:${fixture}` })).body;
  const profile = (await h.request('POST', '/api/profiles', { name })).body;
  const policy = await h.request('POST', '/api/policies', {
    name, cameraIds: [camera.id], windows: [0, 1, 2, 3, 4, 5, 6].map((d) => ({ dayOfWeek: d, startTime: '00:00', endTime: '00:00', profileId: profile.id })),
  });
  expect(policy.status, policy.raw).toBe(201);
  const row = async () => (await h.dataSource.query(`SELECT id, pid, status, process_start_time, crash_count FROM runners WHERE camera_id = ${camera.id}`))[0] as RunnerRow | undefined;
  const log = join(h.db.dir, 'log', `camera-${camera.id}-profile-${profile.id}.log`);
  const running = await until(`the runner running (${ready})`, async () => {
    const r = await row();
    if (r?.status !== 'running' || !r.pid) return undefined;
    try {
      return readFileSync(log, 'utf8').split(/--- bisk: runner started/).pop()!.includes(ready) ? r : undefined;
    } catch {
      return undefined;
    }
  });
  const events = async () => (await h.dataSource.query(`SELECT kind, pid, message FROM enforcer_events WHERE camera_id = ${camera.id} ORDER BY id`)) as { kind: string; pid: number | null; message: string }[];
  return { cameraId: camera.id as number, old: running, row, events };
}

/** A new live process for the same row, running, the only one of the pair. */
async function freshRunner(node: string, s: Awaited<ReturnType<typeof alwaysOn>>, oldPid: number): Promise<RunnerRow> {
  const fresh = await until('a new process recorded for the runner', async () => {
    const r = await s.row();
    return r?.status === 'running' && r.pid && r.pid !== oldPid ? r : undefined;
  }, 5000);
  expect(fresh.id).toBe(s.old.id);
  expect(isSameProcess(fresh.pid!, fresh.process_start_time)).toBe(true);
  return fresh;
}

/** After ticks have passed: the row still records the live new process, the pair's only one, and nothing was killed as a stray. */
async function expectSettled(h: Harness, node: string, s: Awaited<ReturnType<typeof alwaysOn>>, fresh: RunnerRow) {
  const last = (await s.row())!;
  expect(last).toMatchObject({ id: s.old.id, status: 'running', pid: fresh.pid, crash_count: 0 });
  expect(isSameProcess(last.pid!, last.process_start_time)).toBe(true);
  expect(liveRunnerProcesses(node, s.old.id)).toEqual([last.pid]);
  expect(await h.dataSource.query(`SELECT message FROM enforcer_events WHERE node = '${node}' AND kind = 'stray-kill'`)).toEqual([]);
}

describe('an embedded enforcer ticking while the API stops a runner that ignores SIGTERM (the stop takes the whole 2 s timeout)', () => {
  const node = `stop-race-embedded-${process.pid}`;
  let h: Harness;
  let crumbs: Breadcrumbs;

  beforeAll(async () => {
    const port = await freePort();
    h = await startApp('sqlite', embeddedEnforcerEnv(port, {
      RUNNER_COMMAND: join(FIXTURES, 'dispatch.sh'), RUNNER_STOP_TIMEOUT_SECONDS: '2', NODE_NAME: node,
    }), { listen: true });
    crumbs = h.app.get(Breadcrumbs);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('POST /api/runners/:id/restart: one process at every moment, then the new one on the same row', async () => {
    const s = await alwaysOn(h, 'ignore-term', 'ignoring TERM');
    const watch = watchProcesses(node, s.old.id);
    try {
      const res = await h.request('POST', `/api/runners/${s.old.id}/restart`);
      expect(res.status, res.raw).toBe(202);
      expect(res.body).toMatchObject({ oldPid: s.old.pid, stopped: true });
      expect(isSameProcess(s.old.pid!, s.old.process_start_time)).toBe(false);
      const fresh = await freshRunner(node, s, s.old.pid!);
      // A late write of the stop, or a start beside it, would show within the next ticks.
      await ticks(crumbs, 3);
      watch.expectNone();
      await expectSettled(h, node, s, fresh);
      const events = await s.events();
      expect(events.map((e) => e.kind)).toEqual(['start', 'stop', 'start']);
      expect(events[1]).toMatchObject({ pid: s.old.pid, message: 'restart requested through the API; killed after ignoring SIGTERM for 2 s' });
      expect(events[2].pid).toBe(fresh.pid);
    } finally {
      watch.stop();
    }
  });

  it('POST /api/runners/stop: one process at every moment, then the enforcer starts it again once', async () => {
    const s = await alwaysOn(h, 'ignore-term', 'ignoring TERM');
    const watch = watchProcesses(node, s.old.id);
    try {
      const res = await h.request('POST', '/api/runners/stop', { cameraId: s.cameraId });
      expect(res.status, res.raw).toBe(200);
      expect(res.body).toEqual({ stopped: 1, skipped: 0 });
      const fresh = await freshRunner(node, s, s.old.pid!);
      await ticks(crumbs, 3);
      watch.expectNone();
      await expectSettled(h, node, s, fresh);
      expect((await s.events()).map((e) => e.kind)).toEqual(['start', 'stop', 'start']);
    } finally {
      watch.stop();
    }
  });
});

/**
 * The enforcer as systemd runs it (the CLI's context, built here in the test process) and an
 * HTTP app of the same node on the same database. The enforcer sees its runner exit before the
 * app's stop has polled the group empty and recorded it, and may start the pair again in that
 * moment; the app's last write must not take the row from the new process.
 */
describe('a separate enforcer ticking while an HTTP app restarts its runner', () => {
  const node = `stop-race-separate-${process.pid}`;
  const RESTARTS = 12;
  let h: Harness;
  let enforcer: INestApplicationContext;

  beforeAll(async () => {
    const env = { RUNNER_COMMAND: join(FIXTURES, 'dispatch.sh'), RUNNER_STOP_TIMEOUT_SECONDS: '2', NODE_NAME: node, ENFORCER_INTERVAL_SECONDS: '1' };
    h = await startApp('sqlite', env);
    const config = loadConfig({
      ...env, DATABASE_URL: h.db.url, TZ: 'Asia/Baghdad', BISK_DATA_DIR: h.db.dir, ENFORCER_LOCK_FILE: join(h.db.dir, 'enforcer.lock'),
      RUNNER_LOG_DIR: join(h.db.dir, 'log'), SNAPSHOT_DIR: join(h.db.dir, 'snapshots'),
    });
    enforcer = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: false });
    await enforcer.init();
    await enforcer.get(EnforcerScheduler).start();
  });
  afterAll(async () => {
    await enforcer?.close();
    await h?.close();
  });

  it(`restarts ${RESTARTS} times: a new process each time, never two, the row always the new one's`, async () => {
    const s = await alwaysOn(h, 'sleeper', 'sleeper');
    const watch = watchProcesses(node, s.old.id);
    try {
      let current = s.old;
      for (let i = 0; i < RESTARTS; i++) {
        // As if it had been up past the stable minute (the usual case): its exit is answered by a start at once, no back-off.
        await h.dataSource.query(`UPDATE runners SET started_at = ? WHERE id = ${s.old.id}`, [sqliteInstant(new Date(Date.now() - 120_000))]);
        const res = await h.request('POST', `/api/runners/${s.old.id}/restart`);
        expect(res.status, res.raw).toBe(202);
        expect(res.body).toMatchObject({ oldPid: current.pid, stopped: true });
        current = await freshRunner(node, s, current.pid!);
      }
      await ticks(enforcer.get(Breadcrumbs), 2);
      watch.expectNone();
      await expectSettled(h, node, s, current);
      const kinds = (await s.events()).map((e) => e.kind);
      expect(kinds.filter((k) => k === 'start')).toHaveLength(RESTARTS + 1);
      expect(kinds.filter((k) => k === 'stop')).toHaveLength(RESTARTS);
      expect(kinds.filter((k) => k !== 'start' && k !== 'stop')).toEqual([]);
    } finally {
      watch.stop();
    }
  });
});
