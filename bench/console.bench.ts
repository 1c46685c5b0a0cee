import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/app-config.js';
import { migrateDatabase } from '../src/database/migrations.js';
import { openSql, type Sql } from '../src/database/sql.js';
import { RUN_START_MARK } from '../src/enforcer/process.adapter.js';
import { readStat } from '../src/enforcer/proc.js';
import { logFileFor, snapshotDirFor } from '../src/enforcer/runner-command.js';
import { createHttpApp } from '../src/http-app.js';
import { machine, median, pct, saveResult, sleep } from './support.js';

/**
 * The operator console (/dash/…) against a fleet of the size the product is built for: 1,000
 * cameras, 20 profiles, 50 policies with school-week windows and a few exceptions, 1,000 runner
 * rows (a quarter on this node, those running with live processes), 1,000,000 runner_heartbeats
 * over 30 days (one pair with a heartbeat every 4 s for the last day, nine every minute, the rest
 * thinly spread) and 100,000 enforcer_events, seeded with bulk SQL into a real SQLite file — and
 * a fresh PostgreSQL database when BENCH_POSTGRES_URL (or BISK_TEST_POSTGRES_URL) is set.
 *
 * The real HTTP app (createHttpApp, no embedded enforcer) serves every page through app.inject:
 * a warm-up, then BENCH_RUNS requests each, median and p95 of the time inside the process. Each
 * page is then requested once more with the statements it issues captured (TypeORM's logger sees
 * every one, the SQL port's too); each is timed alone and explained (SQLite EXPLAIN QUERY PLAN,
 * PostgreSQL EXPLAIN), and every scan of a whole table or index is reported. Target: every page ≤ 100 ms.
 * Prints Markdown for bench/RESULTS.md and writes bench/results/console.json.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
const TARGET_MS = 100;
const ZONE = 'Europe/Berlin';
const NODE = 'bench-console-node';
/** A regular expression: only the pages whose name matches (to re-measure a few). */
const ONLY = process.env.BENCH_PAGES ? new RegExp(process.env.BENCH_PAGES, 'i') : null;
/** Keep the seeded databases (and say where they are) to look into a plan by hand. */
const KEEP = process.env.BENCH_KEEP === '1';
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? process.env.BISK_TEST_POSTGRES_URL;
const ENGINES = (process.env.BENCH_ENGINES ?? (POSTGRES_URL ? 'sqlite,postgres' : 'sqlite')).split(',') as ('sqlite' | 'postgres')[];
/** Tables at least this large must never be read whole by a page. */
const BIG_TABLE_ROWS = 10_000;

const CAMERAS = 1000;
const PROFILES = 20;
const POLICIES = 50;
const RUNNER_PROCESSES = 8;
/** The pair with the densest history (runner 1): a heartbeat every 4 s for the last 24 h. */
const HOT_RECENT = 21_600;
const HOT_OLDER = 42_130;
const BUSY_RUNNERS = 9;
const BUSY_EACH = 43_200;
const THIN_EACH = 553;
const EVENTS = 100_000;

/** What differs between the engines in the seeding SQL. */
interface Dialect {
  /** A row source of `i` = 1 … n. */
  seq(n: number): string;
  /** The instant `secondsAgo` (an SQL expression) before `now`, as the engine stores instants. */
  ago(secondsAgo: string): string;
  pad(expr: string, width: number): string;
}

function dialect(engine: 'sqlite' | 'postgres', nowSeconds: number): Dialect {
  if (engine === 'postgres') {
    return {
      seq: (n) => `generate_series(1, ${n}) AS s(i)`,
      ago: (secondsAgo) => `to_timestamp(${nowSeconds} - (${secondsAgo}))`,
      pad: (expr, width) => `lpad((${expr})::text, ${width}, '0')`,
    };
  }
  return {
    seq: (n) => `(WITH RECURSIVE q(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM q WHERE i < ${n}) SELECT i FROM q) AS s`,
    ago: (secondsAgo) => `strftime('%Y-%m-%d %H:%M:%f', ${nowSeconds} - (${secondsAgo}), 'unixepoch')`,
    pad: (expr, width) => `printf('%0${width}d', ${expr})`,
  };
}

