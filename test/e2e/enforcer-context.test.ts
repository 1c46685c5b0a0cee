import 'reflect-metadata';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SchedulerRegistry } from '@nestjs/schedule';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliModule } from '../../src/cli.module.js';
import { loadConfig } from '../../src/config/app-config.js';
import { SQL_PORT, type Sql } from '../../src/database/sql.js';
import { EnforcerScheduler, SCHEDULE } from '../../src/enforcer/enforcer.scheduler.js';
import { ProcessAdapter } from '../../src/enforcer/process.adapter.js';
import { TrackedRunners } from '../../src/enforcer/tracked-runners.js';
import { createSqliteDatabase, type TestDatabase } from '../support/databases.js';
import { until } from '../support/wait.js';

/**
 * The CLI's standalone context — the one `bisk run-enforcer` runs under systemd — built here in
 * the test process on a real SQLite file, with real runner processes from test/fixtures.
 */
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

let db: TestDatabase;
let context: INestApplicationContext;
let sql: Sql;

beforeAll(async () => {
  db = await createSqliteDatabase();
  const config = loadConfig({
    DATABASE_URL: db.url,
    TZ: 'UTC',
    ENFORCER_LOCK_FILE: join(db.dir, 'enforcer.lock'),
    ENFORCER_INTERVAL_SECONDS: '3600',
    RUNNER_COMMAND: join(FIXTURES, 'dispatch.sh'),
    RUNNER_LOG_DIR: join(db.dir, 'log'),
    SNAPSHOT_DIR: join(db.dir, 'snapshots'),
    RUNNER_STOP_TIMEOUT_SECONDS: '1',
    NODE_NAME: 'context-test',
    BISK_DATA_DIR: db.dir,
  });
  context = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: false });
  await context.init();
  sql = context.get<Sql>(SQL_PORT);
});

afterAll(async () => {
  await context?.close();
  await db?.drop();
});

