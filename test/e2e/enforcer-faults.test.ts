import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMarkedProcesses, isSameProcess } from '../../src/enforcer/proc.js';
import { type Harness, startApp } from '../support/app-harness.js';
import { embeddedEnforcerEnv, until } from '../support/wait.js';
import { POSTGRES_URL } from '../support/databases.js';
import { CLI, freePort, requireBuild, type Running, startProcess } from '../support/processes.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

const ALWAYS = [0, 1, 2, 3, 4, 5, 6].map((d) => ({ dayOfWeek: d, startTime: '00:00', endTime: '00:00' }));

async function schedule(h: Harness, name: string, rtspUrl: string) {
  const camera = (await h.request('POST', '/api/cameras', { name, rtspUrl })).body;
  const profile = (await h.request('POST', '/api/profiles', { name: `${name}-profile` })).body;
  await h.request('POST', '/api/policies', { name: `${name}-policy`, cameraIds: [camera.id], windows: ALWAYS.map((w) => ({ ...w, profileId: profile.id })) });
  return { camera, profile };
}

const rowOf = async (h: Harness, cameraId: number) =>
  (await h.dataSource.query(`SELECT * FROM runners WHERE camera_id = ${cameraId}`))[0] as
    | { id: number; pid: number | null; status: string; process_start_time: string | null; last_error: string }
    | undefined;

describe('bisk run-enforcer processes', () => {
  let h: Harness;
  let env: Record<string, string>;
  const children: Running[] = [];

  beforeAll(async () => {
    requireBuild();
    // The HTTP app (not embedded) only writes the schedule; enforcers are separate processes on the
    // same file, with the same NODE_NAME (one host: one env file), so the app reads their breadcrumbs.
    h = await startApp('sqlite', { NODE_NAME: `faults-${process.pid}` });
    env = {
      DATABASE_URL: h.db.url,
      BISK_DATA_DIR: h.db.dir, // the same cache file as the HTTP app, as on one host
      ENFORCER_LOCK_FILE: join(h.db.dir, 'enforcer.lock'),
      ENFORCER_INTERVAL_SECONDS: '1',
      RUNNER_COMMAND: join(FIXTURES, 'dispatch.sh'),
      RUNNER_LOG_DIR: join(h.db.dir, 'log'),
      RUNNER_STOP_TIMEOUT_SECONDS: '1',
      NODE_NAME: `faults-${process.pid}`,
    };
  });
  afterAll(async () => {
    for (const child of children) child.child.kill('SIGKILL');
    for (const p of findMarkedProcesses().filter((m) => m.node === env?.NODE_NAME)) process.kill(-p.pid, 'SIGKILL');
    await h?.close();
  });

  const enforcer = () => {
    const child = startProcess(CLI, ['run-enforcer'], env);
    children.push(child);
    return child;
  };

  it('adopts live runners after the enforcer is SIGKILLed and restarted, without duplicates', async () => {
    const { camera } = await schedule(h, 'adopt-cam', 'fixture:sleeper');
    const first = enforcer();
    await first.waitFor(/Enforcer started/);
    const row = await until('runner running', async () => {
      const r = await rowOf(h, camera.id);
      return r?.pid && r.status === 'running' ? r : undefined;
    });
    first.child.kill('SIGKILL');
    await first.exit();
    expect(isSameProcess(row.pid!, row.process_start_time)).toBe(true); // the runner outlives its enforcer

    const second = enforcer();
    await second.waitFor(/Enforcer started/); // the kernel released the lock of the killed holder
    await until('adopt event', async () => (await h.dataSource.query(`SELECT 1 FROM enforcer_events WHERE kind = 'adopt' AND camera_id = ${camera.id}`)).length > 0);
    await new Promise((r) => setTimeout(r, 2500)); // a few more ticks
    expect((await rowOf(h, camera.id))?.pid).toBe(row.pid);
    expect(findMarkedProcesses().filter((m) => m.node === env.NODE_NAME).map((m) => m.pid)).toEqual([row.pid]);

    // The HTTP app, another process, reads the enforcer's breadcrumbs and can wake it.
    const status = (await h.request('GET', '/api/enforcer/status')).body.enforcer;
    expect(status).toMatchObject({ alive: true, runningPid: second.child.pid, node: env.NODE_NAME, intervalSeconds: 1 });
    const enforce = await h.request('POST', '/api/enforcer/enforce');
    expect(enforce.status).toBe(202);
    expect(enforce.body).toMatchObject({ enforcerPid: second.child.pid, signalled: true });

    second.child.kill('SIGTERM');
    expect((await second.exit()).code).toBe(0);
    expect(second.output()).toMatch(/Enforcer stopped/);
    expect(isSameProcess(row.pid!, row.process_start_time)).toBe(false); // a graceful stop takes its runners down
  });

  it('refuses a second enforcer for the same node through the database lease, even with another lock file', async () => {
    const a = enforcer();
    await a.waitFor(/Enforcer started/);
    const b = startProcess(CLI, ['run-enforcer', '--lock-file', join(h.db.dir, 'other.lock')], env);
    children.push(b);
    expect((await b.exit()).code).toBe(1);
    expect(b.output()).toMatch(new RegExp(`^Another enforcer holds the lease for node ${env.NODE_NAME}: .*\\(pid=${a.child.pid}\\) until `));
    a.child.kill('SIGTERM');
    expect((await a.exit()).code).toBe(0);
  });

  it('lets exactly one of two enforcers started together win, 20 times over', async () => {
    for (let round = 0; round < 20; round++) {
      const a = enforcer();
      const b = enforcer();
      const loser = await Promise.race([a.exit().then(() => a), b.exit().then(() => b)]);
      const winner = loser === a ? b : a;
      await winner.waitFor(/Enforcer started/);
      expect(loser.child.exitCode, `round ${round}: ${loser.output()}`).toBe(1);
      expect(loser.output().trim()).toBe(`Another enforcer holds the lock: ${env.ENFORCER_LOCK_FILE} (pid=${winner.child.pid})`);
      winner.child.kill('SIGTERM');
      expect((await winner.exit()).code).toBe(0);
    }
  }, 120_000);
});

