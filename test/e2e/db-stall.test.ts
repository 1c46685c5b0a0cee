import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/config/app-config.js';
import { findMarkedProcesses, isSameProcess } from '../../src/enforcer/proc.js';
import { createPostgresDatabase, POSTGRES_URL, type TestDatabase } from '../support/databases.js';
import { CLI, ROOT, requireBuild, type Running, runCli, startProcess } from '../support/processes.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { until } from '../support/wait.js';

/**
 * A database link that stops answering without closing (a black hole: a TCP proxy that holds
 * every byte) between a real `bisk run-enforcer` and a real PostgreSQL. The tick must not wait
 * forever: a failed tick is recorded within its budget, or when the statement timeout gives
 * up, runners keep running, `bisk status` shows it, and everything recovers when the link does.
 */
describe.runIf(POSTGRES_URL)('a black-holed database link (PostgreSQL)', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let admin: pg.Client;
  const running: Running[] = [];
  const node = `stall-${process.pid}`;

  beforeAll(async () => {
    requireBuild();
    db = await createPostgresDatabase();
    const { migrateDatabase } = await import('../../src/database/migrations.js');
    await migrateDatabase(parseDatabaseUrl(db.url));
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`INSERT INTO cameras (name, rtsp_url) VALUES ('stall', 'fixture:sleeper');
      INSERT INTO stream_profiles (name, extra_args) VALUES ('p', '{}');
      INSERT INTO schedule_policies (name) VALUES ('always');
      INSERT INTO schedule_policy_cameras (policy_id, camera_id) VALUES (1, 1);
      INSERT INTO schedule_windows (policy_id, day_of_week, start_time, end_time, profile_id) SELECT 1, d, '00:00', '00:00', 1 FROM generate_series(0, 6) AS d;`);
    const target = new URL(db.url);
    proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    await proxy.start();
  });
  afterAll(async () => {
    proxy?.release();
    for (const r of running) r.child.kill('SIGKILL');
    for (const p of findMarkedProcesses().filter((m) => m.node === node)) process.kill(-p.pid, 'SIGKILL');
    await proxy?.close();
    await admin?.end();
    await db?.drop();
  });

  /** The enforcer's view, read as an operator would: `bisk status --json` on a healthy link. */
  const status = () => {
    const result = runCli(['status', '--json'], { DATABASE_URL: db.url, BISK_DATA_DIR: db.dir, NODE_NAME: node, ENFORCER_INTERVAL_SECONDS: '1' });
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout).enforcer as { alive: boolean; lastError: string | null; lastOk: string | null };
  };

  const runner = async () => (await admin.query('SELECT pid, process_start_time FROM runners WHERE camera_id = 1')).rows[0] as { pid: number | null; process_start_time: string } | undefined;

  async function startEnforcer(settings: Record<string, string>) {
    const via = new URL(db.url);
    via.host = `127.0.0.1:${proxy.port}`;
    const enforcer = startProcess(CLI, ['run-enforcer'], {
      DATABASE_URL: via.toString(),
      BISK_DATA_DIR: db.dir,
      ENFORCER_LOCK_FILE: join(db.dir, 'enforcer.lock'),
      ENFORCER_INTERVAL_SECONDS: '1',
      RUNNER_COMMAND: join(ROOT, 'test/fixtures/dispatch.sh'),
      RUNNER_LOG_DIR: join(db.dir, 'log'),
      RUNNER_STOP_TIMEOUT_SECONDS: '1',
      HEARTBEAT_ONLINE_SEC: '1',
      HEARTBEAT_STALE_SEC: '2',
      HEARTBEAT_OFFLINE_SEC: '3',
      NODE_NAME: node,
      ...settings,
    });
    running.push(enforcer);
    await enforcer.waitFor(/Enforcer started/);
    return enforcer;
  }

  /** Black-holes the link and waits for the enforcer to record a failed tick: its status then, and how long that took. */
  async function holdUntilFailedTick() {
    proxy.hold();
    const heldAt = Date.now();
    const failed = await until('a failed tick', () => {
      const s = status();
      return s.lastError ? s : undefined;
    }, 10_000);
    return { failed, tookMs: Date.now() - heldAt };
  }

  it('records a tick that cannot finish within its budget as failed, leaves the runner alone, shows the enforcer down, and recovers', async () => {
    // No statement timeout: only the tick budget stands between the enforcer and waiting forever.
    const enforcer = await startEnforcer({ ENFORCER_TICK_BUDGET_SECONDS: '3', DB_STATEMENT_TIMEOUT_MS: '0' });
    const before = await until('the runner', async () => ((await runner())?.pid ? runner() : undefined));
    await until('a clean tick', () => status().lastOk !== null && status().lastError === null);

    const { failed, tookMs } = await holdUntilFailedTick();
    // The tick under way when the link went dark began at most one interval earlier.
    expect(tookMs).toBeLessThan(3000 + 1000 + 1500);
    expect(failed.lastError).toMatch(/tick did not finish within 3 s \(ENFORCER_TICK_BUDGET_SECONDS, still (renewing the lease|reading the world)\): the database or state store is not answering/);
    await enforcer.waitFor(/ERROR.*tick \(\w[\w ]*\) failed, runners left as they are: tick did not finish within 3 s/, 5000);
    // /health and `bisk status` call the enforcer down once its last good tick is older than 3 intervals + 5 s.
    await until('the enforcer shown down', () => status().alive === false, 15_000);
    expect(isSameProcess(before!.pid!, before!.process_start_time)).toBe(true);

    proxy.release();
    await until('recovered', () => status().lastError === null && status().alive, 20_000);
    const after = await runner();
    expect(after?.pid).toBe(before!.pid); // the same runner throughout: fail-static, no restart after the outage
    const kinds = (await admin.query('SELECT kind FROM enforcer_events WHERE camera_id = 1')).rows.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(['start']);
    enforcer.child.kill('SIGTERM');
    expect((await enforcer.exit()).code).toBe(0);
  });

  it('gives up on a statement the link never answers after DB_STATEMENT_TIMEOUT_MS + 2 s, in words', async () => {
    const enforcer = await startEnforcer({ DB_STATEMENT_TIMEOUT_MS: '1000' });
    await until('the runner', async () => ((await runner())?.pid ? true : undefined));
    await until('a clean tick', () => status().lastError === null && status().alive);

    const { failed, tookMs } = await holdUntilFailedTick();
    expect(tookMs).toBeLessThan(3000 + 1500);
    expect(failed.lastError).toMatch(/PostgreSQL did not answer within 3 s \(DB_STATEMENT_TIMEOUT_MS \+ 2 s\): the database or the network to it is not responding/);

    proxy.release();
    await until('recovered', () => status().lastError === null && status().alive, 20_000);
    enforcer.child.kill('SIGTERM');
    expect((await enforcer.exit()).code).toBe(0);
  });
});
if (!POSTGRES_URL) it.skip('a black-holed database link: set BISK_TEST_POSTGRES_URL to run', () => {});
