import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/app-config.js';
import { migrateDatabase } from '../../src/database/migrations.js';
import { openSql, type Sql } from '../../src/database/sql.js';
import { ownerOf } from '../../src/enforcer/ownership.js';
import { NodePresence, presenceName } from '../../src/enforcer/presence.js';
import { findMarkedProcesses } from '../../src/enforcer/proc.js';
import { createPostgresDatabase, POSTGRES_URL, type TestDatabase } from '../support/databases.js';
import { CLI, ROOT, type Running, requireBuild, startProcess } from '../support/processes.js';
import { runningCameras } from '../support/running-cameras.js';
import { until } from '../support/wait.js';

/**
 * A crashed node is seen through its database session (presence.ts): two real `bisk run-enforcer`
 * processes on PostgreSQL with a 30 s lease and a 10 s interval — neither could explain a failover
 * within seconds. A sampler reads the process table every 100 ms: no camera may ever run twice.
 */
const RUNNER = join(ROOT, 'test/fixtures/idle.sh');
const NODES = ['p1', 'p2'];

describe.runIf(POSTGRES_URL)('a crashed node seen through its database session (PostgreSQL)', () => {
  let db: TestDatabase;
  let sql: Sql;
  let dir: string;
  const enforcers = new Map<string, Running>();
  const cameras: number[] = [];
  const violations: string[] = [];
  let sampler: NodeJS.Timeout | undefined;

  const start = async (node: string) => {
    const p = startProcess(CLI, ['run-enforcer'], {
      DATABASE_URL: db.url, NODE_NAME: node, ENFORCER_LOCK_FILE: join(dir, `${node}.lock`), BISK_DATA_DIR: join(dir, node),
      RUNNER_LOG_DIR: join(dir, node, 'logs'), RUNNER_COMMAND: RUNNER, ENFORCER_INTERVAL_SECONDS: '10', ENFORCER_LEASE_SECONDS: '30',
      RUNNER_STOP_TIMEOUT_SECONDS: '2', LOG_LEVEL: 'warn',
    });
    enforcers.set(node, p);
    await p.waitFor(/Enforcer started/);
  };

  /** Live runner processes of this test: camera id → nodes running it. */
  const running = runningCameras(NODES, () => sql);

  const settledOn = (nodes: string[]) => async () => {
    const now = await running();
    return cameras.every((c) => now.get(c)?.length === 1 && now.get(c)![0] === ownerOf(c, nodes));
  };

  beforeAll(async () => {
    requireBuild();
    db = await createPostgresDatabase();
    dir = mkdtempSync(join(tmpdir(), 'bisk-presence-'));
    const config = loadConfig({ DATABASE_URL: db.url });
    await migrateDatabase(config.database);
    sql = await openSql(config.database);
    await sql.query(`INSERT INTO stream_profiles (name, extra_args) VALUES ('p', '{}')`);
    await sql.query(`INSERT INTO schedule_policies (name) VALUES ('always')`);
    for (let d = 0; d < 7; d++) await sql.query(`INSERT INTO schedule_windows (policy_id, day_of_week, start_time, end_time, profile_id) VALUES (1, ?, '00:00:00', '00:00:00', 1)`, [d]);
    for (let i = 1; i <= 12; i++) {
      const [row] = await sql.query<{ id: number }>('INSERT INTO cameras (name, rtsp_url) VALUES (?, ?) RETURNING id', [`cam-${i}`, 'rtsp://10.0.0.1/s']);
      await sql.query('INSERT INTO schedule_policy_cameras (policy_id, camera_id) VALUES (1, ?)', [row.id]);
      cameras.push(Number(row.id));
    }
    sampler = setInterval(() => {
      void running()
        .then((now) => {
          for (const [camera, nodes] of now) if (nodes.length > 1) violations.push(`camera ${camera} runs on ${nodes.join(' and ')}`);
        })
        .catch((error: Error) => violations.push(`sampler: ${error.message}`));
    }, 100);
    for (const node of NODES) await start(node);
    await until('12 cameras on their owners among p1 and p2', settledOn(NODES), 30_000);
  }, 60_000);

  afterAll(async () => {
    clearInterval(sampler);
    for (const p of enforcers.values()) p.child.kill('SIGTERM');
    await Promise.all([...enforcers.values()].map((p) => p.exit(20_000)));
    for (const p of findMarkedProcesses().filter((m) => NODES.includes(m.node))) process.kill(p.pid, 'SIGKILL');
    await sql?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('keeps one session per enforcer open, named after its node', async () => {
    const rows = await sql.query<{ application_name: string }>(`SELECT application_name FROM pg_stat_activity WHERE application_name LIKE 'bisk-node %' AND datname = current_database() ORDER BY 1`);
    expect(rows.map((r) => r.application_name)).toEqual(NODES.map(presenceName));
  });

  it('carries a node’s "the live set changed" to the other nodes’ sessions at once, not back to its own', async () => {
    const presences = ['w1', 'w2', 'w3'].map((node) => new NodePresence(loadConfig({ DATABASE_URL: db.url, NODE_NAME: node })));
    const heard: [string, unknown][] = [];
    // (The two enforcers of this file announce their own changes on the same channel now and then: not these.)
    const ours = (change: { nodes: string[] } | null) => change === null || !change.nodes.some((n) => NODES.includes(n));
    presences.forEach((p, i) => p.onPeersChanged((change) => ours(change) && heard.push([`w${i + 1}`, change])));
    try {
      for (const p of presences) await p.ensure();
      await presences[0].announce(['w1', 'w2'], ['w2']);
      await until('w2 and w3 told', async () => heard.length === 2, 5_000);
      await new Promise((r) => setTimeout(r, 200));
      const said = { nodes: ['w1', 'w2'], affected: ['w2'] };
      expect(heard.sort()).toEqual([['w2', said], ['w3', said]]);
      // A closed session hears nothing more and announces nothing; a list over NOTIFY's limit is left out (everyone ticks).
      heard.length = 0;
      await presences[2].close();
      await presences[2].announce(['w3'], ['w3']);
      const many = Array.from({ length: 400 }, (_, i) => `gpu-box-${String(i).padStart(3, '0')}.school.example`);
      await presences[1].announce(many, many);
      await until('w1 told', async () => heard.length === 1, 5_000);
      await new Promise((r) => setTimeout(r, 200));
      expect(heard).toEqual([['w1', null]]);
    } finally {
      for (const p of presences) await p.close();
    }
  });

  it('moves a killed node’s cameras within seconds, long before its 30 s lease runs out', async () => {
    // Another fleet on the same server, on another database, with a node of the same name: not this p1.
    const elsewhere = new pg.Client({ connectionString: POSTGRES_URL, application_name: presenceName('p1') });
    await elsewhere.connect();
    const t0 = Date.now();
    enforcers.get('p1')!.child.kill('SIGKILL');
    for (const p of findMarkedProcesses().filter((m) => m.node === 'p1')) process.kill(p.pid, 'SIGKILL');
    await enforcers.get('p1')!.exit();
    enforcers.delete('p1');
    await until('all 12 cameras on p2', settledOn(['p2']), 25_000);
    const seconds = (Date.now() - t0) / 1000;
    // The lease (30 s) and the interval (10 s) are both far off: only the closed session explains it.
    expect(seconds).toBeLessThan(8);
    const [lease] = await sql.query<{ expires_at: string }>(`SELECT expires_at FROM enforcer_leases WHERE node = 'p1'`);
    expect(Number(lease.expires_at)).toBeGreaterThan(Date.now());
    const takenOver = () => sql.query<{ message: string }>(`SELECT message FROM enforcer_events WHERE kind = 'handover' AND node = 'p2' AND message LIKE 'taken over from node p1%'`);
    await until('the take-over recorded', async () => (await takenOver()).length > 0, 10_000);
    const [taken] = await takenOver();
    expect(taken.message).toBe("taken over from node p1: its enforcer's database session has closed and its runner is silent");
    expect(violations).toEqual([]);
    await elsewhere.end();
  }, 40_000);

  it('gives a restarted node its share back without running anything twice', async () => {
    await start('p1');
    await until('12 cameras back on their owners', settledOn(NODES), 40_000);
    expect(violations).toEqual([]);
  }, 60_000);

  it('makes a node whose session the server ended step back at once, and never runs a pair twice', async () => {
    const [session] = await sql.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = ? AND datname = current_database()`, [presenceName('p1')]);
    await sql.query('SELECT pg_terminate_backend(?)', [session.pid]);
    await enforcers.get('p1')!.waitFor(/node p1's database session was ended by the server \(57P01\) while the server kept running; the other nodes may be taking its cameras over: stopped \d+ floating runner\(s\)/, 10_000);
    // It reopened its session: the fleet converges back to both nodes.
    await until('12 cameras back on their owners', settledOn(NODES), 40_000);
    const reopened = await sql.query(`SELECT pid FROM pg_stat_activity WHERE application_name = ? AND datname = current_database()`, [presenceName('p1')]);
    expect(reopened).toHaveLength(1);
    expect(violations).toEqual([]);
  }, 60_000);
});

if (!POSTGRES_URL) it.skip('a crashed node seen through its database session: set BISK_TEST_POSTGRES_URL to run', () => {});
