import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQL_PORT, type Sql } from '../../src/database/sql.js';
import { isSameProcess, readStat } from '../../src/enforcer/proc.js';
import { type HistoryFilter, historyStatements } from '../../src/heartbeats/heartbeat-history.js';
import { type Harness, startApp } from '../support/app-harness.js';
import { freePort } from '../support/processes.js';
import { embeddedEnforcerEnv, until } from '../support/wait.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const T0 = Date.parse('2026-11-30T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

interface Seeded {
  id: number;
  cameraId: number;
  profileId: number;
}

interface RunnerSeed {
  cameraId: number;
  profileId: number;
  node?: string;
  status?: string;
  pid?: number | null;
  startTime?: string | null;
  lastHeartbeatAt?: Date;
  cameraFps?: number;
}

/**
 * GET /api/runners/:id/heartbeats, POST /api/runners/:id/restart and DELETE /api/heartbeats
 * through HTTP on the real app, on one engine; history rows and runner rows are seeded
 * directly through the SQL port. The restart runs against a real embedded enforcer with
 * real child processes (test/fixtures).
 */
export function defineRunnersApiSuite(engine: 'sqlite' | 'postgres') {
  describe(`runners and heartbeat history API on ${engine}`, () => {
    const node = `runners-api-${engine}-${process.pid}`;
    let h: Harness;
    let sql: Sql;
    let seq = 0;
    const unique = (prefix: string) => `${prefix}-${++seq}`;

    const createPair = async () => {
      const camera = await h.request('POST', '/api/cameras', { name: unique('cam'), rtspUrl: 'rtsp://10.0.0.9/s' });
      const profile = await h.request('POST', '/api/profiles', { name: unique('profile') });
      expect(camera.status, camera.raw).toBe(201);
      expect(profile.status, profile.raw).toBe(201);
      return { cameraId: camera.body.id as number, profileId: profile.body.id as number };
    };
    const insertRunner = async (row: RunnerSeed): Promise<Seeded> => {
      const [inserted] = await sql.query<{ id: number }>(
        'INSERT INTO runners (camera_id, profile_id, node, status, pid, process_start_time, last_heartbeat_at, camera_fps) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
        [row.cameraId, row.profileId, row.node ?? node, row.status ?? 'exited', row.pid ?? null, row.startTime ?? null, sql.instant(row.lastHeartbeatAt ?? null), row.cameraFps ?? null],
      );
      return { id: Number(inserted.id), cameraId: row.cameraId, profileId: row.profileId };
    };
    /** A runner row on a new camera and profile. */
    const seedRunner = async (over: Partial<RunnerSeed> = {}) => insertRunner({ ...(await createPair()), ...over });
    /** Heartbeat rows of a pair at the given offsets (seconds from T0), in one statement. */
    const insertHeartbeats = async (pair: { cameraId: number; profileId: number }, seconds: number[], extra: { lastError?: string; pid?: number } = {}) => {
      for (let i = 0; i < seconds.length; i += 200) {
        const chunk = seconds.slice(i, i + 200);
        await sql.execute(
          `INSERT INTO runner_heartbeats (camera_id, profile_id, pid, ts, camera_fps, processed_fps, target_fps, detected, matched, latency_ms, last_error, snapshot_every, min_face_px) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
          chunk.flatMap((s) => [pair.cameraId, pair.profileId, extra.pid ?? 4242, sql.instant(at(s)), 25, 12.5, 10, Math.round(s), 1, 33.3, extra.lastError ?? '', 3, 40]),
        );
      }
    };
    const historyCount = async (pair?: { cameraId: number; profileId: number }) => {
      const [row] = pair
        ? await sql.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM runner_heartbeats WHERE camera_id = ? AND profile_id = ?', [pair.cameraId, pair.profileId])
        : await sql.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM runner_heartbeats');
      return Number(row.n);
    };

    beforeAll(async () => {
      h = await startApp(engine, { NODE_NAME: node });
      sql = h.app.get<Sql>(SQL_PORT);
    });
    afterAll(async () => {
      await h?.close();
    });

    describe('GET /api/runners/:id/heartbeats', () => {
      it('answers the stored history of the runner\'s pair, newest first, with every stored field and lastError masked', async () => {
        const runner = await seedRunner();
        const other = await seedRunner();
        await insertHeartbeats(runner, [0, 10, 20]);
        await insertHeartbeats(runner, [30], { lastError: 'cannot open rtsp://admin:s3cret@10.0.0.5/stream', pid: 4343 });
        await insertHeartbeats(other, [5, 15, 25, 35]);

        const res = await h.request('GET', `/api/runners/${runner.id}/heartbeats`);
        expect(res.status, res.raw).toBe(200);
        expect(res.body).toMatchObject({ runnerId: runner.id, cameraId: runner.cameraId, profileId: runner.profileId, total: 4, limit: 100, offset: 0 });
        expect(res.body.items.map((i: { at: string }) => i.at)).toEqual([at(30), at(20), at(10), at(0)].map((d) => d.toISOString()));
        expect(res.body.items[0]).toEqual({
          id: expect.any(Number), at: at(30).toISOString(), pid: 4343, cameraFps: 25, processedFps: 12.5, targetFps: 10, detected: 30, matched: 1,
          latencyMs: 33.3, lastError: 'cannot open rtsp://admin:***@10.0.0.5/stream', snapshotEvery: 3, minFacePx: 40,
        });
        expect(res.raw).not.toContain('s3cret');
        expect(res.body.items[1]).toMatchObject({ pid: 4242, detected: 20, lastError: '' });
      });

      it('pages with limit and offset (default 100, at most 1000) and narrows with before (exclusive) and since (inclusive)', async () => {
        const runner = await seedRunner();
        await insertHeartbeats(runner, Array.from({ length: 150 }, (_, i) => i));

        const first = await h.request('GET', `/api/runners/${runner.id}/heartbeats`);
        expect(first.body).toMatchObject({ total: 150, limit: 100, offset: 0 });
        expect(first.body.items).toHaveLength(100);
        expect(first.body.items[0].at).toBe(at(149).toISOString());
        const second = await h.request('GET', `/api/runners/${runner.id}/heartbeats?limit=100&offset=100`);
        expect(second.body.items).toHaveLength(50);
        expect(second.body.items[0].at).toBe(at(49).toISOString());
        expect(second.body.items.at(-1).at).toBe(at(0).toISOString());
        const all = await h.request('GET', `/api/runners/${runner.id}/heartbeats?limit=1000`);
        expect(all.status, all.raw).toBe(200);
        expect(all.body.items).toHaveLength(150);

        // The same instants written with an offset: 10:01:40Z is 13:01:40+03:00.
        const window = await h.request('GET', `/api/runners/${runner.id}/heartbeats?since=2026-11-30T13:01:30%2B03:00&before=2026-11-30T10:01:40Z&limit=5`);
        expect(window.status, window.raw).toBe(200);
        expect(window.body).toMatchObject({ total: 10, limit: 5 });
        expect(window.body.items.map((i: { at: string }) => i.at)).toEqual([99, 98, 97, 96, 95].map((s) => at(s).toISOString()));
      });

      it('is the history of the pair: every runner row of the pair (one per node) answers the same rows', async () => {
        const pair = await createPair();
        const here = await insertRunner({ ...pair, status: 'exited' });
        const elsewhere = await insertRunner({ ...pair, node: 'another-node', status: 'exited' });
        await insertHeartbeats(pair, [1, 2]);
        const a = await h.request('GET', `/api/runners/${here.id}/heartbeats`);
        const b = await h.request('GET', `/api/runners/${elsewhere.id}/heartbeats`);
        expect(a.body.items).toHaveLength(2);
        expect(b.body.items).toEqual(a.body.items);
      });

      it('answers 404 naming an unknown runner', async () => {
        const res = await h.request('GET', '/api/runners/2147483647/heartbeats');
        expect(res.status).toBe(404);
        expect(res.body.message).toBe('runner 2147483647 not found');
      });

      it('reads the pair\'s history along ix_runner_heartbeats_pair_ts, newest first, without a full scan or a sort of the table', async () => {
        // Enough rows in enough pairs that a scan of the table would be the planner's worst choice.
        const pairs = await Promise.all(Array.from({ length: 4 }, () => createPair()));
        for (const pair of pairs) await insertHeartbeats(pair, Array.from({ length: 1500 }, (_, i) => i));
        await sql.execute(engine === 'postgres' ? 'ANALYZE runner_heartbeats' : 'ANALYZE');
        const filters: HistoryFilter[] = [
          { limit: 100, offset: 0 },
          { limit: 100, offset: 200, before: at(1000), since: at(100) },
        ];
        for (const filter of filters) {
          const { page, count } = historyStatements(pairs[0], filter, sql);
          for (const statement of [page, count]) {
            if (engine === 'sqlite') {
              const plan = (await sql.query<{ detail: string }>(`EXPLAIN QUERY PLAN ${statement.text}`, statement.params)).map((r) => r.detail);
              expect(plan.join('\n')).toMatch(/SEARCH runner_heartbeats USING (COVERING )?INDEX ix_runner_heartbeats_pair_ts \(camera_id=\? AND profile_id=\?/);
              expect(plan.join('\n')).not.toMatch(/TEMP B-TREE|SCAN runner_heartbeats/);
            } else {
              const plan = (await sql.query<Record<string, string>>(`EXPLAIN ${statement.text}`, statement.params)).map((r) => r['QUERY PLAN']).join('\n');
              expect(plan).toMatch(/(Index|Index Only|Bitmap Index) Scan( Backward)? (using|on) ix_runner_heartbeats_pair_ts/);
              expect(plan).not.toMatch(/Seq Scan/);
              // A whole history is walked along the index newest first (only rows of equal ts are put
              // in id order); a narrow before/since window may be fetched through it and sorted.
              if (statement === page && !filter.before) {
                expect(plan).toMatch(/Index Scan Backward using ix_runner_heartbeats_pair_ts/);
                expect(plan).not.toMatch(/(^|-> {2})Sort /m);
              }
            }
          }
        }
      });
    });

    describe('DELETE /api/heartbeats', () => {
      it('deletes history rows strictly older than before — of one runner\'s pair, then of all — and keeps every runner\'s latest heartbeat', async () => {
        const lastHeartbeatAt = at(500);
        const runner = await seedRunner({ lastHeartbeatAt, cameraFps: 24.5 });
        const other = await seedRunner({ lastHeartbeatAt, cameraFps: 7 });
        await insertHeartbeats(runner, [0, 99.999, 100, 200]);
        await insertHeartbeats(other, [0, 50, 300]);
        const runnersBefore = await sql.query('SELECT id, last_heartbeat_at, camera_fps, status FROM runners ORDER BY id');

        // 10:01:40Z written as +03:00; the row at exactly that instant stays, the one 1 ms before goes.
        const one = await h.request('DELETE', `/api/heartbeats?before=2026-11-30T13:01:40.000%2B03:00&runnerId=${runner.id}`);
        expect(one.status, one.raw).toBe(200);
        expect(one.body).toEqual({ deleted: 2 });
        expect(await historyCount(runner)).toBe(2);
        expect(await historyCount(other)).toBe(3);

        const rest = await h.request('DELETE', '/api/heartbeats?before=2026-11-30T10:01:40Z');
        expect(rest.status, rest.raw).toBe(200);
        expect(rest.body.deleted).toBeGreaterThanOrEqual(2);
        expect(await historyCount(other)).toBe(1);
        expect(await historyCount(runner)).toBe(2);
        expect(await sql.query('SELECT id, last_heartbeat_at, camera_fps, status FROM runners ORDER BY id')).toEqual(runnersBefore);
        const listed = (await h.request('GET', '/api/runners?limit=500')).body.items.find((r: { id: number }) => r.id === runner.id);
        expect(listed).toMatchObject({ lastHeartbeatAt: lastHeartbeatAt.toISOString(), cameraFps: 24.5 });

        const again = await h.request('DELETE', '/api/heartbeats?before=2026-11-30T10:01:40Z');
        expect(again.body).toEqual({ deleted: 0 });
      });

      it('accepts the earliest and latest instants both engines store', async () => {
        expect((await h.request('DELETE', '/api/heartbeats?before=0001-01-01T00:00:00Z')).body).toEqual({ deleted: 0 });
        const runner = await seedRunner();
        await insertHeartbeats(runner, [1]);
        expect((await h.request('DELETE', `/api/heartbeats?before=9999-12-31T23:59:59.999Z&runnerId=${runner.id}`)).body).toEqual({ deleted: 1 });
      });
    });

    describe('POST /api/runners/:id/restart without an enforcer', () => {
      let sleeper: ChildProcess;
      beforeAll(() => {
        // Its own process group, as a runner has: a wrong stop would signal only it.
        sleeper = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
      });
      afterAll(() => {
        if (sleeper.pid && sleeper.exitCode === null) process.kill(sleeper.pid, 'SIGKILL');
      });

      it('answers 503 and leaves the runner\'s process alone when no enforcer would start it again', async () => {
        const pid = sleeper.pid!;
        const startTime = readStat(pid)!.startTime;
        const runner = await seedRunner({ status: 'running', pid, startTime });
        const res = await h.request('POST', `/api/runners/${runner.id}/restart`);
        expect(res.status, res.raw).toBe(503);
        expect(res.body.message).toMatch(new RegExp(`No enforcer is running on node ${node} .*so it was not stopped`));
        expect(isSameProcess(pid, startTime)).toBe(true);
        const [row] = await sql.query<{ status: string; pid: number }>('SELECT status, pid FROM runners WHERE id = ?', [runner.id]);
        expect(row).toEqual({ status: 'running', pid });
      });

      it('answers 409 for a runner without a process, one being stopped, or one of another node', async () => {
        const idle = await seedRunner({ status: 'backoff' });
        const notRunning = await h.request('POST', `/api/runners/${idle.id}/restart`, {});
        expect(notRunning.status).toBe(409);
        expect(notRunning.body.message).toBe(`runner ${idle.id} is not running (status backoff, no process): nothing to restart; the enforcer starts it when its schedule wants it`);
        const stopping = await seedRunner({ status: 'stopping', pid: 999_999 });
        expect((await h.request('POST', `/api/runners/${stopping.id}/restart`)).body).toMatchObject({ statusCode: 409, message: `runner ${stopping.id} (pid 999999) is already being stopped` });
        const remote = await seedRunner({ status: 'running', pid: 999_998, node: 'gpu-box-9' });
        const res = await h.request('POST', `/api/runners/${remote.id}/restart`);
        expect(res.status).toBe(409);
        expect(res.body.message).toMatch(new RegExp(`runner ${remote.id} runs on node gpu-box-9; this app \\(node ${node}\\) can only signal its own node's runners`));
      });
    });

    describe('bad input', () => {
      let runnerId: number;
      beforeAll(async () => {
        const runner = await seedRunner();
        runnerId = runner.id;
        await insertHeartbeats(runner, [1, 2, 3]);
      });

      it.each([
        ['a non-decimal runner id', 'GET', '/api/runners/0x1/heartbeats', 400, /id must be a positive whole number \(got "0x1"\)/],
        ['a runner id with a leading zero', 'GET', '/api/runners/01/heartbeats', 400, /id must be a positive whole number/],
        ['runner id 0', 'GET', '/api/runners/0/heartbeats', 400, /id must be a positive whole number/],
        ['runner id 2^31', 'GET', '/api/runners/2147483648/heartbeats', 400, /id must be a positive whole number \(got "2147483648"\)/],
        ['limit=0', 'GET', '/api/runners/:id/heartbeats?limit=0', 400, /^limit must not be less than 1$/],
        ['limit=1001', 'GET', '/api/runners/:id/heartbeats?limit=1001', 400, /^limit must not be greater than 1000$/],
        ['limit=abc', 'GET', '/api/runners/:id/heartbeats?limit=abc', 400, /^limit must be a whole number$/],
        ['limit=1e2', 'GET', '/api/runners/:id/heartbeats?limit=1e2', 400, /^limit must be a whole number$/],
        ['limit given twice', 'GET', '/api/runners/:id/heartbeats?limit=1&limit=2', 400, /^limit must be a whole number$/],
        ['offset=-1', 'GET', '/api/runners/:id/heartbeats?offset=-1', 400, /^offset must be a whole number$/],
        ['offset=2^31', 'GET', '/api/runners/:id/heartbeats?offset=2147483648', 400, /^offset must not be greater than 2147483647$/],
        ['before=garbage', 'GET', '/api/runners/:id/heartbeats?before=garbage', 400, /^before must be an ISO-8601 date-time with Z or an offset, such as 2026-12-01T08:00:00\+03:00 \(got "garbage"\)$/],
        ['before without an offset', 'GET', '/api/runners/:id/heartbeats?before=2026-11-30T10:00:00', 400, /^before must be an ISO-8601 date-time with Z or an offset/],
        ['since on a day that does not exist', 'GET', '/api/runners/:id/heartbeats?since=2026-02-30T00:00:00Z', 400, /^since must be an ISO-8601 date-time/],
        ['an empty since', 'GET', '/api/runners/:id/heartbeats?since=', 400, /^since must be an ISO-8601 date-time/],
        ['an unknown query parameter', 'GET', '/api/runners/:id/heartbeats?runner=1', 400, /^property runner should not exist$/],
        ['DELETE without before', 'DELETE', '/api/heartbeats', 400, /^before is required$/],
        ['DELETE with before=garbage', 'DELETE', '/api/heartbeats?before=garbage', 400, /^before must be an ISO-8601 date-time with Z or an offset/],
        ['DELETE with a bare date', 'DELETE', '/api/heartbeats?before=2026-12-01', 400, /^before must be an ISO-8601 date-time with Z or an offset/],
        ['DELETE before year 1 once in UTC', 'DELETE', '/api/heartbeats?before=0001-01-01T00:00:00%2B01:00', 400, /^before must be an ISO-8601 date-time/],
        ['DELETE with an hour 24', 'DELETE', '/api/heartbeats?before=2026-12-01T24:00:00Z', 400, /^before must be an ISO-8601 date-time/],
        ['DELETE with runnerId=abc', 'DELETE', '/api/heartbeats?before=2100-01-01T00:00:00Z&runnerId=abc', 400, /^runnerId must be a whole number$/],
        ['DELETE with runnerId=0x1', 'DELETE', '/api/heartbeats?before=2100-01-01T00:00:00Z&runnerId=0x1', 400, /^runnerId must be a whole number$/],
        ['DELETE with runnerId=0', 'DELETE', '/api/heartbeats?before=2100-01-01T00:00:00Z&runnerId=0', 400, /^runnerId must not be less than 1$/],
        ['DELETE with runnerId=2^31', 'DELETE', '/api/heartbeats?before=2100-01-01T00:00:00Z&runnerId=2147483648', 400, /^runnerId must not be greater than 2147483647$/],
        ['DELETE with an unknown runner', 'DELETE', '/api/heartbeats?before=2100-01-01T00:00:00Z&runnerId=2147483647', 404, /^runner 2147483647 not found$/],
        ['DELETE with an unknown query parameter', 'DELETE', '/api/heartbeats?before=2100-01-01T00:00:00Z&cameraId=1', 400, /^property cameraId should not exist$/],
        ['restart of a non-decimal id', 'POST', '/api/runners/1e0/restart', 400, /id must be a positive whole number \(got "1e0"\)/],
        ['restart of id 2^31', 'POST', '/api/runners/2147483648/restart', 400, /id must be a positive whole number/],
        ['restart of an unknown runner', 'POST', '/api/runners/2147483647/restart', 404, /^runner 2147483647 not found$/],
      ])('%s: %s %s → %i', async (_name, method, url, status, message) => {
        const before = await historyCount();
        const res = await h.request(method, url.replace(':id', String(runnerId)));
        expect(res.status, res.raw).toBe(status);
        expect(res.body.message).toMatch(message);
        expect(res.raw).not.toMatch(/\bat .*\.(ts|js):\d+/);
        expect(await historyCount()).toBe(before);
      });

      it.each([
        ['DELETE', () => '/api/heartbeats?before=2100-01-01T00:00:00Z', /DELETE \/api\/heartbeats takes no body: send none or \{\}/],
        ['POST', () => `/api/runners/${runnerId}/restart`, /POST \/api\/runners\/\d+\/restart takes no body: send none or \{\}/],
      ])('a body on %s is refused and nothing is deleted', async (method, url, message) => {
        const before = await historyCount();
        const res = await h.request(method, url(), { runnerId });
        expect(res.status).toBe(400);
        expect(res.body.message).toMatch(message);
        expect(await historyCount()).toBe(before);
      });
    });

    it('documents the three endpoints in OpenAPI with their parameters', async () => {
      const doc = (await h.request('GET', '/docs/openapi.json')).body;
      const names = (op: { parameters: { name: string; in: string; required?: boolean }[] }) => op.parameters.map((p) => `${p.in}:${p.name}${p.required ? '!' : ''}`).sort();
      expect(names(doc.paths['/api/runners/{id}/heartbeats'].get)).toEqual(['path:id!', 'query:before', 'query:limit', 'query:offset', 'query:since']);
      expect(names(doc.paths['/api/heartbeats'].delete)).toEqual(['query:before!', 'query:runnerId']);
      expect(names(doc.paths['/api/runners/{id}/restart'].post)).toEqual(['path:id!']);
      expect(Object.keys(doc.paths['/api/runners/{id}/restart'].post.responses).sort()).toEqual(['202', '404', '409', '503']);
      expect(Object.keys(doc.paths['/api/runners/{id}/heartbeats'].get.responses).sort()).toEqual(['200', '400', '404']);
    });
  });

  describe(`POST /api/runners/:id/restart with a real enforcer on ${engine}`, () => {
    let h: Harness;

    beforeAll(async () => {
      const port = await freePort();
      // A long interval: a prompt new process can only come from the restart waking the enforcer.
      h = await startApp(engine, embeddedEnforcerEnv(port, {
        ENFORCER_INTERVAL_SECONDS: '60', RUNNER_COMMAND: join(FIXTURES, 'dispatch.sh'), RUNNER_STOP_TIMEOUT_SECONDS: '2', NODE_NAME: `runners-restart-${engine}-${process.pid}`,
      }), { listen: true });
    });
    afterAll(async () => {
      await h?.close();
    });

    it('stops the runner\'s process and the enforcer starts it again at once: same runner row, a new pid', async () => {
      const camera = (await h.request('POST', '/api/cameras', { name: 'restart-cam', rtspUrl: 'fixture:sleeper' })).body;
      const profile = (await h.request('POST', '/api/profiles', { name: 'restart-profile' })).body;
      await h.request('POST', '/api/policies', {
        name: 'restart-policy', cameraIds: [camera.id], windows: [0, 1, 2, 3, 4, 5, 6].map((d) => ({ dayOfWeek: d, startTime: '00:00', endTime: '00:00', profileId: profile.id })),
      });
      // One tick now, as "enforce now" wakes an enforcer on this host, but without leaving an
      // enforce request in the state store that a later poll would answer with a tick of its own.
      process.kill(process.pid, 'SIGUSR1');
      const runningRow = `SELECT id, pid, process_start_time, status, restart_count FROM runners WHERE camera_id = ${camera.id}`;
      const old = await until('the runner running', async () => {
        const row = (await h.dataSource.query(runningRow))[0];
        return row?.status === 'running' && row.pid ? row : undefined;
      });
      expect(isSameProcess(old.pid, old.process_start_time)).toBe(true);

      const res = await h.request('POST', `/api/runners/${old.id}/restart`);
      expect(res.status, res.raw).toBe(202);
      expect(res.body).toMatchObject({
        runnerId: old.id, cameraId: camera.id, profileId: profile.id, oldPid: old.pid, stopped: true, enforcerPid: process.pid, signalled: true,
        message: `runner ${old.id} (pid ${old.pid}) stopped; the enforcer starts it again at once if its schedule still wants it`,
      });
      expect(isSameProcess(old.pid, old.process_start_time)).toBe(false);

      const fresh = await until('a new process for the same runner', async () => {
        const row = (await h.dataSource.query(runningRow))[0];
        return row?.status === 'running' && row.pid && row.pid !== old.pid ? row : undefined;
      }, 5000);
      expect(fresh.id).toBe(old.id);
      expect(isSameProcess(fresh.pid, fresh.process_start_time)).toBe(true);
      expect(Number(fresh.restart_count)).toBe(Number(old.restart_count) + 1);
      const events = await h.dataSource.query(`SELECT kind, pid, message FROM enforcer_events WHERE camera_id = ${camera.id} ORDER BY id`);
      expect(events.map((e: { kind: string }) => e.kind)).toEqual(['start', 'stop', 'start']);
      expect(events[1]).toMatchObject({ pid: old.pid, message: 'restart requested through the API; stopped' });
      expect(events[2].pid).toBe(fresh.pid);
    });
  });
}