const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60) % 24).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00`;

/** Policy p's school week: mornings and afternoons Monday–Friday, a Friday overnight window on every 5th, Saturday mornings on every 2nd; never overlapping. */
function policyWindows(p: number) {
  const a = 1 + (p % PROFILES);
  const b = 1 + ((p + 7) % PROFILES);
  const windows: [number, string, string, number][] = [];
  for (let day = 0; day < 5; day++) {
    windows.push([day, hhmm(420 + (p % 4) * 15), '12:00:00', a]);
    windows.push([day, '12:30:00', hhmm(930 + (p % 3) * 15), b]);
  }
  if (p % 5 === 0) windows.push([4, '22:00:00', '06:00:00', 1 + ((p + 3) % PROFILES)]);
  if (p % 2 === 0) windows.push([5, '09:00:00', '12:00:00', a]);
  return windows;
}

/** The profile runner i runs: its camera's policy's morning profile. */
const runnerProfileSql = `1 + ((((i - 1) % ${POLICIES}) + 1) % ${PROFILES})`;

async function seed(sql: Sql, d: Dialect) {
  const ins = (text: string) => sql.execute(text);
  await ins(`INSERT INTO stream_profiles (name, fps, detection_set, extra_args) SELECT 'Profile ' || ${d.pad('i', 2)}, 4 + i % 5, CASE i % 3 WHEN 0 THEN 'auto' WHEN 1 THEN '640' ELSE '1024' END, '{"--min-face":"40"}' FROM ${d.seq(PROFILES)}`);
  await ins(
    `INSERT INTO cameras (name, rtsp_url, location, is_active, pause_until) SELECT 'Cam ' || ${d.pad('i', 4)}, 'rtsp://viewer:s3cret@10.' || (i / 250) || '.' || (i % 250) || '.10:554/stream1', 'Building ' || (1 + i % 12) || ', room ' || (100 + i % 40), i % 50 <> 0, CASE WHEN i % 100 = 7 THEN ${d.ago('-86400')} ELSE NULL END FROM ${d.seq(CAMERAS)}`,
  );
  await ins(`INSERT INTO schedule_policies (name, notes) SELECT 'Policy ' || ${d.pad('i', 2)}, 'School week of wing ' || i FROM ${d.seq(POLICIES)}`);
  const windows = Array.from({ length: POLICIES }, (_, k) => policyWindows(k + 1).map(([day, start, end, profile]) => `(${k + 1}, ${day}, '${start}', '${end}', ${profile})`)).flat();
  await ins(`INSERT INTO schedule_windows (policy_id, day_of_week, start_time, end_time, profile_id) VALUES ${windows.join(', ')}`);
  const today = DateTime.now().setZone(ZONE).startOf('day');
  const exceptions: string[] = [];
  for (let p = 1; p <= POLICIES; p++) {
    if (p % 3 === 0) exceptions.push(`(${p}, '${today.plus({ days: 2 }).toISODate()}', 'off', NULL, NULL, NULL)`);
    if (p % 4 === 0) exceptions.push(`(${p}, '${today.plus({ days: 4 }).toISODate()}', 'window', '10:00:00', '11:00:00', ${1 + (p % PROFILES)})`);
  }
  await ins(`INSERT INTO schedule_exceptions (policy_id, date, mode, start_time, end_time, profile_id) VALUES ${exceptions.join(', ')}`);
  // Every camera in its wing's policy; every 10th also in policy 50 (100 cameras there).
  await ins(`INSERT INTO schedule_policy_cameras (policy_id, camera_id) SELECT ((i - 1) % ${POLICIES}) + 1, i FROM ${d.seq(CAMERAS)}`);
  await ins(`INSERT INTO schedule_policy_cameras (policy_id, camera_id) SELECT ${POLICIES}, i FROM ${d.seq(CAMERAS)} WHERE i % 10 = 0 AND i % ${POLICIES} <> 0`);
  await ins(`INSERT INTO resource_settings (camera_id, device, hwaccel, max_fps, is_active) SELECT i, 'cpu', 'none', 5, i % 2 = 1 FROM ${d.seq(CAMERAS)} WHERE i % 10 = 3`);
  await ins(
    `INSERT INTO runners (camera_id, profile_id, node, pid, status, started_at, last_heartbeat_at, effective_args, spec_hash, restart_count, last_error, camera_fps, processed_fps, target_fps, snapshot_every)
     SELECT i, ${runnerProfileSql}, CASE WHEN i % 4 = 1 THEN '${NODE}' ELSE 'node-' || (i % 3) END,
       CASE WHEN i % 25 = 0 OR i % 40 = 0 OR i % 33 = 0 THEN NULL ELSE 200000 + i END,
       CASE WHEN i % 25 = 0 THEN 'backoff' WHEN i % 40 = 0 THEN 'failed' WHEN i % 33 = 0 THEN 'exited' ELSE 'running' END,
       ${d.ago('3600 + i * 60')}, ${d.ago('i % 90')}, '["--camera","' || i || '"]', 'spec-' || i, i % 7,
       CASE WHEN i % 9 = 0 THEN 'rtsp://viewer:s3cret@10.0.0.1/stream1: Connection timed out' ELSE '' END, 25, 5.5 + (i % 10) / 10.0, 6, 3
     FROM ${d.seq(CAMERAS)}`,
  );
  // One statement, rows in time order as they would have arrived (interleaved pairs, not one pair's block after another's).
  const part = (n: number, where: string, secondsAgo: string) =>
    `SELECT r.camera_id, r.profile_id, r.pid, s.i AS n, ${d.ago(secondsAgo)} AS ts FROM runners r CROSS JOIN ${d.seq(n)} WHERE ${where}`;
  await ins(
    `INSERT INTO runner_heartbeats (camera_id, profile_id, pid, ts, camera_fps, processed_fps, target_fps, detected, matched, latency_ms, last_error, snapshot_every, min_face_px)
     SELECT camera_id, profile_id, pid, ts, 25, 5.5 + (n % 10) / 10.0, 6, n % 5, n % 3, 35 + (n % 20),
       CASE WHEN n % 500 = 0 THEN 'rtsp://viewer:s3cret@10.0.0.1/stream1: frame decode error' ELSE '' END, 3, 40
     FROM (${[
       part(HOT_RECENT, 'r.id = 1', 's.i * 4'),
       part(HOT_OLDER, 'r.id = 1', '86400 + s.i * 60'),
       part(BUSY_EACH, `r.id BETWEEN 2 AND ${1 + BUSY_RUNNERS}`, 's.i * 60 + r.id'),
       part(THIN_EACH, `r.id > ${1 + BUSY_RUNNERS}`, 's.i * 4687 + (r.id * 37) % 4687'),
     ].join(' UNION ALL ')}) h ORDER BY ts`,
  );
  await ins(
    `INSERT INTO enforcer_events (ts, node, kind, camera_id, profile_id, pid, message)
     SELECT ${d.ago(`(${EVENTS} - i) * 2592 / 100`)}, CASE WHEN i % 4 = 1 THEN '${NODE}' ELSE 'node-' || (i % 3) END,
       CASE WHEN i % 1000 = 0 THEN 'handover' WHEN i % 500 = 1 THEN 'stray-kill' WHEN i % 97 = 0 THEN 'error' WHEN i % 20 = 3 THEN 'crash'
         WHEN i % 20 = 4 THEN 'backoff' WHEN i % 20 = 5 THEN 'restart' WHEN i % 50 = 6 THEN 'stall' WHEN i % 50 = 7 THEN 'drift'
         WHEN i % 50 = 8 THEN 'adopt' WHEN i % 50 = 9 THEN 'pause-expired' WHEN i % 2 = 0 THEN 'start' ELSE 'stop' END,
       CASE WHEN i % 1000 = 0 THEN NULL ELSE 1 + (CAST(i AS BIGINT) * 7919) % ${CAMERAS} END, 1 + i % ${PROFILES}, 300000 + i % 5000,
       'pid ' || (300000 + i % 5000) || ': window of Policy ' || ${d.pad(`1 + i % ${POLICIES}`, 2)} || ', stream rtsp://viewer:s3cret@10.0.' || (i % 250) || '.10/stream1'
     FROM ${d.seq(EVENTS)}`,
  );
}

const TABLES = ['cameras', 'enforcer_leases', 'stream_profiles', 'schedule_policies', 'schedule_windows', 'schedule_exceptions', 'schedule_policy_cameras', 'resource_settings', 'runners', 'runner_heartbeats', 'enforcer_events'];

/** Live processes for the running runners of this node, so the pages read real /proc figures. */
async function runnerProcesses(sql: Sql): Promise<ChildProcess[]> {
  const children = Array.from({ length: RUNNER_PROCESSES }, () => spawn('sleep', ['86400'], { stdio: 'ignore' }));
  await sleep(100);
  for (const [k, child] of children.entries()) {
    const startTime = readStat(child.pid!)?.startTime ?? null;
    await sql.execute(`UPDATE runners SET pid = ?, process_start_time = ? WHERE node = ? AND status = 'running' AND id % ${RUNNER_PROCESSES} = ?`, [child.pid, startTime, NODE, k]);
  }
  return children;
}

/** Snapshot files for 80 % of the cameras (the list's thumbnails) and a 200 kB log for runner 1 (its detail page's tail). */
function files(snapshotDir: string, logDir: string, runnerOneProfile: number) {
  for (let camera = 1; camera <= CAMERAS; camera++) {
    if (camera % 5 === 0) continue;
    const dir = snapshotDirFor(snapshotDir, camera);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `camera-${camera}-profile-${1 + (camera % PROFILES)}-latest.jpg`), Buffer.alloc(2048, 0xff));
  }
  mkdirSync(logDir, { recursive: true });
  const lines = [`${RUN_START_MARK} ${new Date(Date.now() - 3_600_000).toISOString()} ---`];
  for (let i = 0; lines.join('\n').length < 200_000; i++) lines.push(`[${new Date(Date.now() - 3_600_000 + i * 1000).toISOString()}] frame ${i}: 6.0 fps, 2 faces, rtsp://viewer:s3cret@10.0.0.1/stream1 latency 41 ms`);
  writeFileSync(logFileFor(logDir, 1, runnerOneProfile), `${lines.join('\n')}\n`);
}

