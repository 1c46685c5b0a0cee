import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config/app-config.js';
import { migrateDatabase } from '../src/database/migrations.js';
import { openSql } from '../src/database/sql.js';
import { ownerOf } from '../src/enforcer/ownership.js';
import { findMarkedProcesses } from '../src/enforcer/proc.js';
import { CLI, countingSql, openEnforcerContext, machine, median, pct, ROOT, saveResult, sleep } from './support.js';

/**
 * Several hosts on PostgreSQL (needs BENCH_POSTGRES_URL or BISK_TEST_POSTGRES_URL):
 *  1. failover — three `bisk run-enforcer` nodes, 30 floating cameras with a dummy runner; a
 *     node is lost (its enforcer and its runners SIGKILLed, as when a host dies) and the time
 *     until all its floating cameras run on the survivors is measured, 10 times, the node
 *     coming back (and taking its share back) between rounds;
 *  2. planning per node — 3 × 1,000 floating cameras over three live nodes: one node's
 *     dry-run planning (load, ownership, evaluate, hash, plan), median/p95 and statements.
 */
const URL_ = process.env.BENCH_POSTGRES_URL ?? process.env.BISK_TEST_POSTGRES_URL;
if (!URL_) {
  console.error('failover bench skipped: set BENCH_POSTGRES_URL (or BISK_TEST_POSTGRES_URL) to a PostgreSQL server it may create databases on');
  process.exit(0);
}
const KILLS = Number(process.env.BENCH_KILLS ?? 10);
const INTERVAL = Number(process.env.BENCH_INTERVAL_SECONDS ?? 1);
const LEASE = Number(process.env.BENCH_LEASE_SECONDS ?? 5);
const NODES = ['n1', 'n2', 'n3'];
const RUNNER = join(ROOT, 'bench/fixtures/idle-runner.sh');

async function withDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: URL_ });
  await admin.connect();
  const name = `bisk_bench_${process.pid}_${Date.now()}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(URL_!);
  url.pathname = `/${name}`;
  try {
    await migrateDatabase(loadConfig({ DATABASE_URL: url.toString() }).database);
    return await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function seed(url: string, cameras: number): Promise<number[]> {
  const sql = await openSql(loadConfig({ DATABASE_URL: url }).database);
  await sql.query(`INSERT INTO stream_profiles (name, extra_args) VALUES ('p', '{}')`);
  await sql.query(`INSERT INTO schedule_policies (name) VALUES ('always')`);
  for (let d = 0; d < 7; d++) await sql.query(`INSERT INTO schedule_windows (policy_id, day_of_week, start_time, end_time, profile_id) VALUES (1, ?, '00:00:00', '00:00:00', 1)`, [d]);
  const rows = await sql.query<{ id: number }>(`INSERT INTO cameras (name, rtsp_url) SELECT 'cam-' || g, 'rtsp://10.0.0.1/s' FROM generate_series(1, ?::int) g RETURNING id`, [cameras]);
  await sql.query(`INSERT INTO schedule_policy_cameras (policy_id, camera_id) SELECT 1, id FROM cameras`);
  await sql.close();
  return rows.map((r) => Number(r.id));
}

async function failover(): Promise<number[]> {
  return withDatabase(async (url) => {
    const cameras = await seed(url, 30);
    const dir = mkdtempSync(join(tmpdir(), 'bisk-failover-'));
    const sql = await openSql(loadConfig({ DATABASE_URL: url }).database);
    const runnerCamera = new Map<number, number>();
    const enforcers = new Map<string, ChildProcess>();
    const start = (node: string) =>
      enforcers.set(node, spawn(process.execPath, [CLI, 'run-enforcer'], {
        stdio: 'ignore',
        env: {
          ...process.env, DATABASE_URL: url, NODE_NAME: node, ENFORCER_LOCK_FILE: join(dir, `${node}.lock`), BISK_DATA_DIR: join(dir, node),
          RUNNER_LOG_DIR: join(dir, node, 'logs'), RUNNER_COMMAND: RUNNER, ENFORCER_INTERVAL_SECONDS: String(INTERVAL),
          ENFORCER_LEASE_SECONDS: String(LEASE), LOG_LEVEL: 'error', REDIS_URL: '',
        },
      }));
    /** camera → nodes running it, from the process table. */
    const running = async () => {
      const procs = findMarkedProcesses().filter((p) => NODES.includes(p.node));
      if (procs.some((p) => !runnerCamera.has(p.runnerId ?? -1))) {
        for (const r of await sql.query<{ id: number; camera_id: number }>('SELECT id, camera_id FROM runners')) runnerCamera.set(Number(r.id), Number(r.camera_id));
      }
      const map = new Map<number, string[]>();
      for (const p of procs) {
        const camera = runnerCamera.get(p.runnerId ?? -1);
        if (camera !== undefined) map.set(camera, [...(map.get(camera) ?? []), p.node]);
      }
      return map;
    };
    const settledOn = async (nodes: string[]) => {
      const now = await running();
      return cameras.every((c) => now.get(c)?.length === 1 && now.get(c)![0] === ownerOf(c, nodes));
    };
    const waitUntil = async (test: () => Promise<boolean>, what: string, timeoutMs = 120_000) => {
      const t0 = performance.now();
      while (!(await test())) {
        if (performance.now() - t0 > timeoutMs) throw new Error(`timed out: ${what}`);
        await sleep(20);
      }
      return performance.now() - t0;
    };
    const times: number[] = [];
    try {
      for (const node of NODES) start(node);
      await waitUntil(() => settledOn(NODES), 'first placement');
      for (let round = 0; round < KILLS; round++) {
        const victim = NODES[round % NODES.length];
        const survivors = NODES.filter((n) => n !== victim);
        const t0 = performance.now();
        enforcers.get(victim)!.kill('SIGKILL');
        for (const p of findMarkedProcesses().filter((m) => m.node === victim)) process.kill(p.pid, 'SIGKILL');
        await waitUntil(() => settledOn(survivors), `round ${round}: ${victim}'s cameras on the survivors`);
        times.push(performance.now() - t0);
        process.stderr.write(`round ${round + 1}: ${victim} lost → its cameras running elsewhere after ${(times.at(-1)! / 1000).toFixed(2)} s\n`);
        start(victim);
        await waitUntil(() => settledOn(NODES), `round ${round}: ${victim} back`);
      }
    } finally {
      for (const child of enforcers.values()) child.kill('SIGTERM');
      await sleep(3000);
      for (const p of findMarkedProcesses().filter((m) => NODES.includes(m.node))) process.kill(p.pid, 'SIGKILL');
      await sql.close();
      rmSync(dir, { recursive: true, force: true });
    }
    return times;
  });
}

