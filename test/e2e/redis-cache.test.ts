import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Breadcrumbs } from '../../src/enforcer/breadcrumbs.js';
import { type Harness, startApp } from '../support/app-harness.js';
import { CLI, ROOT, type Running, startProcess } from '../support/processes.js';
import { until } from '../support/wait.js';

const REDIS_URL = process.env.BISK_TEST_REDIS_URL?.trim() || undefined;
const withRedis = REDIS_URL ? describe : describe.skip;

// With REDIS_URL the breadcrumbs go through Redis, so an HTTP app on another host (here: another
// app with its own database file) sees the enforcer. Runs when BISK_TEST_REDIS_URL is set (CI sets it).
withRedis('breadcrumbs through Redis', () => {
  let a: Harness;
  let b: Harness;
  beforeAll(async () => {
    a = await startApp('sqlite', { REDIS_URL: REDIS_URL! });
    b = await startApp('sqlite', { REDIS_URL: REDIS_URL! });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('are written by one process and read by another', async () => {
    const stamp = new Date().toISOString();
    await a.app.get(Breadcrumbs).write({ lastRun: stamp, lastOk: stamp, runningPid: 4242, intervalSeconds: 15, node: 'redis-test' });
    const seen = await b.app.get(Breadcrumbs).read();
    expect(seen).toMatchObject({ lastRun: stamp, lastOk: stamp, runningPid: 4242, intervalSeconds: 15, node: 'redis-test' });
    const status = (await b.request('GET', '/api/enforcer/status')).body.enforcer;
    expect(status).toMatchObject({ runningPid: 4242, alive: true });
    await a.app.get(Breadcrumbs).clearRunning();
    expect((await b.app.get(Breadcrumbs).read()).runningPid).toBeNull();
  });
});

// Two HTTP app replicas (one database, one Redis) and an enforcer of another node: what one
// replica receives the other shows, and "enforce now" through either reaches that node.
withRedis('two HTTP replicas with Redis', () => {
  const KEY = 'hb-key-0123456789';
  const suffix = `${process.pid}-${Date.now()}`;
  const far = `far-${suffix}`;
  let a: Harness;
  let b: Harness;
  let dir: string;
  let enforcer: Running | undefined;
  let cameraId: number;
  let profileId: number;
  const beat = (h: Harness) =>
    h.request('POST', '/api/runner/heartbeat/', { camera_id: cameraId, profile_id: profileId, pid: 4242, camera_fps: 25, processed_fps: 5, last_error: '' }, { 'x-bisk-key': KEY });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bisk-replicas-'));
    const shared = { DATABASE_URL: join(dir, 'bisk.sqlite'), REDIS_URL: REDIS_URL!, RUNNER_HEARTBEAT_KEY: KEY, HB_LOG_EVERY_SEC: '60' };
    a = await startApp('sqlite', { ...shared, NODE_NAME: `a-${suffix}` });
    b = await startApp('sqlite', { ...shared, NODE_NAME: `b-${suffix}` });
    cameraId = (await a.request('POST', '/api/cameras', { name: 'replica-cam', rtspUrl: 'rtsp://h/s' })).body.id;
    profileId = (await a.request('POST', '/api/profiles', { name: 'replica-profile' })).body.id;
    await a.dataSource.query(`INSERT INTO runners (camera_id, profile_id, node, pid, status) VALUES (${cameraId}, ${profileId}, '${far}', 4242, 'running')`);
  });
  afterAll(async () => {
    if (enforcer) {
      enforcer.child.kill('SIGTERM');
      await enforcer.exit();
    }
    await a?.close();
    await b?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows on one replica a heartbeat sent to the other, and keeps one history row per interval between them', async () => {
    expect((await beat(a)).body).toMatchObject({ ok: true, stored: true });
    expect((await beat(b)).body).toMatchObject({ ok: true, stored: false });
    const row = await until('the heartbeat in /api/system on the other replica', async () => {
      const system = await b.request('GET', '/api/system');
      return (system.body.runners as { cameraId: number; heartbeat: string; cameraFps: number }[]).find((r) => r.cameraId === cameraId && r.heartbeat === 'online');
    });
    expect(row.cameraFps).toBe(25);
    const [{ n }] = await a.dataSource.query(`SELECT COUNT(*) AS n FROM runner_heartbeats WHERE camera_id = ${cameraId}`);
    expect(Number(n)).toBe(1);
  });

  it('passes "enforce now" through either replica to the named node’s enforcer', async () => {
    enforcer = startProcess(CLI, ['run-enforcer', '--interval', '3600'], {
      DATABASE_URL: join(dir, 'bisk.sqlite'), REDIS_URL: REDIS_URL!, NODE_NAME: far, ENFORCER_LOCK_FILE: join(dir, 'far.lock'), BISK_DATA_DIR: dir,
      RUNNER_COMMAND: join(ROOT, 'test/fixtures/idle.sh'), RUNNER_LOG_DIR: join(dir, 'logs'),
    });
    await enforcer.waitFor(/Enforcer started/);
    const crumbs = () => b.app.get(Breadcrumbs).forNode(far).read();
    const first = (await until('the enforcer’s first tick in Redis', async () => (await crumbs()).lastRun))!;
    // Replica A's own node has no enforcer: without ?node= it says so.
    expect((await a.request('POST', '/api/enforcer/enforce')).status).toBe(503);
    const res = await b.request('POST', `/api/enforcer/enforce?node=${far}`);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ requested: true, node: far, enforcerPid: enforcer.child.pid });
    const next = await until('a tick after the request', async () => {
      const seen = (await crumbs()).lastRun;
      return seen && seen !== first ? seen : undefined;
    }, 5000);
    expect(Date.parse(next)).toBeGreaterThan(Date.parse(first));
    expect((await a.request('POST', `/api/enforcer/enforce?node=${far}`)).status).toBe(429);
    expect((await a.request('POST', '/api/enforcer/enforce?node=bad name')).status).toBe(400);
  }, 30_000);
});
