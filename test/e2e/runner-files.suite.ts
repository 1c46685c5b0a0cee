import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppConfig } from '../../src/config/app-config.js';
import { SQL_PORT, type Sql } from '../../src/database/sql.js';
import { RUN_START_MARK } from '../../src/enforcer/process.adapter.js';
import { readStat } from '../../src/enforcer/proc.js';
import { type Harness, startApp } from '../support/app-harness.js';
import { until } from '../support/wait.js';

const HEARTBEAT_KEY = 'hb-key-runner-files-0123456789';
const BAD_IDS: [string, string][] = [
  ['letters', 'abc'], ['hexadecimal', '0x1'], ['a leading zero', '01'], ['an exponent', '1e0'], ['a fraction', '1.5'],
  ['a negative number', '-1'], ['zero', '0'], ['2^31', '2147483648'], ['a huge number', '99999999999999999999'],
];
const jpeg = (label: string) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(label), Buffer.from([0xff, 0xd9])]);

/**
 * What the console's Runners and Cameras pages read from this host's files and processes,
 * through HTTP on the real app, on one engine: camera snapshots (SNAPSHOT_DIR), runner process
 * figures (/proc of a real child process) and the end of a runner's log (RUNNER_LOG_DIR).
 */
export function defineRunnerFilesSuite(engine: 'sqlite' | 'postgres') {
  describe(`runner files API on ${engine}`, () => {
    const node = `runner-files-${engine}-${process.pid}`;
    let h: Harness;
    let sql: Sql;
    let config: AppConfig;
    let seq = 0;
    const unique = (prefix: string) => `${prefix}-${++seq}`;
    const children: ChildProcess[] = [];

    const createPair = async () => {
      const camera = await h.request('POST', '/api/cameras', { name: unique('cam'), rtspUrl: 'rtsp://10.0.0.9/s' });
      const profile = await h.request('POST', '/api/profiles', { name: unique('profile') });
      expect(camera.status, camera.raw).toBe(201);
      expect(profile.status, profile.raw).toBe(201);
      return { cameraId: camera.body.id as number, profileId: profile.body.id as number };
    };
    const seedRunner = async (over: { node?: string; status?: string; pid?: number | null; startTime?: string | null } = {}) => {
      const pair = await createPair();
      const [row] = await sql.query<{ id: number }>(
        'INSERT INTO runners (camera_id, profile_id, node, status, pid, process_start_time) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
        [pair.cameraId, pair.profileId, over.node ?? node, over.status ?? 'running', over.pid ?? null, over.startTime ?? null],
      );
      return { id: Number(row.id), ...pair };
    };
    const getBinary = (url: string) => h.app.inject({ method: 'GET', url });
    /** Where the enforcer has the camera's runners write (`SNAPSHOT_DIR/camera-<c>/`), its directory made. */
    const snapshotFile = (cameraId: number, profileId: number, inDirOf = cameraId) => {
      const dir = join(config.runners.snapshotDir, `camera-${inDirOf}`);
      mkdirSync(dir, { recursive: true });
      return join(dir, `camera-${cameraId}-profile-${profileId}-latest.jpg`);
    };
    const logFile = (runner: { cameraId: number; profileId: number }) => join(config.runners.logDir, `camera-${runner.cameraId}-profile-${runner.profileId}.log`);

    beforeAll(async () => {
      h = await startApp(engine, { NODE_NAME: node, RUNNER_HEARTBEAT_KEY: HEARTBEAT_KEY });
      sql = h.app.get<Sql>(SQL_PORT);
      config = h.app.get(AppConfig);
      mkdirSync(config.runners.snapshotDir, { recursive: true });
      mkdirSync(config.runners.logDir, { recursive: true });
    });
    afterEach(() => {
      for (const child of children.splice(0)) {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    });
    afterAll(async () => {
      await h?.close();
    });

    describe('GET /api/cameras/:id/snapshot', () => {
      it('answers the newest snapshot of the camera\'s profiles as image/jpeg, not cached', async () => {
        const { cameraId, profileId } = await createPair();
        const other = (await createPair()).profileId;
        writeFileSync(snapshotFile(cameraId, profileId), jpeg('older'));
        const old = new Date(Date.now() - 60_000);
        utimesSync(snapshotFile(cameraId, profileId), old, old);
        writeFileSync(snapshotFile(cameraId, other), jpeg('newest'));
        const res = await getBinary(`/api/cameras/${cameraId}/snapshot`);
        expect(res.statusCode, res.body).toBe(200);
        expect(res.headers['content-type']).toBe('image/jpeg');
        expect(res.headers['cache-control']).toBe('no-store');
        expect(res.headers['content-length']).toBe(String(jpeg('newest').length));
        expect(Date.parse(String(res.headers['last-modified']))).toBeGreaterThan(old.getTime());
        expect(res.rawPayload.equals(jpeg('newest'))).toBe(true);
      });

      it('404 with a JSON message for a camera without a snapshot and for an unknown camera', async () => {
        const { cameraId } = await createPair();
        const none = await h.request('GET', `/api/cameras/${cameraId}/snapshot`);
        expect(none.status).toBe(404);
        expect(none.headers['content-type']).toMatch(/application\/json/);
        expect(none.body.message).toBe(`No snapshot of camera ${cameraId} on this host yet`);
        const unknown = await h.request('GET', '/api/cameras/2147483647/snapshot');
        expect(unknown.status).toBe(404);
        expect(unknown.body.message).toBe('camera 2147483647 not found');
      });

      it('never serves what a symlink in the snapshot directory points to outside it', async () => {
        const { cameraId, profileId } = await createPair();
        symlinkSync('/etc/passwd', snapshotFile(cameraId, profileId));
        const res = await h.request('GET', `/api/cameras/${cameraId}/snapshot`);
        expect(res.status).toBe(404);
        expect(res.raw).not.toContain('root:');
        expect(res.body.message).toMatch(/No snapshot/);
      });

      it('never serves a camera directory that is itself a symlink leading outside SNAPSHOT_DIR', async () => {
        const { cameraId, profileId } = await createPair();
        const outside = join(dirname(config.runners.snapshotDir), unique('outside'));
        mkdirSync(outside);
        writeFileSync(join(outside, `camera-${cameraId}-profile-${profileId}-latest.jpg`), jpeg('outside secret'));
        symlinkSync(outside, join(config.runners.snapshotDir, `camera-${cameraId}`));
        const res = await h.request('GET', `/api/cameras/${cameraId}/snapshot`);
        expect(res.status).toBe(404);
        expect(res.raw).not.toContain('outside secret');
        expect(res.body.message).toBe(`No snapshot of camera ${cameraId} on this host yet`);
      });

      it('serves a camera only from its own directory: not from another camera\'s, not from SNAPSHOT_DIR itself', async () => {
        const { cameraId, profileId } = await createPair();
        const other = await createPair();
        writeFileSync(snapshotFile(cameraId, profileId, other.cameraId), jpeg('in the other camera\'s directory'));
        writeFileSync(join(config.runners.snapshotDir, `camera-${cameraId}-profile-${profileId}-latest.jpg`), jpeg('top level'));
        for (const id of [cameraId, other.cameraId]) {
          const res = await h.request('GET', `/api/cameras/${id}/snapshot`);
          expect(res.status).toBe(404);
          expect(res.body.message).toBe(`No snapshot of camera ${id} on this host yet`);
        }
      });

      it('refuses a file over 10 MiB without reading it', async () => {
        const { cameraId, profileId } = await createPair();
        writeFileSync(snapshotFile(cameraId, profileId), '');
        truncateSync(snapshotFile(cameraId, profileId), 8 * 1024 * 1024 * 1024); // sparse: 8 GiB on no disk
        const res = await h.request('GET', `/api/cameras/${cameraId}/snapshot`);
        expect(res.status).toBe(404);
        expect(res.body.message).toBe(`The latest snapshot of camera ${cameraId} is 8589934592 bytes, over the 10485760-byte limit: not served`);
        rmSync(snapshotFile(cameraId, profileId));
      });

      it.each(BAD_IDS)('400 naming the id for %s', async (_name, id) => {
        const res = await h.request('GET', `/api/cameras/${id}/snapshot`);
        expect(res.status).toBe(400);
        expect(res.body.message).toMatch(/^id must be a positive whole number/);
      });
    });

    describe('GET /api/runners/:id/process', () => {
      it('reads a real runner process on this node: memory, threads, child processes, age; CPU from the second read on', async () => {
        const child = spawn('sh', ['-c', 'sleep 60 & wait'], { detached: true, stdio: 'ignore' });
        children.push(child);
        const pid = child.pid!;
        const runner = await seedRunner({ pid, startTime: readStat(pid)!.startTime });
        const first = await until('the runner\'s child started', async () => {
          const res = await h.request('GET', `/api/runners/${runner.id}/process`);
          return res.body?.process?.childProcesses === 1 ? res : null;
        });
        expect(first.status).toBe(200);
        expect(first.headers['cache-control']).toBe('no-store');
        expect(first.body).toMatchObject({
          runnerId: runner.id, cameraId: runner.cameraId, profileId: runner.profileId, node, pid, status: 'running', reason: null,
          process: { pid, threads: 1, childProcesses: 1, cpuPercent: null },
        });
        expect(first.body.process.rssBytes).toBeGreaterThan(0);
        expect(first.body.process.uptimeSeconds).toBeGreaterThanOrEqual(0);
        expect(first.body.process.uptimeSeconds).toBeLessThan(60);
        const second = await until('a CPU figure', async () => {
          const res = await h.request('GET', `/api/runners/${runner.id}/process`);
          return res.body?.process?.cpuPercent !== null ? res : null;
        });
        expect(second.body.process.cpuPercent).toBeGreaterThanOrEqual(0);
      });

      it('null with a reason for a PID now owned by another process, a runner without a process and one of another node', async () => {
        const reused = await seedRunner({ pid: process.pid, startTime: '1' });
        expect((await h.request('GET', `/api/runners/${reused.id}/process`)).body).toMatchObject({ process: null, reason: `process ${process.pid} is gone` });
        const stopped = await seedRunner({ status: 'exited' });
        expect((await h.request('GET', `/api/runners/${stopped.id}/process`)).body).toMatchObject({ pid: null, process: null, reason: 'no process (status exited)' });
        const elsewhere = await seedRunner({ node: 'far-away', pid: process.pid });
        expect((await h.request('GET', `/api/runners/${elsewhere.id}/process`)).body).toMatchObject({
          node: 'far-away', process: null, reason: "runs on node far-away; its process is read by that node's app",
        });
      });

      it('404 for an unknown runner', async () => {
        const res = await h.request('GET', '/api/runners/2147483647/process');
        expect(res.status).toBe(404);
        expect(res.body.message).toBe('runner 2147483647 not found');
      });

      it.each(BAD_IDS)('400 naming the id for %s', async (_name, id) => {
        const res = await h.request('GET', `/api/runners/${id}/process`);
        expect(res.status).toBe(400);
        expect(res.body.message).toMatch(/^id must be a positive whole number/);
      });
    });

    describe('GET /api/runners/:id/log', () => {
      const runLog = (lines: string[]) =>
        [`${RUN_START_MARK} 2026-01-01T00:00:00.000Z ---`, 'earlier run', `${RUN_START_MARK} 2026-01-02T08:00:00.000Z ---`, ...lines].join('\n') + '\n';

      it('answers the lines since the last start, credentials and the heartbeat key masked', async () => {
        const runner = await seedRunner();
        writeFileSync(logFile(runner), runLog(['connecting to rtsp://user:secret@h/x', `posting with key ${HEARTBEAT_KEY}`, 'frame=25']));
        const res = await h.request('GET', `/api/runners/${runner.id}/log`);
        expect(res.status, res.raw).toBe(200);
        expect(res.headers['cache-control']).toBe('no-store');
        expect(res.body).toEqual({
          runnerId: runner.id, cameraId: runner.cameraId, profileId: runner.profileId, node,
          runStartedAt: '2026-01-02T08:00:00.000Z',
          lines: ['connecting to rtsp://user:***@h/x', 'posting with key ***', 'frame=25'],
          truncated: false,
        });
        expect(res.raw).not.toContain('secret');
        expect(res.raw).not.toContain(HEARTBEAT_KEY);
      });

      it('?lines=N gives the last N and says more exist; the default is 50', async () => {
        const runner = await seedRunner();
        writeFileSync(logFile(runner), runLog(Array.from({ length: 80 }, (_, i) => `line ${i + 1}`)));
        const two = await h.request('GET', `/api/runners/${runner.id}/log?lines=2`);
        expect(two.body).toMatchObject({ lines: ['line 79', 'line 80'], truncated: true });
        const byDefault = await h.request('GET', `/api/runners/${runner.id}/log`);
        expect(byDefault.body.lines).toHaveLength(50);
        expect(byDefault.body.lines[0]).toBe('line 31');
        const all = await h.request('GET', `/api/runners/${runner.id}/log?lines=500`);
        expect(all.body).toMatchObject({ truncated: false });
        expect(all.body.lines).toHaveLength(80);
      });

      it('reads only the end of a large log', async () => {
        const runner = await seedRunner();
        writeFileSync(logFile(runner), `${`${'x'.repeat(99)}\n`.repeat(20_000)}${runLog(['the last words'])}`); // 2 MB before the runs
        const res = await h.request('GET', `/api/runners/${runner.id}/log`);
        expect(res.body).toMatchObject({ runStartedAt: '2026-01-02T08:00:00.000Z', lines: ['the last words'], truncated: false });
        writeFileSync(logFile(runner), `${RUN_START_MARK} 2026-01-02T08:00:00.000Z ---\n${`${'y'.repeat(99)}\n`.repeat(20_000)}`);
        const long = await h.request('GET', `/api/runners/${runner.id}/log?lines=500`);
        expect(long.body).toMatchObject({ runStartedAt: null, truncated: true });
        expect(long.body.lines).toHaveLength(500);
      });

      it('404 for an unknown runner, a runner without a log, and a runner of another node', async () => {
        const unknown = await h.request('GET', '/api/runners/2147483647/log');
        expect(unknown.status).toBe(404);
        expect(unknown.body.message).toBe('runner 2147483647 not found');
        const silent = await seedRunner();
        const none = await h.request('GET', `/api/runners/${silent.id}/log`);
        expect(none.status).toBe(404);
        expect(none.body.message).toBe(`runner ${silent.id} has no log on this host yet`);
        const elsewhere = await seedRunner({ node: 'far-away' });
        writeFileSync(logFile(elsewhere), runLog(['not this host\'s runner']));
        const far = await h.request('GET', `/api/runners/${elsewhere.id}/log`);
        expect(far.status).toBe(404);
        expect(far.body.message).toBe(`runner ${elsewhere.id} runs on node far-away; its log is on that host`);
      });

      it.each([
        ['0', /lines must be at least 1/],
        ['501', /lines must be at most 500/],
        ['abc', /lines must be a whole number/],
        ['1.5', /lines must be a whole number/],
        ['-1', /lines must be a whole number/],
        ['0x10', /lines must be a whole number/],
        ['', /lines must be a whole number/],
      ])('400 naming lines for ?lines=%s', async (value, message) => {
        const runner = await seedRunner();
        writeFileSync(logFile(runner), runLog(['x']));
        const res = await h.request('GET', `/api/runners/${runner.id}/log?lines=${value}`);
        expect(res.status).toBe(400);
        expect(res.body.message).toMatch(message);
        expect(res.body.errors).toEqual([expect.objectContaining({ field: 'lines' })]);
      });

      it.each(BAD_IDS)('400 naming the id for %s', async (_name, id) => {
        const res = await h.request('GET', `/api/runners/${id}/log`);
        expect(res.status).toBe(400);
        expect(res.body.message).toMatch(/^id must be a positive whole number/);
      });
    });

    it('documents the three endpoints in OpenAPI', async () => {
      const spec = (await h.request('GET', '/docs/openapi.json')).body;
      expect(Object.keys(spec.paths['/api/cameras/{id}/snapshot'].get.responses['200'].content)).toEqual(['image/jpeg']);
      expect(spec.paths['/api/runners/{id}/process'].get.responses['200']).toBeDefined();
      expect(spec.paths['/api/runners/{id}/log'].get.parameters).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: 'lines', in: 'query' }), expect.objectContaining({ name: 'id', in: 'path' })]),
      );
      expect(spec.components.schemas.RunnerProcessFigures.properties).toHaveProperty('childProcesses');
    });
  });
}
