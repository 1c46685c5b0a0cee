import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DateTime } from 'luxon';
import { loadConfig } from '../src/config/app-config.js';
import { bisk, CLI, countingSql, openEnforcerContext, machine, median, pct, ROOT, saveResult, sleep } from './support.js';

/**
 * Enforcer timing, measured rather than asserted:
 *  1. schedule-boundary latency — windows opening and closing at known instants, a real
 *     `bisk run-enforcer` (15 s interval) and a real runner process; delay from the boundary
 *     to the enforcer's start/stop event;
 *  2. steady-state tick — 1,000 cameras of which 200 are running (real processes): wall time
 *     and SQL statements per tick;
 *  3. dry-run planning — load the world, evaluate schedules, hash specs, plan — for 100 to
 *     10,000 cameras with 7 windows each.
 * All on SQLite. Prints Markdown for bench/RESULTS.md and writes bench/results/enforcer.json.
 */
const SLEEPER = join(ROOT, 'test/fixtures/sleeper.sh');
const IDLE = join(ROOT, 'bench/fixtures/idle-runner.sh');
const WINDOWS = Number(process.env.BENCH_WINDOWS ?? 20);
const SIZES = (process.env.BENCH_SIZES ?? '100,1000,3000,10000').split(',').map(Number);

function benchEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: join(dir, 'bisk.sqlite'), TZ: 'UTC', ENFORCER_LOCK_FILE: join(dir, 'lock'), BISK_DATA_DIR: dir, RUNNER_LOG_DIR: join(dir, 'log'),
    NODE_NAME: 'bench', LOG_LEVEL: 'warn', ...extra,
  };
}

async function freshDatabase(env: Record<string, string>): Promise<Database.Database> {
  await bisk(['migrate'], { ...process.env, ...env });
  return new Database(env.DATABASE_URL);
}

async function boundaryLatency() {
  const dir = mkdtempSync(join(tmpdir(), 'bisk-bench-'));
  const env = benchEnv(dir, { RUNNER_COMMAND: SLEEPER, ENFORCER_INTERVAL_SECONDS: '15' });
  const db = await freshDatabase(env);
  const first = DateTime.now().setZone('UTC').startOf('second').plus({ seconds: 5 });
  const boundaries: { at: number; kind: 'start' | 'stop' }[] = [];
  db.exec(`INSERT INTO cameras (name, rtsp_url) VALUES ('bench', 'fixture'); INSERT INTO stream_profiles (name, extra_args) VALUES ('bench', '{}');
    INSERT INTO schedule_policies (name) VALUES ('bench'); INSERT INTO schedule_policy_cameras (policy_id, camera_id) VALUES (1, 1);`);
  for (let i = 0; i < WINDOWS; i++) {
    const start = first.plus({ seconds: i * 4 });
    const end = start.plus({ seconds: 2 });
    boundaries.push({ at: start.toMillis(), kind: 'start' }, { at: end.toMillis(), kind: 'stop' });
    db.prepare(`INSERT INTO schedule_windows (policy_id, day_of_week, start_time, end_time, profile_id) VALUES (1, ?, ?, ?, 1)`).run(start.weekday - 1, start.toFormat('HH:mm:ss'), end.toFormat('HH:mm:ss'));
  }
  const enforcer = spawn(process.execPath, [CLI, 'run-enforcer'], { env: { ...process.env, ...env }, stdio: 'ignore' });
  await sleep(boundaries[boundaries.length - 1].at - Date.now() + 2000);
  const events = db.prepare(`SELECT kind, ts FROM enforcer_events WHERE kind IN ('start', 'stop') ORDER BY id`).all() as { kind: string; ts: string }[];
  enforcer.kill('SIGTERM');
  await new Promise((r) => enforcer.on('exit', r));
  db.close();
  rmSync(dir, { recursive: true, force: true });
  const delays: Record<'start' | 'stop', number[]> = { start: [], stop: [] };
  for (const b of boundaries) {
    const event = events.find((e) => e.kind === b.kind && Date.parse(`${e.ts.replace(' ', 'T')}Z`) >= b.at);
    if (event) delays[b.kind].push(Date.parse(`${event.ts.replace(' ', 'T')}Z`) - b.at);
  }
  return delays;
}

/** `cameras` cameras with 7 windows each (their own policy); the first `runningNow` have a window open now. */
function seedFleet(db: Database.Database, cameras: number, openNow = cameras) {
  db.transaction(() => {
    db.exec(`INSERT INTO stream_profiles (name, extra_args) VALUES ('p', '{}')`);
    const camera = db.prepare(`INSERT INTO cameras (name, rtsp_url) VALUES (?, ?)`);
    const policy = db.prepare(`INSERT INTO schedule_policies (name) VALUES (?)`);
    const link = db.prepare(`INSERT INTO schedule_policy_cameras (policy_id, camera_id) VALUES (?, ?)`);
    const window = db.prepare(`INSERT INTO schedule_windows (policy_id, day_of_week, start_time, end_time, profile_id) VALUES (?, ?, ?, ?, 1)`);
    for (let i = 1; i <= cameras; i++) {
      const c = camera.run(`cam-${i}`, `rtsp://u:p@10.0.${Math.floor(i / 250)}.${i % 250}/s`).lastInsertRowid;
      const p = policy.run(`policy-${i}`).lastInsertRowid;
      link.run(p, c);
      for (let d = 0; d < 7; d++) {
        if (i <= openNow) window.run(p, d, '00:00:00', '00:00:00');
        else window.run(p, d, d % 2 ? '22:00:00' : '03:30:00', d % 2 ? '23:00:00' : '04:00:00');
      }
    }
  })();
}