interface Page {
  name: string;
  url: string;
}

function pages(deepHistory: string): Page[] {
  const local = (daysAgo: number) => DateTime.now().setZone(ZONE).minus({ days: daysAgo }).startOf('hour').toFormat("yyyy-LL-dd'T'HH:mm");
  return [
    { name: 'cameras, first page', url: '/dash/cameras/' },
    { name: 'cameras, last page (offset 950)', url: '/dash/cameras/?offset=950' },
    { name: 'camera 10 (two policies, forecast)', url: '/dash/cameras/10' },
    { name: 'profiles', url: '/dash/profiles/' },
    { name: 'profile 1', url: '/dash/profiles/1' },
    { name: 'policies', url: '/dash/policies/' },
    { name: `policy ${POLICIES} (100 cameras, 1,000 in the picker)`, url: `/dash/policies/${POLICIES}` },
    { name: 'new policy (1,000 in the picker)', url: '/dash/policies/new' },
    { name: 'resources', url: '/dash/resources/' },
    { name: 'resources of camera 3', url: '/dash/resources/cameras/3' },
    { name: 'runners, first page', url: '/dash/runners/' },
    { name: 'runners, last page (offset 950)', url: '/dash/runners/?offset=950' },
    { name: 'runner 1, chart 6 h (5,400 heartbeats)', url: '/dash/runners/1' },
    { name: 'runner 1, chart 24 h (21,600 heartbeats)', url: '/dash/runners/1?hours=24' },
    { name: 'events, first page', url: '/dash/events/' },
    { name: 'events, last page (offset 99,950)', url: '/dash/events/?offset=99950' },
    { name: 'events of camera 1', url: '/dash/events/?cameraId=1' },
    { name: 'events, kind crash', url: '/dash/events/?kind=crash' },
    { name: 'events, kind handover (rare)', url: '/dash/events/?kind=handover' },
    { name: 'events, kind start (the commonest), 30 days', url: `/dash/events/?kind=start&since=${local(30)}` },
    { name: 'events, one day a week ago', url: `/dash/events/?since=${local(7)}&until=${local(6)}` },
    { name: 'events of camera 1, kind crash, 30 days', url: `/dash/events/?cameraId=1&kind=crash&since=${local(30)}` },
    { name: 'heartbeats, no runner chosen', url: '/dash/heartbeats/' },
    { name: 'heartbeats of runner 1', url: '/dash/heartbeats/?runnerId=1' },
    { name: 'heartbeats of runner 1, 63,000 rows deep (an "Older" link)', url: `/dash/heartbeats/?runnerId=1&before=${deepHistory}` },
    { name: 'system', url: '/dash/system/' },
  ];
}