describe('a RUNNER_COMMAND that does not exist', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startApp('sqlite', { ENFORCER_EMBEDDED: 'true', ENFORCER_INTERVAL_SECONDS: '1', RUNNER_COMMAND: '/nonexistent/bisk-runner --fast' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is reported on the runner row and in events, with back-off, and the enforcer keeps ticking', async () => {
    const { camera } = await schedule(h, 'missing-cmd', 'rtsp://cam/1');
    const row = await until('failure', async () => {
      const r = await rowOf(h, camera.id);
      return r?.status === 'failed' ? r : undefined;
    });
    expect(row.last_error).toBe('runner command not found: /nonexistent/bisk-runner');
    await new Promise((r) => setTimeout(r, 4000));
    const errors = (await h.dataSource.query(`SELECT message FROM enforcer_events WHERE kind = 'error' AND camera_id = ${camera.id} ORDER BY id`)) as { message: string }[];
    expect(errors[0].message).toMatch(/runner command not found: \/nonexistent\/bisk-runner; retry in 1 s/);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors.length).toBeLessThanOrEqual(4); // back-off 1, 2, 4 s — not one per 1 s tick
    const status = (await h.request('GET', '/api/enforcer/status')).body;
    expect(status.enforcer.alive).toBe(true);
    expect(status.enforcer.lastError).toBeNull();
  });
});

// Needs PostgreSQL (CI provides it): a database that refuses connections for a while.
const withPostgres = POSTGRES_URL ? describe : describe.skip;
withPostgres('the database unreachable for a while (PostgreSQL)', () => {
  let h: Harness;
  let admin: pg.Client;
  let dbName: string;
  beforeAll(async () => {
    const port = await freePort();
    h = await startApp(
      'postgres',
      embeddedEnforcerEnv(port, {
        RUNNER_COMMAND: join(FIXTURES, 'dispatch.sh'),
        HEARTBEAT_ONLINE_SEC: '1',
        HEARTBEAT_STALE_SEC: '2',
        HEARTBEAT_OFFLINE_SEC: '3',
      }),
      { listen: true },
    );
    dbName = new URL(h.db.url).pathname.slice(1);
    admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.query(`ALTER DATABASE ${dbName} WITH ALLOW_CONNECTIONS true`).catch(() => undefined);
    await admin?.end();
    await h?.close();
  });

  it('leaves runners alone, records the error, and recovers by itself', async () => {
    const { camera } = await schedule(h, 'db-outage', 'fixture:heartbeat-steady');
    const row = await until('runner heartbeating', async () => {
      const r = (await h.dataSource.query(`SELECT pid, process_start_time, last_heartbeat_at FROM runners WHERE camera_id = ${camera.id}`))[0];
      return r?.pid && r.last_heartbeat_at ? r : undefined;
    });

    await admin.query(`ALTER DATABASE ${dbName} WITH ALLOW_CONNECTIONS false`);
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${dbName}' AND pid <> pg_backend_pid()`);
    const down = await until('error recorded', async () => {
      const s = (await h.request('GET', '/health/live')).status === 200 ? await readBreadcrumbs(h) : undefined;
      return s?.lastError ? s : undefined;
    });
    expect(down.lastError).toMatch(/database|connect|terminat|not currently accepting/i);
    await new Promise((r) => setTimeout(r, 5000)); // longer than HEARTBEAT_OFFLINE_SEC: still no restart
    expect(isSameProcess(row.pid, row.process_start_time)).toBe(true);

    await admin.query(`ALTER DATABASE ${dbName} WITH ALLOW_CONNECTIONS true`);
    await until('recovered', async () => (await readBreadcrumbs(h)).lastError === null, 20_000);
    await new Promise((r) => setTimeout(r, 2000));
    const after = (await h.dataSource.query(`SELECT pid FROM runners WHERE camera_id = ${camera.id}`))[0];
    expect(after.pid).toBe(row.pid); // the same runner: no restart of the fleet after the outage
    const kinds = (await h.dataSource.query(`SELECT kind FROM enforcer_events WHERE camera_id = ${camera.id}`)).map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(['start']);
  });
});

async function readBreadcrumbs(h: Harness) {
  const { Breadcrumbs } = await import('../../src/enforcer/breadcrumbs.js');
  return h.app.get(Breadcrumbs).read();
}