async function planningPerNode() {
  return withDatabase(async (url) => {
    await seed(url, 3000);
    const sql = await openSql(loadConfig({ DATABASE_URL: url }).database);
    const far = Date.now() + 3600_000;
    for (const node of ['n2', 'n3']) await sql.query('INSERT INTO enforcer_leases (node, holder, pid, version, acquired_at, renewed_at, expires_at) VALUES (?, ?, 1, ?, ?, ?, ?)', [node, `${node}:bench`, 'bench', Date.now(), Date.now(), far]);
    await sql.query('INSERT INTO enforcer_leases (node, holder, pid, version, acquired_at, renewed_at, expires_at) VALUES (?, ?, 1, ?, ?, ?, ?)', ['n1', 'n1:bench', 'bench', Date.now(), Date.now(), far]);
    await sql.close();
    const runtime = await openEnforcerContext(loadConfig({ DATABASE_URL: url, NODE_NAME: 'n1', LOG_LEVEL: 'error' }));
    try {
      const counter = countingSql(runtime.sql);
      let statements = 0;
      const times: number[] = [];
      let desired = 0;
      for (let r = 0; r < 20; r++) {
        counter.reset();
        const t0 = performance.now();
        const preview = await runtime.service.preview();
        times.push(performance.now() - t0);
        desired = preview.desired.specs.length;
        statements = counter.count;
      }
      return { cameras: 3000, desired, median: median(times), p95: pct(times, 95), statements };
    } finally {
      await runtime.close();
    }
  });
}

const times = await failover();
const planning = await planningPerNode();
saveResult('failover', { interval: INTERVAL, lease: LEASE, failover: times, planning });
console.log(`Several hosts — ${machine()}, PostgreSQL, three nodes on this machine\n`);
console.log(`Failover (node lost → its floating cameras running on the survivors), ${KILLS} losses, 30 floating cameras, interval ${INTERVAL} s, lease ${LEASE} s:\n`);
console.log('| n | p50 s | p95 s | min s | max s |');
console.log('|---|---|---|---|---|');
console.log(`| ${times.length} | ${(median(times) / 1000).toFixed(2)} | ${(pct(times, 95) / 1000).toFixed(2)} | ${(Math.min(...times) / 1000).toFixed(2)} | ${(Math.max(...times) / 1000).toFixed(2)} |`);
console.log(`\nPlanning on one node of three, ${planning.cameras.toLocaleString('en')} floating cameras (always on), 20 dry runs:\n`);
console.log('| desired on this node | median ms | p95 ms | SQL statements |');
console.log('|---|---|---|---|');
console.log(`| ${planning.desired} | ${planning.median.toFixed(1)} | ${planning.p95.toFixed(1)} | ${planning.statements} |`);