interface Statement {
  text: string;
  params: unknown[];
}

interface PageResult {
  name: string;
  url: string;
  engine: string;
  bytes: number;
  medianMs: number;
  p95Ms: number;
  statements: number;
  /** Each distinct statement alone (median of 5), summed: the database's share of the page. */
  sqlMs: number;
  slowest: { ms: number; statement: string } | null;
}

interface Finding {
  engine: string;
  page: string;
  table: string;
  tableRows: number;
  /**
   * full: the whole table (or a whole index of it) is read; limited: read in the order the
   * statement wants and left after LIMIT + OFFSET rows (no sort), so only a deep OFFSET reads far.
   */
  kind: 'full' | 'limited';
  plan: string;
  statement: string;
}

const short = (text: string, max = 160) => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
};

/** alias → table for the FROM/JOIN items of a statement. */
function aliases(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/\b(?:FROM|JOIN)\s+"?(\w+)"?(?:\s+(?:AS\s+)?"?(\w+)"?)?/gi)) {
    const table = m[1];
    out.set(table, table);
    if (m[2] && !/^(WHERE|LEFT|INNER|JOIN|ON|ORDER|GROUP|LIMIT|CROSS|USING)$/i.test(m[2])) out.set(m[2], table);
  }
  return out;
}

type Scan = { table: string; line: string; kind: Finding['kind'] };