async function steadyTick(cameras: number, running: number, rounds: number) {
  const dir = mkdtempSync(join(tmpdir(), 'bisk-bench-'));
  const env = benchEnv(dir, { RUNNER_COMMAND: IDLE });
  const db = await freshDatabase(env);
  seedFleet(db, cameras, running);
  db.close();
  const runtime = await openEnforcerContext(loadConfig({ ...process.env, ...env }));
  try {
    const counter = countingSql(runtime.sql);
    const first = await runtime.service.tick();
    if (first.started !== running) throw new Error(`expected ${running} starts, got ${first.started}`);
    const times: number[] = [];
    const queries: number[] = [];
    for (let r = 0; r < rounds; r++) {
      counter.reset();
      const t0 = performance.now();
      const result = await runtime.service.tick();
      times.push(performance.now() - t0);
      queries.push(counter.count);
      if (result.actions.length) throw new Error(`steady state expected, got ${result.actions.length} actions`);
    }
    await runtime.executor.stopRunners({}, 'bench done');
    return { cameras, running, median: median(times), p95: pct(times, 95), queries: [...new Set(queries)] };
  } finally {
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function planningCost(cameras: number, rounds: number) {
  const dir = mkdtempSync(join(tmpdir(), 'bisk-bench-'));
  const env = benchEnv(dir, { TZ: 'Asia/Baghdad' });
  const db = await freshDatabase(env);
  seedFleet(db, cameras, 0);
  db.close();
  const runtime = await openEnforcerContext(loadConfig({ ...process.env, ...env }));
  try {
    const counter = countingSql(runtime.sql);
    const times: number[] = [];
    const queries = new Set<number>();
    let desired = 0;
    for (let r = 0; r < rounds; r++) {
      if (r > 0) queries.add(counter.count);
      counter.reset();
      const t0 = performance.now();
      // Monday 03:45 local: every camera's even-day window (03:30–04:00) is open.
      const preview = await runtime.service.preview(new Date('2026-11-30T03:45:00+03:00'));
      times.push(performance.now() - t0);
      desired = preview.desired.specs.length;
    }
    queries.add(counter.count);
    return { cameras, desired, median: median(times), p95: pct(times, 95), queries: [...queries] };
  } finally {
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const PARTS = (process.env.BENCH_PARTS ?? 'latency,steady,planning').split(',');
const latency = PARTS.includes('latency') ? await boundaryLatency() : { start: [], stop: [] };
const steady = PARTS.includes('steady') ? await steadyTick(1000, 200, 30) : null;
const planning = [];
if (PARTS.includes('planning')) for (const size of SIZES) planning.push(await planningCost(size, size >= 10_000 ? 7 : 20));
if (PARTS.length === 3) saveResult('enforcer', { latency, steady, planning });

console.log(`Enforcer — ${machine()}, SQLite\n`);
console.log(`Schedule boundary → enforcer action (${WINDOWS} windows, 15 s interval, one real runner process):\n`);
console.log('| boundary | n | p50 ms | p99 ms | max ms |');
console.log('|---|---|---|---|---|');
for (const kind of ['start', 'stop'] as const) {
  const d = latency[kind];
  console.log(`| window ${kind === 'start' ? 'opens → runner started' : 'closes → runner stopped'} | ${d.length} | ${pct(d, 50)} | ${pct(d, 99)} | ${Math.max(...d)} |`);
}
if (steady) console.log(`\nSteady-state tick, ${steady.cameras} cameras × 7 windows, ${steady.running} runners running (real processes), 30 ticks:\n`);
if (steady) console.log('| median ms | p95 ms | SQL statements per tick |\n|---|---|---|');
if (steady) console.log(`| ${steady.median.toFixed(1)} | ${steady.p95.toFixed(1)} | ${steady.queries.join(', ')} |`);
console.log('\nDry-run planning (load world, evaluate, hash, plan):\n');
console.log('| cameras × windows | desired now | median ms | p95 ms | SQL statements |');
console.log('|---|---|---|---|---|');
for (const p of planning) console.log(`| ${p.cameras.toLocaleString('en')} × 7 | ${p.desired} | ${p.median.toFixed(1)} | ${p.p95.toFixed(1)} | ${p.queries.join(', ')} |`);
