import 'reflect-metadata';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import pg from 'pg';
import { CliModule } from '../src/cli.module.js';
import { AppConfig, loadConfig } from '../src/config/app-config.js';
import { migrateDatabase } from '../src/database/migrations.js';
import { openSql, SQL_PORT } from '../src/database/sql.js';
import { lazySql } from '../src/database/sql.module.js';
import { EnforcerRepository } from '../src/enforcer/enforcer.repository.js';
import { EnforcerScheduler } from '../src/enforcer/enforcer.scheduler.js';
import { EnforcerService, type TickResult } from '../src/enforcer/enforcer.service.js';
import { ProcessAdapter } from '../src/enforcer/process.adapter.js';
import { MeteredSql, SqlMeter } from './fleet/fleet.js';
import { MemoryHosts, MemoryProcessAdapter } from './fleet/memory-processes.js';
import { machine, median, pct, saveResult, sleep } from './support.js';

/**
 * One node of a large fleet, its steady tick measured (`npm run bench:fleet-node`, needs
 * PostgreSQL): BENCH_FLEET_CAMERAS floating cameras (10,000), each with its own policy of 7
 * whole-day windows (70,000 windows), BENCH_FLEET_NODES live nodes (100) — this one a real
 * EnforcerModule in a Nest context (real ticks, SQL, lease, session) with runners in memory, the
 * others lease rows kept fresh by the bench. After the node has started its share and settled:
 * BENCH_TICKS interval ticks (1 s), each one's duration (TickResult.durationMs, as the
 * enforcer's own histogram sees it) and the statements and rows through its SQL port; then the
 * first tick after a schedule edit (every node reads the planning tables again) and after a node
 * of the hundred goes away (ownership moves).
 */
const URL_ = process.env.BENCH_POSTGRES_URL ?? process.env.BISK_TEST_POSTGRES_URL;
if (!URL_) {
  console.error('fleet-node bench skipped: set BENCH_POSTGRES_URL (or BISK_TEST_POSTGRES_URL) to a PostgreSQL server it may create databases on');
  process.exit(0);
}
const CAMERAS = Number(process.env.BENCH_FLEET_CAMERAS ?? 10_000);
const NODES = Number(process.env.BENCH_FLEET_NODES ?? 100);
const TICKS = Number(process.env.BENCH_TICKS ?? 60);
const SELF = 'node-001';

