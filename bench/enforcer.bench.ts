import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/app-config.js';
import { migrateDatabase } from '../src/database/migrations.js';
import { EnforcerService } from '../src/enforcer/enforcer.service.js';
import { RuntimeModule } from '../src/runtime.module.js';

/**
 * Enforcer timing, measured rather than asserted:
 *  1. schedule-boundary latency — windows opening and closing at known instants, a real
 *     `bisk run-enforcer` (15 s interval) and a real runner process; delay from the boundary
 *     to the enforcer's start/stop action;
 *  2. planning cost — `preview()` (load the world, evaluate schedules, hash specs, plan) for
 *     1,000 and 10,000 cameras with 7 windows each, on SQLite.
 * Prints Markdown for bench/RESULTS.md.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist/src/cli.js');
const SLEEPER = join(ROOT, 'test/fixtures/sleeper.sh');
const WINDOWS = Number(process.env.BENCH_WINDOWS ?? 10);

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

async function withRuntime<T>(env: Record<string, string>, fn: (ds: DataSource, enforcer: EnforcerService) => Promise<T>): Promise<T> {
  const config = loadConfig({ ...process.env, ...env });
  await migrateDatabase(config.database);
  const context = await NestFactory.createApplicationContext(RuntimeModule.forRoot(config), { logger: false });
  try {
    return await fn(context.get<DataSource>(getDataSourceToken()), context.get(EnforcerService));
  } finally {
    await context.close();
  }
}

async function boundaryLatency() {
  const dir = mkdtempSync(join(tmpdir(), 'bisk-bench-'));
  const env = { DATABASE_URL: join(dir, 'bisk.sqlite'), TZ: 'UTC', ENFORCER_LOCK_FILE: join(dir, 'lock'), RUNNER_COMMAND: SLEEPER, RUNNER_LOG_DIR: join(dir, 'log'), ENFORCER_INTERVAL_SECONDS: '15', NODE_NAME: 'bench' };
  const zone = 'UTC';
  const first = DateTime.now().setZone(zone).startOf('second').plus({ seconds: 6 });
  const boundaries: { at: number; kind: 'start' | 'stop' }[] = [];
  await withRuntime(env, async (ds) => {
    await ds.query(`INSERT INTO cameras (name, rtsp_url) VALUES ('bench', 'fixture')`);
    await ds.query(`INSERT INTO stream_profiles (name, extra_args) VALUES ('bench', '{}')`);
    await ds.query(`INSERT INTO schedule_policies (name) VALUES ('bench')`);
    await ds.query(`INSERT INTO schedule_policy_cameras (policy_id, camera_id) VALUES (1, 1)`);
    for (let i = 0; i < WINDOWS; i++) {
      const start = first.plus({ seconds: i * 5 });
      const end = start.plus({ seconds: 2 });
      boundaries.push({ at: start.toMillis(), kind: 'start' }, { at: end.toMillis(), kind: 'stop' });
      await ds.query(`INSERT INTO schedule_windows (policy_id, day_of_week, start_time, end_time, profile_id) VALUES (1, ${start.weekday - 1}, '${start.toFormat('HH:mm:ss')}', '${end.toFormat('HH:mm:ss')}', 1)`);
    }
  });
  const enforcer = spawn(process.execPath, [CLI, 'run-enforcer'], { env: { ...process.env, ...env }, stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, boundaries[boundaries.length - 1].at - Date.now() + 2000));
  const events = await withRuntime(env, async (ds) => (await ds.query(`SELECT kind, ts FROM enforcer_events WHERE kind IN ('start', 'stop') ORDER BY id`)) as { kind: string; ts: string }[]);
  enforcer.kill('SIGTERM');
  await new Promise((r) => enforcer.on('exit', r));
  rmSync(dir, { recursive: true, force: true });
  const delays: Record<'start' | 'stop', number[]> = { start: [], stop: [] };
  for (const b of boundaries) {
    const event = events.find((e) => e.kind === b.kind && Date.parse(`${e.ts.replace(' ', 'T')}Z`) >= b.at);
    if (event) delays[b.kind].push(Date.parse(`${event.ts.replace(' ', 'T')}Z`) - b.at);
  }
  return delays;
}

async function planningCost(cameras: number, rounds: number) {
  const dir = mkdtempSync(join(tmpdir(), 'bisk-bench-'));
  const env = { DATABASE_URL: join(dir, 'bisk.sqlite'), TZ: 'Asia/Baghdad', NODE_NAME: 'bench' };
  try {
    return await withRuntime(env, async (ds, enforcer) => {
      await ds.query(`INSERT INTO stream_profiles (name, extra_args) VALUES ('p', '{}')`);
      await ds.transaction(async (m) => {
        for (let i = 1; i <= cameras; i++) {
          await m.query(`INSERT INTO cameras (name, rtsp_url) VALUES ('cam-${i}', 'rtsp://u:p@10.0.${Math.floor(i / 250)}.${i % 250}/s')`);
          await m.query(`INSERT INTO schedule_policies (name) VALUES ('policy-${i}')`);
          await m.query(`INSERT INTO schedule_policy_cameras (policy_id, camera_id) VALUES (${i}, ${i})`);
          for (let d = 0; d < 7; d++) await m.query(`INSERT INTO schedule_windows (policy_id, day_of_week, start_time, end_time, profile_id) VALUES (${i}, ${d}, '${d % 2 ? '22:00:00' : '07:30:00'}', '${d % 2 ? '06:00:00' : '15:00:00'}', 1)`);
        }
      });
      const times: number[] = [];
      let desired = 0;
      for (let r = 0; r < rounds; r++) {
        const t0 = performance.now();
        const preview = await enforcer.preview(new Date('2026-11-30T09:00:00+03:00'));
        times.push(performance.now() - t0);
        desired = preview.desired.specs.length;
      }
      return { median: pct(times, 50), p95: pct(times, 95), desired };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const latency = await boundaryLatency();
const small = await planningCost(1000, 20);
const large = await planningCost(10_000, 5);
console.log(`Enforcer — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0].model}, Node ${process.version}\n`);
console.log(`Schedule boundary → enforcer action (${WINDOWS} windows, 15 s interval, one real runner process):\n`);
console.log('| boundary | n | p50 ms | p99 ms | max ms |');
console.log('|---|---|---|---|---|');
for (const kind of ['start', 'stop'] as const) {
  const d = latency[kind];
  console.log(`| window ${kind === 'start' ? 'opens → runner started' : 'closes → runner stopped'} | ${d.length} | ${pct(d, 50)} | ${pct(d, 99)} | ${Math.max(...d)} |`);
}
console.log('\nDry-run planning (load world in 8 queries, evaluate, hash, plan) on SQLite:\n');
console.log('| cameras × windows | desired now | median ms | p95 ms |');
console.log('|---|---|---|---|');
console.log(`| 1,000 × 7 | ${small.desired} | ${small.median.toFixed(1)} | ${small.p95.toFixed(1)} |`);
console.log(`| 10,000 × 7 | ${large.desired} | ${large.median.toFixed(1)} | ${large.p95.toFixed(1)} |`);
