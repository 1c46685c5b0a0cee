import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/app-config.js';
import { migrateDatabase } from '../../src/database/migrations.js';
import { openSql, type Sql } from '../../src/database/sql.js';
import { ownerOf } from '../../src/enforcer/ownership.js';
import { findMarkedProcesses } from '../../src/enforcer/proc.js';
import { startApp } from '../support/app-harness.js';
import { createPostgresDatabase, POSTGRES_URL, type TestDatabase } from '../support/databases.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { CLI, ROOT, type Running, requireBuild, runCli, startProcess } from '../support/processes.js';
import { runningCameras } from '../support/running-cameras.js';
import { until } from '../support/wait.js';

/**
 * Several hosts on one PostgreSQL database (§9), three real `bisk run-enforcer` processes with
 * their own NODE_NAME and lock file on this machine: 30 floating and 6 pinned cameras with a
 * dummy runner. A sampler reads the process table and the runner rows every 100 ms during the
 * whole test: no (camera, profile) may ever run twice.
 */
const RUNNER = join(ROOT, 'test/fixtures/idle.sh');
const NODES = ['n1', 'n2', 'n3'];
const LEASE_SECONDS = 4;
const INTERVAL_SECONDS = 1;

describe.runIf(POSTGRES_URL)('several hosts on PostgreSQL', () => {
  let db: TestDatabase;
  let sql: Sql;
  let dir: string;
  const enforcers = new Map<string, Running>();
  const violations: string[] = [];
  let samples = 0;
  let sampler: NodeJS.Timeout | undefined;
  const pinned = new Map<number, string>();
  const floating: number[] = [];
  /** n1 reaches PostgreSQL through this proxy, so its link alone can be cut. */
  let proxy: TcpProxy;
  let proxiedUrl: string;

  const env = (node: string) => ({
    DATABASE_URL: node === 'n1' ? proxiedUrl : db.url, NODE_NAME: node, ENFORCER_LOCK_FILE: join(dir, `${node}.lock`), BISK_DATA_DIR: join(dir, node),
    RUNNER_LOG_DIR: join(dir, node, 'logs'), RUNNER_COMMAND: RUNNER, ENFORCER_INTERVAL_SECONDS: String(INTERVAL_SECONDS),
    ENFORCER_LEASE_SECONDS: String(LEASE_SECONDS), RUNNER_STOP_TIMEOUT_SECONDS: '2', LOG_LEVEL: 'warn',
  });

  const start = async (node: string) => {
    const p = startProcess(CLI, ['run-enforcer'], env(node));
    enforcers.set(node, p);
    await p.waitFor(/Enforcer started/);
  };

  /** Live runner processes of this test: camera id → nodes running it. */
  const running = runningCameras(NODES, () => sql);

  async function sample(): Promise<void> {
    samples++;
    for (const [camera, nodes] of await running()) if (nodes.length > 1) violations.push(`camera ${camera} runs on ${nodes.join(' and ')}`);
    const rows = await sql.query<{ camera_id: number; n: string }>('SELECT camera_id, COUNT(*) AS n FROM runners WHERE pid IS NOT NULL GROUP BY camera_id HAVING COUNT(*) > 1');
    for (const r of rows) violations.push(`camera ${r.camera_id} has ${r.n} rows recording a process`);
  }

  /** Every desired camera runs exactly once, on the node `expectedNode` says. */
  async function settled(expectedNode: (camera: number) => string | null): Promise<boolean> {
    const now = await running();
    for (const camera of [...floating, ...pinned.keys()]) {
      const want = expectedNode(camera);
      const got = now.get(camera) ?? [];
      if (want === null ? got.length !== 0 : got.length !== 1 || got[0] !== want) return false;
    }
    return true;
  }

  beforeAll(async () => {
    requireBuild();
    db = await createPostgresDatabase();
    dir = mkdtempSync(join(tmpdir(), 'bisk-hosts-'));
    const target = new URL(db.url);
    proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const via = new URL(db.url);
    via.hostname = '127.0.0.1';
    via.port = String(await proxy.start());
    proxiedUrl = via.toString();
    const config = loadConfig({ DATABASE_URL: db.url });
    await migrateDatabase(config.database);
    sql = await openSql(config.database);
    await sql.query(`INSERT INTO stream_profiles (name, extra_args) VALUES ('p', '{}')`);
    await sql.query(`INSERT INTO schedule_policies (name) VALUES ('always')`);
    for (let d = 0; d < 7; d++) await sql.query(`INSERT INTO schedule_windows (policy_id, day_of_week, start_time, end_time, profile_id) VALUES (1, ?, '00:00:00', '00:00:00', 1)`, [d]);
    for (let i = 1; i <= 36; i++) {
      const node = i > 30 ? NODES[(i - 31) % 3] : null;
      const [row] = await sql.query<{ id: number }>('INSERT INTO cameras (name, rtsp_url, node) VALUES (?, ?, ?) RETURNING id', [`cam-${i}`, 'rtsp://10.0.0.1/s', node]);
      await sql.query('INSERT INTO schedule_policy_cameras (policy_id, camera_id) VALUES (1, ?)', [row.id]);
      if (node) pinned.set(Number(row.id), node);
      else floating.push(Number(row.id));
    }
    sampler = setInterval(() => void sample().catch((error: Error) => violations.push(`sampler: ${error.message}`)), 100);
  }, 60_000);

  afterAll(async () => {
    clearInterval(sampler);
    for (const p of enforcers.values()) p.child.kill('SIGTERM');
    await Promise.all([...enforcers.values()].map((p) => p.exit(20_000)));
    for (const p of findMarkedProcesses().filter((m) => NODES.includes(m.node))) process.kill(p.pid, 'SIGKILL');
    await proxy?.close();
    await sql?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('runs every desired pair exactly once: floating cameras by the hash of the live nodes, pinned ones on their node', async () => {
    for (const node of NODES) await start(node);
    const owner = (camera: number) => pinned.get(camera) ?? ownerOf(camera, NODES);
    await until('36 cameras running once each, on their owners', () => settled(owner), 30_000);
    const share = NODES.map((n) => floating.filter((c) => ownerOf(c, NODES) === n).length);
    expect(share.every((n) => n > 0)).toBe(true);
    expect(violations).toEqual([]);
  }, 60_000);

  it('shows the nodes through GET /api/nodes', async () => {
    const h = await startApp('postgres', { DATABASE_URL: db.url, NODE_NAME: 'api' });
    try {
      const res = await h.request('GET', '/api/nodes');
      expect(res.status).toBe(200);
      expect(res.body.live).toBe(3);
      expect(res.body.items.map((n: { name: string }) => n.name)).toEqual(NODES);
      for (const n of res.body.items) {
        expect(n).toMatchObject({ alive: true, version: expect.any(String), pid: expect.any(Number), runners: 2 + n.floatingCameras });
        expect(Date.parse(n.leaseExpiresAt)).toBeGreaterThan(Date.now());
      }
      expect(res.body.items.reduce((sum: number, n: { floatingCameras: number }) => sum + n.floatingCameras, 0)).toBe(30);
      const system = await h.request('GET', '/api/system');
      expect(system.body.tallies.desired).toBe(36);
      expect(system.body.nodes.map((n: { name: string; alive: boolean; runners: number }) => [n.name, n.alive, n.runners])).toEqual(
        res.body.items.map((n: { name: string; runners: number }) => [n.name, true, n.runners]),
      );
      const page = await h.request('GET', '/dash/system/?fragment=1');
      expect(page.raw).toMatch(/<table id="nodes">[\s\S]*<td>n1<\/td><td><span class="dot ok"><\/span>live<\/td>/);
      expect(system.body.runners.filter((r: { pid: number | null; wanted: boolean }) => r.pid !== null && r.wanted)).toHaveLength(36);
    } finally {
      await h.close();
    }
  }, 60_000);

  it('moves a lost node’s floating cameras to the survivors within lease + one tick; its pinned cameras wait', async () => {
    // A host going down takes its enforcer and its runners with it.
    const t0 = Date.now();
    enforcers.get('n2')!.child.kill('SIGKILL');
    for (const p of findMarkedProcesses().filter((m) => m.node === 'n2')) process.kill(p.pid, 'SIGKILL');
    await enforcers.get('n2')!.exit();
    enforcers.delete('n2');
    const survivors = ['n1', 'n3'];
    const owner = (camera: number) => (pinned.has(camera) ? (pinned.get(camera) === 'n2' ? null : pinned.get(camera)!) : ownerOf(camera, survivors));
    await until('n2’s floating cameras running on n1 and n3', () => settled(owner), 30_000);
    const elapsed = (Date.now() - t0) / 1000;
    expect(elapsed).toBeLessThan(LEASE_SECONDS + INTERVAL_SECONDS + 6);
    const events = await sql.query<{ message: string }>(`SELECT message FROM enforcer_events WHERE kind = 'handover' AND message LIKE 'taken over from node n2%'`);
    expect(events.length).toBeGreaterThan(0);
    expect(violations).toEqual([]);
  }, 60_000);

  it('takes back only what the hash gives a node that returns, never running a pair twice meanwhile', async () => {
    const before = await running();
    await start('n2');
    const owner = (camera: number) => pinned.get(camera) ?? ownerOf(camera, NODES);
    await until('all 36 cameras back on their owners', () => settled(owner), 30_000);
    // Cameras the hash leaves with n1 and n3 never moved.
    const after = await running();
    for (const camera of floating.filter((c) => ownerOf(c, NODES) !== 'n2')) expect(after.get(camera)).toEqual(before.get(camera));
    const waits = await sql.query<{ message: string }>(`SELECT message FROM enforcer_events WHERE kind = 'handover' AND node = 'n2' AND message LIKE 'waiting for node %'`);
    expect(waits.length).toBeGreaterThan(0);
    expect(samples).toBeGreaterThan(50);
    expect(violations).toEqual([]);
  }, 60_000);

  it('keeps a node’s runners through a brief loss of its database link, then converges', async () => {
    const mine = async () => [...(await running())].filter(([, nodes]) => nodes.includes('n1')).map(([camera]) => camera).sort();
    const before = await mine();
    // Packets dropped, not refused (a cable, a switch): the server keeps n1's session, so nothing moves.
    proxy.hold();
    await new Promise((r) => setTimeout(r, 1500)); // shorter than the fencing delay (lease − interval = 3 s)
    expect(await mine()).toEqual(before);
    proxy.release();
    const owner = (camera: number) => pinned.get(camera) ?? ownerOf(camera, NODES);
    await until('settled after the brief outage', () => settled(owner), 20_000);
    expect(violations).toEqual([]);
  }, 60_000);

  it('fences a node whose link is reset: its floating runners stop before the others start them, never twice', async () => {
    // Connections refused and reset: the server ends n1's session, which the others read as n1 gone
    // (presence.ts); n1, unable to reopen it, steps back at once instead of when its lease runs out.
    await proxy.block();
    // n1's pinned cameras stay on n1 (nobody else may run them); its floating ones move.
    const moved = (camera: number) => pinned.get(camera) ?? ownerOf(camera, ['n2', 'n3']);
    await until('n1’s floating cameras on n2 and n3', () => settled(moved), 30_000);
    await proxy.unblock();
    const owner = (camera: number) => pinned.get(camera) ?? ownerOf(camera, NODES);
    await until('n1 back with its share', () => settled(owner), 30_000);
    expect(enforcers.get('n1')!.output()).toMatch(/node n1's database session was lost \(.+\) and cannot be reopened \(.+\): stopped \d+ floating runner\(s\) so that another node can take them over/);
    const takeovers = await sql.query<{ n: string }>(`SELECT COUNT(*) AS n FROM enforcer_events WHERE kind = 'handover' AND message LIKE 'taken over from node n1%'`);
    expect(Number(takeovers[0].n)).toBeGreaterThan(0);
    expect(violations).toEqual([]);
  }, 90_000);

  it('fences in time when a node\'s link goes black (packets held, not refused) with its tick hung, and never runs a pair twice', async () => {
    const fenceLines = () => enforcers.get('n1')!.output().match(/lease of node n1 not renewed for 3 s: stopped \d+ floating runner/g)?.length ?? 0;
    const fencedBefore = fenceLines();
    proxy.hold();
    const moved = (camera: number) => pinned.get(camera) ?? ownerOf(camera, ['n2', 'n3']);
    await until('n1’s floating cameras on n2 and n3', () => settled(moved), 30_000);
    expect(fenceLines()).toBeGreaterThan(fencedBefore); // n1's tick waits on the database; its fence did not
    proxy.release(); // the held bytes arrive late: n1 must not act on an answer from before the others took over
    const owner = (camera: number) => pinned.get(camera) ?? ownerOf(camera, NODES);
    await until('n1 back with its share', () => settled(owner), 40_000);
    expect(violations).toEqual([]);
  }, 90_000);
});

if (!POSTGRES_URL) it.skip('several hosts on PostgreSQL: set BISK_TEST_POSTGRES_URL to run', () => {});

describe('several nodes on SQLite', () => {
  it('refuses a second node on one SQLite database with a clear message', async () => {
    requireBuild();
    const dir = mkdtempSync(join(tmpdir(), 'bisk-sqlite-nodes-'));
    const base = { DATABASE_URL: join(dir, 'bisk.sqlite'), BISK_DATA_DIR: dir, RUNNER_COMMAND: RUNNER, RUNNER_LOG_DIR: join(dir, 'logs') };
    const first = startProcess(CLI, ['run-enforcer'], { ...base, NODE_NAME: 'box-a', ENFORCER_LOCK_FILE: join(dir, 'a.lock') });
    try {
      await first.waitFor(/Enforcer started/);
      const second = runCli(['run-enforcer'], { ...base, NODE_NAME: 'box-b', ENFORCER_LOCK_FILE: join(dir, 'b.lock') });
      expect(second.code).toBe(1);
      expect(second.stderr.trim()).toMatch(/^Several nodes need PostgreSQL: node box-a \(.+\) already runs an enforcer on this SQLite database.*DATABASE_URL=postgres:/);
      expect(second.stderr).not.toMatch(/\n\s+at /);
    } finally {
      first.child.kill('SIGTERM');
      await first.exit();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