async function main() {
  const admin = new pg.Client({ connectionString: URL_ });
  await admin.connect();
  const name = `bisk_fleet_node_${process.pid}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(URL_!);
  url.pathname = `/${name}`;
  const config = loadConfig({ DATABASE_URL: url.toString(), NODE_NAME: SELF, ENFORCER_INTERVAL_SECONDS: '1', ENFORCER_LEASE_SECONDS: '5', ENFORCER_LOCK_FILE: `/tmp/${name}.lock`, BISK_DATA_DIR: `/tmp/${name}`, RUNNER_COMMAND: '/bin/true', LOG_LEVEL: 'error', REDIS_URL: '', TZ: 'UTC' });
  const others = Array.from({ length: NODES - 1 }, (_, i) => `node-${String(i + 2).padStart(3, '0')}`);
  let keepAlive: NodeJS.Timeout | undefined;
  let close = async () => {};
  try {
    await migrateDatabase(config.database);
    const seed = await openSql(config.database);
    await seed.execute(`INSERT INTO stream_profiles (name, extra_args) VALUES ('p', '{}')`);
    await seed.execute(`INSERT INTO cameras (name, rtsp_url) SELECT 'cam-' || g, 'rtsp://10.0.0.1/s' FROM generate_series(1, ?::int) g`, [CAMERAS]);
    await seed.execute(`INSERT INTO schedule_policies (name) SELECT 'policy-' || g FROM generate_series(1, ?::int) g`, [CAMERAS]);
    await seed.execute(`INSERT INTO schedule_windows (policy_id, day_of_week, start_time, end_time, profile_id) SELECT p, d, '00:00:00', '00:00:00', 1 FROM generate_series(1, ?::int) p, generate_series(0, 6) d`, [CAMERAS]);
    await seed.execute(`INSERT INTO schedule_policy_cameras (policy_id, camera_id) SELECT g, g FROM generate_series(1, ?::int) g`, [CAMERAS]);
    const renew = () =>
      seed.execute(`UPDATE enforcer_leases SET renewed_at = ?, expires_at = ? WHERE node <> ?`, [Date.now(), Date.now() + 5000, SELF]);
    for (const node of others) await seed.execute(`INSERT INTO enforcer_leases (node, holder, pid, version, acquired_at, renewed_at, expires_at) VALUES (?, ?, 1, 'bench', ?, ?, ?)`, [node, `${node}:bench`, Date.now(), Date.now(), Date.now() + 5000]);
    keepAlive = setInterval(() => void renew(), 1000);

    const meter = new SqlMeter();
    const hosts = new MemoryHosts();
    const module = await Test.createTestingModule({ imports: [CliModule.forRoot(config)] })
      .overrideProvider(ProcessAdapter)
      .useValue(new MemoryProcessAdapter(hosts, SELF))
      .overrideProvider(SQL_PORT)
      .useFactory({ factory: (c: AppConfig) => new MeteredSql(lazySql(c), meter), inject: [AppConfig] })
      .compile();
    await module.init();
    close = async () => {
      await module.get(EnforcerScheduler).stop(false);
      await module.close();
    };
    const service = module.get(EnforcerService);
    const ticks: { result: TickResult; statements: number; rows: number }[] = [];
    const original = service.tick.bind(service);
    service.tick = async () => {
      const [statements, rows] = [meter.statements, meter.rows];
      const result = await original();
      ticks.push({ result, statements: meter.statements - statements, rows: meter.rows - rows });
      return result;
    };
    const t0 = performance.now();
    await module.get(EnforcerScheduler).start();
    const startedMs = performance.now() - t0;
    const owned = hosts.snapshot().length;
    // Settle: a few ticks with nothing to do.
    while (ticks.filter((t) => t.result.started === 0).length < 3) await sleep(200);
    const steadyFrom = ticks.length;
    while (ticks.length < steadyFrom + TICKS) await sleep(200);
    const steady = ticks.slice(steadyFrom, steadyFrom + TICKS);
    const durations = steady.map((t) => t.result.durationMs);

    // A schedule edit anywhere: every node reads the planning tables again at its next tick.
    const beforeEdit = ticks.length;
    await seed.execute(`UPDATE schedule_windows SET end_time = '00:00:00' WHERE id = 1`);
    while (ticks.length < beforeEdit + 2) await sleep(100);
    const afterEdit = ticks[beforeEdit];
    // One node of the hundred goes away (its lease row removed, as a graceful stop does).
    const beforeLeave = ticks.length;
    await seed.execute(`DELETE FROM enforcer_leases WHERE node = ?`, [others[0]]);
    while (ticks.length < beforeLeave + 3) await sleep(100);
    const afterLeave = ticks.slice(beforeLeave).find((t) => t.result.started > 0) ?? ticks[beforeLeave];
    const registry = module.get(SchedulerRegistry);
    const result = {
      machine: machine(), cameras: CAMERAS, windows: CAMERAS * 7, nodes: NODES, owned, coldStartMs: Math.round(startedMs),
      steadyTickMs: { median: median(durations), p95: pct(durations, 95), max: Math.max(...durations) },
      statementsPerTick: median(steady.map((t) => t.statements)), rowsPerTick: median(steady.map((t) => t.rows)),
      afterScheduleEdit: { ms: afterEdit.result.durationMs, statements: afterEdit.statements, rows: afterEdit.rows },
      afterNodeLeft: { ms: afterLeave.result.durationMs, statements: afterLeave.statements, rows: afterLeave.rows, started: afterLeave.result.started },
      worldVersion: module.get(EnforcerRepository).worldVersion,
      timers: registry.getIntervals(),
    };
    saveResult('fleet-node', result);
    console.log(`One node among ${NODES} live nodes, ${CAMERAS.toLocaleString('en')} floating cameras × 7 windows — ${result.machine}`);
    console.log('| figure | value |');
    console.log('|---|---|');
    console.log(`| pairs this node runs | ${owned} |`);
    console.log(`| start → its share running | ${result.coldStartMs} ms |`);
    console.log(`| steady tick, median / p95 / max (${TICKS} ticks) | ${result.steadyTickMs.median} / ${result.steadyTickMs.p95} / ${result.steadyTickMs.max} ms |`);
    console.log(`| statements / rows per steady tick (median) | ${result.statementsPerTick} / ${result.rowsPerTick} |`);
    console.log(`| first tick after a schedule edit | ${afterEdit.result.durationMs} ms, ${afterEdit.statements} statements, ${afterEdit.rows} rows |`);
    console.log(`| first tick after a node left (its cameras gained) | ${afterLeave.result.durationMs} ms, ${afterLeave.statements} statements, ${afterLeave.rows} rows, ${afterLeave.result.started} started |`);
    await seed.close();
  } finally {
    clearInterval(keepAlive);
    await close().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

await main();
process.exit(0);