async function explain(dataSource: DataSource, engine: 'sqlite' | 'postgres', statement: Statement): Promise<{ plan: string[]; scans: Scan[] }> {
  const names = aliases(statement.text);
  if (engine === 'sqlite') {
    const rows = (await dataSource.query(`EXPLAIN QUERY PLAN ${statement.text}`, statement.params)) as { detail: string }[];
    const plan = rows.map((r) => r.detail);
    // "SCAN t" walks the table, "SCAN t USING [COVERING] INDEX i" a whole index; under a LIMIT
    // with no sorting step the walk stops once the page is complete.
    const limited = /\bLIMIT\b/i.test(statement.text) && !plan.some((line) => /TEMP B-TREE FOR (ORDER|GROUP) BY/.test(line)) && !/\b(COUNT|SUM|AVG|MAX|MIN)\(/i.test(statement.text);
    const scans = plan.flatMap((line): Scan[] => {
      const m = /^SCAN (?:TABLE )?"?(\w+)"?(?: AS (\w+))?( USING .*)?$/.exec(line);
      if (!m) return [];
      return [{ table: names.get(m[2] ?? m[1]) ?? names.get(m[1]) ?? m[1], line, kind: limited ? 'limited' : 'full' }];
    });
    return { plan, scans };
  }
  const rows = (await dataSource.query(`EXPLAIN ${statement.text}`, statement.params)) as Record<string, string>[];
  const plan = rows.map((r) => r['QUERY PLAN']);
  const scans = plan.flatMap((line): Scan[] => {
    const m = /Seq Scan on "?(\w+)"?/.exec(line);
    return m ? [{ table: m[1], line: line.trim(), kind: 'full' }] : [];
  });
  return { plan, scans };
}

async function timeStatement(dataSource: DataSource, statement: Statement): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const began = performance.now();
    await dataSource.query(statement.text, statement.params);
    times.push(performance.now() - began);
  }
  return median(times);
}