async function alwaysOn(fixture: string) {
  const now = new Date();
  await sql.execute('INSERT INTO cameras (name, rtsp_url, created_at, updated_at) VALUES (?, ?, ?, ?)', [`cam-${fixture}`, `fixture:${fixture}`, now, now]);
  await sql.execute('INSERT INTO stream_profiles (name, extra_args, created_at, updated_at) VALUES (?, ?, ?, ?)', [`profile-${fixture}`, '{}', now, now]);
  await sql.execute('INSERT INTO schedule_policies (name, created_at, updated_at) VALUES (?, ?, ?)', [`policy-${fixture}`, now, now]);
  const [[camera]] = await sql.rows('SELECT MAX(id) FROM cameras');
  const [[profile]] = await sql.rows('SELECT MAX(id) FROM stream_profiles');
  const [[policy]] = await sql.rows('SELECT MAX(id) FROM schedule_policies');
  await sql.execute('INSERT INTO schedule_policy_cameras (policy_id, camera_id) VALUES (?, ?)', [policy, camera]);
  for (let day = 0; day < 7; day++) {
    await sql.execute('INSERT INTO schedule_windows (policy_id, day_of_week, start_time, end_time, profile_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [policy, day, '00:00:00', '00:00:00', profile, now, now]);
  }
  return { cameraId: Number(camera), profileId: Number(profile) };
}

const runnerOf = async (cameraId: number) => (await sql.query<{ id: number; pid: number | null; status: string; restart_count: number }>('SELECT id, pid, status, restart_count FROM runners WHERE camera_id = ?', [cameraId]))[0];

describe('the enforcer in the CLI context', () => {
  it('declares its enforce-now poll with @Interval, and does nothing from a handler before it holds the lock', async () => {
    const registry = context.get(SchedulerRegistry);
    const scheduler = context.get(EnforcerScheduler);
    expect(registry.getIntervals().sort()).toEqual([SCHEDULE.enforceRequests, SCHEDULE.peers, SCHEDULE.lease].sort());
    expect(scheduler.mayAct).toBe(false);
    await alwaysOn('sleeper');
    scheduler.onInterval();
    await scheduler.pollEnforceRequests();
    await new Promise((r) => setTimeout(r, 300));
    expect((await sql.rows('SELECT COUNT(*) FROM runners'))[0][0]).toBe(0);
    expect(registry.doesExist('interval', SCHEDULE.tick)).toBe(false);
  });

  it('registers the reconcile interval as "enforcer-tick" once started, and ticks', async () => {
    const scheduler = context.get(EnforcerScheduler);
    await scheduler.start();
    const registry = context.get(SchedulerRegistry);
    expect(registry.getInterval(SCHEDULE.tick)).toBeDefined();
    expect(registry.getIntervals().sort()).toEqual([SCHEDULE.enforceRequests, SCHEDULE.peers, SCHEDULE.lease, SCHEDULE.tick].sort());
    expect(scheduler.mayAct).toBe(true);
    const [{ id: cameraId }] = await sql.query<{ id: number }>('SELECT id FROM cameras ORDER BY id LIMIT 1');
    const row = await until('runner started', async () => ((await runnerOf(cameraId))?.status === 'running' ? runnerOf(cameraId) : undefined));
    expect(new ProcessAdapter().isAlive(row!.pid!, null)).toBe(true);
  });

  it('restarts a stable runner killed from outside straight from its exit, without a tick', async () => {
    const [{ id: cameraId }] = await sql.query<{ id: number }>('SELECT id FROM cameras ORDER BY id LIMIT 1');
    const before = (await runnerOf(cameraId))!;
    // As if it had run for more than the stable minute: no back-off is due.
    const tracked = context.get(TrackedRunners, { strict: false }).get(before.id)!;
    tracked.startedAt -= 61_000;
    const [[ticksBefore]] = await sql.rows("SELECT COUNT(*) FROM enforcer_events WHERE kind = 'start'");
    process.kill(before.pid!, 'SIGKILL');
    const after = await until('replacement running', async () => {
      const row = await runnerOf(cameraId);
      return row?.pid && row.pid !== before.pid && row.status === 'running' ? row : undefined;
    });
    expect(after.restart_count).toBe(before.restart_count + 1);
    expect(new ProcessAdapter().isAlive(after.pid!, null)).toBe(true);
    const events = await sql.query<{ kind: string; message: string }>('SELECT kind, message FROM enforcer_events WHERE camera_id = ? ORDER BY id DESC LIMIT 2', [cameraId]);
    expect(events.map((e) => e.kind).reverse()).toEqual(['crash', 'start']);
    expect(events[1].message).toMatch(/^runner was killed by SIGKILL after 6\d\.\d s.*; restarting now$/);
    expect(events[0].message).toBe('restarted: runner was killed by SIGKILL');
    expect((await sql.rows("SELECT COUNT(*) FROM enforcer_events WHERE kind = 'start'"))[0][0]).toBe(Number(ticksBefore) + 1);
  });

  it('stops a runner whose row another node took over (the row records no process) instead of keeping it beside a new one', async () => {
    const [{ id: cameraId }] = await sql.query<{ id: number }>('SELECT id FROM cameras ORDER BY id LIMIT 1');
    const before = (await runnerOf(cameraId))!;
    // What a take-over writes while this node was stalled: the pair is no longer this process's.
    await sql.execute(`UPDATE runners SET status = 'exited', pid = NULL, process_start_time = NULL WHERE id = ?`, [before.id]);
    await context.get(EnforcerScheduler).request('test');
    await until('the old process stopped', async () => !new ProcessAdapter().isAlive(before.pid!, null) || undefined);
    const [kill] = await sql.query<{ message: string }>(`SELECT message FROM enforcer_events WHERE kind = 'stray-kill' AND pid = ?`, [before.pid]);
    expect(kill?.message).toMatch(/^runner \d+ has no live row on this node/);
    // Wanted and held by nobody else: started again here, once.
    const after = await until('started again', async () => {
      const row = await runnerOf(cameraId);
      return row?.status === 'running' && row.pid !== before.pid ? row : undefined;
    });
    expect(new ProcessAdapter().isAlive(after.pid!, null)).toBe(true);
  });

  it('stops its runners, releases the lock and clears its timers on stop', async () => {
    const scheduler = context.get(EnforcerScheduler);
    const [{ id: cameraId }] = await sql.query<{ id: number }>('SELECT id FROM cameras ORDER BY id LIMIT 1');
    const pid = (await runnerOf(cameraId))!.pid!;
    await scheduler.stop();
    expect(new ProcessAdapter().isAlive(pid, null)).toBe(false);
    expect((await runnerOf(cameraId))!).toMatchObject({ pid: null, status: 'exited' });
    const registry = context.get(SchedulerRegistry);
    expect(registry.getIntervals().sort()).toEqual([SCHEDULE.enforceRequests, SCHEDULE.peers, SCHEDULE.lease].sort());
    expect(registry.getTimeouts()).toEqual([]);
    expect(scheduler.mayAct).toBe(false);
  });
});