async function withDatabase<T>(engine: 'sqlite' | 'postgres', fn: (url: string, dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'bisk-console-bench-'));
  if (engine === 'sqlite') {
    try {
      return await fn(join(dir, 'var', 'bisk.sqlite'), dir);
    } finally {
      if (KEEP) console.error(`kept ${join(dir, 'var', 'bisk.sqlite')}`);
      else rmSync(dir, { recursive: true, force: true });
    }
  }
  // A database of its own on the server, dropped afterwards: the test databases are never touched.
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  const name = `bisk_bench_console_${process.pid}_${Date.now()}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_URL!);
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString(), dir);
  } finally {
    if (KEEP) console.error(`kept ${url}`);
    else await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bench(engine: 'sqlite' | 'postgres') {
  return withDatabase(engine, async (url, dir) => {
    const env = {
      DATABASE_URL: url, TZ: ZONE, NODE_NAME: NODE, LOG_LEVEL: 'error', BISK_DATA_DIR: dir, RUNNER_LOG_DIR: join(dir, 'log'),
      SNAPSHOT_DIR: join(dir, 'snapshots'), ENFORCER_LOCK_FILE: join(dir, 'enforcer.lock'),
    };
    const config = loadConfig(env);
    await migrateDatabase(config.database);
    const sql = await openSql(config.database);
    const seedBegan = performance.now();
    await seed(sql, dialect(engine, Math.floor(Date.now() / 1000)));
    // What autovacuum does to tables filled over 30 days (statistics, the visibility map that
    // lets counts read only an index); SQLite gets no ANALYZE from the product.
    if (engine === 'postgres') await sql.execute('VACUUM ANALYZE');
    const seedMs = performance.now() - seedBegan;
    const rows: Record<string, number> = {};
    for (const table of TABLES) rows[table] = Number((await sql.rows(`SELECT COUNT(*) FROM ${table}`))[0][0]);
    const [[runnerOneProfile]] = await sql.rows('SELECT profile_id FROM runners WHERE id = 1');
    const children = await runnerProcesses(sql);
    await sql.close();
    files(env.SNAPSHOT_DIR, env.RUNNER_LOG_DIR, Number(runnerOneProfile));
    console.error(`${engine}: seeded in ${(seedMs / 1000).toFixed(1)} s: ${Object.entries(rows).map(([t, n]) => `${t} ${n}`).join(', ')}`);

    let app: NestFastifyApplication | undefined;
    try {
      app = await createHttpApp(config, { logger: false });
      await app.init();
      await app.getHttpAdapter().getInstance().ready();
      const dataSource = app.get<DataSource>(getDataSourceToken());
      let captured: Statement[] | null = null;
      dataSource.logger.logQuery = (text: string, params?: unknown[]) => {
        captured?.push({ text, params: params ?? [] });
      };
      const get = async (url: string) => {
        const began = performance.now();
        const response = await app!.inject({ method: 'GET', url });
        const ms = performance.now() - began;
        if (response.statusCode !== 200) throw new Error(`${engine} GET ${url}: ${response.statusCode} ${response.body.slice(0, 300)}`);
        return { ms, bytes: response.body.length };
      };

      const results: PageResult[] = [];
      const findings: Finding[] = [];
      const plans: { page: string; statement: string; plan: string[] }[] = [];
      // The position an "Older" link would carry 63,000 rows into runner 1's history.
      const [deep] = await dataSource.query(
        `SELECT ts, id FROM runner_heartbeats WHERE camera_id = 1 AND profile_id = (SELECT profile_id FROM runners WHERE id = 1) ORDER BY ts DESC, id DESC LIMIT 1 OFFSET 63000`,
      );
      const deepTs = deep.ts instanceof Date ? deep.ts : new Date(`${String(deep.ts).replace(' ', 'T')}Z`);
      for (const page of pages(`${deepTs.getTime()}.${deep.id}`).filter((p) => !ONLY || ONLY.test(p.name))) {
        for (let i = 0; i < WARMUP; i++) await get(page.url);
        const times: number[] = [];
        let bytes = 0;
        for (let i = 0; i < RUNS; i++) {
          const r = await get(page.url);
          times.push(r.ms);
          bytes = r.bytes;
        }
        captured = [];
        await get(page.url);
        const statements: Statement[] = captured;
        captured = null;
        const distinct = [...new Map(statements.filter((s) => /^\s*(SELECT|WITH)\b/i.test(s.text)).map((s) => [s.text, s])).values()];
        let sqlMs = 0;
        let slowest: PageResult['slowest'] = null;
        for (const statement of distinct) {
          const ms = await timeStatement(dataSource, statement);
          sqlMs += ms;
          if (!slowest || ms > slowest.ms) slowest = { ms, statement: short(statement.text) };
          const { plan, scans } = await explain(dataSource, engine, statement);
          plans.push({ page: page.name, statement: statement.text, plan });
          for (const scan of scans) {
            findings.push({ engine, page: page.name, table: scan.table, tableRows: rows[scan.table] ?? 0, kind: scan.kind, plan: scan.line, statement: short(statement.text, 240) });
          }
        }
        const result = { name: page.name, url: page.url, engine, bytes, medianMs: median(times), p95Ms: pct(times, 95), statements: statements.length, sqlMs, slowest };
        results.push(result);
        console.error(`${engine} ${page.name}: median ${result.medianMs.toFixed(1)} ms, p95 ${result.p95Ms.toFixed(1)} ms, ${result.statements} statements, SQL ${sqlMs.toFixed(1)} ms`);
      }
      return { engine, seedSeconds: seedMs / 1000, rows, results, findings, plans };
    } finally {
      await app?.close();
      for (const child of children) child.kill('SIGKILL');
    }
  });
}

Logger.overrideLogger(['error', 'warn']); // the migrations' debug lines
const runs = [];
for (const engine of ENGINES) runs.push(await bench(engine));
const machineLine = machine();
/** Entries that differ only in their page, once, with the pages listed. */
function byPages<T extends { page: string }>(entries: T[], key: (e: T) => string) {
  const out = new Map<string, Omit<T, 'page'> & { pages: string[] }>();
  for (const { page, ...rest } of entries) {
    const k = key({ page, ...rest } as T);
    if (!out.has(k)) out.set(k, { ...rest, pages: [] });
    out.get(k)!.pages.push(page);
  }
  return [...out.values()];
}
saveResult('console', {
  runs: RUNS, warmup: WARMUP, targetMs: TARGET_MS, timeZone: ZONE,
  engines: runs.map((r) => ({
    engine: r.engine, seedSeconds: r.seedSeconds, rows: r.rows, pages: r.results,
    scans: byPages(r.findings, (f) => `${f.plan}\n${f.statement}`),
    plans: byPages(r.plans.map((p) => ({ ...p, statement: short(p.statement, 400) })), (p) => p.statement),
  })),
});

const ms = (v: number) => `${v.toFixed(1)} ms`;
console.log(`Console pages — ${machineLine}; ${RUNS} requests per page after ${WARMUP} warm-up, app.inject in the app's process\n`);
for (const r of runs) console.log(`${r.engine}: ${Object.entries(r.rows).map(([t, n]) => `${t} ${n.toLocaleString('en')}`).join(', ')} (seeded in ${r.seedSeconds.toFixed(1)} s)`);
console.log('\nSQL: each distinct statement of the page run alone through the app\'s connection (median of 5), summed.');
console.log(`\n| page | ${runs.map((r) => `${r.engine} median / p95`).join(' | ')} | statements | ${runs.map((r) => `${r.engine} SQL`).join(' | ')} | HTML kB |`);
console.log(`|---|${runs.map(() => '---|').join('')}---|${runs.map(() => '---|').join('')}---|`);
for (const [i, page] of runs[0].results.entries()) {
  const cells = runs.map((r) => {
    const p = r.results[i];
    const text = `${ms(p.medianMs)} / ${ms(p.p95Ms)}`;
    return p.p95Ms > TARGET_MS ? `**${text}**` : text;
  });
  console.log(`| ${page.name} | ${cells.join(' | ')} | ${runs.map((r) => r.results[i].statements).join(' / ')} | ${runs.map((r) => ms(r.results[i].sqlMs)).join(' | ')} | ${(page.bytes / 1024).toFixed(0)} |`);
}
console.log(`\nScans in the plans (EXPLAIN of every statement the pages issued; big = ${BIG_TABLE_ROWS.toLocaleString('en')} rows or more):`);
for (const r of runs) {
  const byStatement = new Map<string, { finding: Finding; pages: Set<string> }>();
  for (const f of r.findings) {
    const key = `${f.table}\n${f.plan}\n${f.statement}`;
    if (!byStatement.has(key)) byStatement.set(key, { finding: f, pages: new Set() });
    byStatement.get(key)!.pages.add(f.page);
  }
  const all = [...byStatement.values()];
  const big = all.filter(({ finding }) => finding.tableRows >= BIG_TABLE_ROWS);
  for (const kind of ['full', 'limited'] as const) {
    const these = big.filter(({ finding }) => finding.kind === kind);
    console.log(`- ${r.engine}, big tables, ${kind === 'full' ? 'read whole' : 'walked in order until LIMIT + OFFSET rows'}: ${these.length === 0 ? 'none' : ''}`);
    for (const { finding, pages: on } of these) {
      console.log(`  - \`${finding.plan}\` on ${finding.table} (${finding.tableRows.toLocaleString('en')} rows) — ${[...on].join('; ')} — \`${finding.statement}\``);
    }
  }
  const small = new Map<string, number>();
  for (const { finding } of all.filter(({ finding }) => finding.tableRows < BIG_TABLE_ROWS)) small.set(finding.table, (small.get(finding.table) ?? 0) + 1);
  console.log(`- ${r.engine}, small tables read whole (statements): ${[...small].map(([t, n]) => `${t} (${r.rows[t]?.toLocaleString('en') ?? '?'} rows) ${n}`).join(', ')}`);
}
