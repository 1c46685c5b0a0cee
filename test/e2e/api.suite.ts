import { Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Harness, startApp } from '../support/app-harness.js';

const TABLES = [
  'cameras', 'stream_profiles', 'schedule_policies', 'schedule_windows', 'schedule_exceptions',
  'schedule_policy_cameras', 'resource_settings', 'runners', 'runner_heartbeats', 'enforcer_events',
];

/**
 * The whole REST API through HTTP (Fastify inject on the real app), on one engine.
 * Defined once, run on SQLite always and on PostgreSQL when BISK_TEST_POSTGRES_URL is set.
 */
export function defineApiSuite(engine: 'sqlite' | 'postgres') {
  describe(`REST API on ${engine}`, () => {
    let h: Harness;
    let seq = 0;
    const unique = (prefix: string) => `${prefix}-${++seq}`;

    const rowCounts = async () => {
      const counts: Record<string, number> = {};
      for (const table of TABLES) {
        const [row] = await h.dataSource.query(`SELECT COUNT(*) AS n FROM "${table}"`);
        counts[table] = Number(row.n);
      }
      return counts;
    };

    const createCamera = async (body: Record<string, unknown> = {}) => {
      const res = await h.request('POST', '/api/cameras', { name: unique('cam'), rtspUrl: 'rtsp://10.0.0.9/s', ...body });
      expect(res.status, res.raw).toBe(201);
      return res.body;
    };
    const createProfile = async (body: Record<string, unknown> = {}) => {
      const res = await h.request('POST', '/api/profiles', { name: unique('profile'), ...body });
      expect(res.status, res.raw).toBe(201);
      return res.body;
    };
    const createPolicy = async (body: Record<string, unknown> = {}) => {
      const res = await h.request('POST', '/api/policies', { name: unique('policy'), ...body });
      expect(res.status, res.raw).toBe(201);
      return res.body;
    };

    beforeAll(async () => {
      h = await startApp(engine);
    });
    afterAll(async () => {
      await h?.close();
    });

    describe('cameras', () => {
      it('creates a camera with defaults and masks the stream credentials', async () => {
        const res = await h.request('POST', '/api/cameras', { name: 'Gate 1', rtspUrl: 'rtsp://admin:s3cret@10.0.0.5:554/stream1' });
        expect(res.status).toBe(201);
        expect(res.body).toMatchObject({
          name: 'Gate 1',
          rtspUrl: 'rtsp://admin:***@10.0.0.5:554/stream1',
          location: '',
          isActive: true,
          paused: false,
          pauseUntil: null,
          rtspTransport: 'auto',
          hbInterval: 10,
          snapshotEvery: 3,
          preferCameraOverProfile: false,
          targetFpsReq: null,
          detSetReq: null,
          node: null,
        });
        expect(res.raw).not.toContain('s3cret');
        const [stored] = await h.dataSource.query(`SELECT rtsp_url FROM cameras WHERE id = ${res.body.id}`);
        expect(stored.rtsp_url).toBe('rtsp://admin:s3cret@10.0.0.5:554/stream1');

        const read = await h.request('GET', `/api/cameras/${res.body.id}`);
        expect(read.status).toBe(200);
        expect(read.body).toEqual(res.body);
      });

      it('lists with limit/offset and a total', async () => {
        for (let i = 0; i < 3; i++) await createCamera();
        const all = await h.request('GET', '/api/cameras?limit=500');
        const pageRes = await h.request('GET', '/api/cameras?limit=2&offset=1');
        expect(pageRes.status).toBe(200);
        expect(pageRes.body.total).toBe(all.body.total);
        expect(pageRes.body.limit).toBe(2);
        expect(pageRes.body.offset).toBe(1);
        expect(pageRes.body.items.map((c: { id: number }) => c.id)).toEqual(all.body.items.slice(1, 3).map((c: { id: number }) => c.id));
        expect(all.body.items.every((c: { rtspUrl: string }) => !/:[^*@/]+@/.test(c.rtspUrl.replace('***', '')))).toBe(true);
      });

      it('updates fields; sending back the masked URL keeps the stored password', async () => {
        const camera = await createCamera({ rtspUrl: 'rtsp://viewer:pw1@10.1.1.1/live' });
        const same = await h.request('PATCH', `/api/cameras/${camera.id}`, { rtspUrl: camera.rtspUrl, location: 'Hall', targetFpsReq: 8, detSetReq: '800' });
        expect(same.status, same.raw).toBe(200);
        expect(same.body).toMatchObject({ location: 'Hall', targetFpsReq: 8, detSetReq: '800', rtspUrl: 'rtsp://viewer:***@10.1.1.1/live' });
        let [stored] = await h.dataSource.query(`SELECT rtsp_url FROM cameras WHERE id = ${camera.id}`);
        expect(stored.rtsp_url).toBe('rtsp://viewer:pw1@10.1.1.1/live');

        const changed = await h.request('PATCH', `/api/cameras/${camera.id}`, { rtspUrl: 'rtsp://viewer:pw2@10.1.1.1/live', targetFpsReq: null });
        expect(changed.status).toBe(200);
        expect(changed.body.targetFpsReq).toBeNull();
        [stored] = await h.dataSource.query(`SELECT rtsp_url FROM cameras WHERE id = ${camera.id}`);
        expect(stored.rtsp_url).toBe('rtsp://viewer:pw2@10.1.1.1/live');
      });

      it('pauses for minutes or until an instant, and resumes', async () => {
        const camera = await createCamera();
        const before = Date.now();
        const paused = await h.request('POST', `/api/cameras/${camera.id}/pause`, { minutes: 30 });
        expect(paused.status, paused.raw).toBe(200);
        expect(paused.body.paused).toBe(true);
        const until = Date.parse(paused.body.pauseUntil);
        expect(until).toBeGreaterThanOrEqual(before + 30 * 60_000 - 1000);
        expect(until).toBeLessThanOrEqual(Date.now() + 30 * 60_000 + 1000);

        const target = new Date(Date.now() + 3 * 3600_000);
        const untilRes = await h.request('POST', `/api/cameras/${camera.id}/pause`, { until: target.toISOString() });
        expect(untilRes.status).toBe(200);
        expect(Date.parse(untilRes.body.pauseUntil)).toBe(Math.floor(target.getTime()));

        const resumed = await h.request('POST', `/api/cameras/${camera.id}/resume`);
        expect(resumed.status).toBe(200);
        expect(resumed.body).toMatchObject({ paused: false, pauseUntil: null });
      });

      it.each([
        ['neither minutes nor until', {}, /exactly one/],
        ['both minutes and until', { minutes: 5, until: '2099-01-01T00:00:00Z' }, /exactly one/],
        ['an instant in the past', { until: '2001-01-01T00:00:00Z' }, /must be in the future/],
        ['a non-ISO until', { until: 'tomorrow' }, /ISO-8601/],
        ['zero minutes', { minutes: 0 }, /minutes must not be less than 1/],
      ])('refuses a pause with %s', async (_label, body, message) => {
        const camera = await createCamera();
        const res = await h.request('POST', `/api/cameras/${camera.id}/pause`, body);
        expect(res.status).toBe(400);
        expect(res.body.message).toMatch(message);
        const read = await h.request('GET', `/api/cameras/${camera.id}`);
        expect(read.body.pauseUntil).toBeNull();
      });

      it('deletes a camera with its policy links and resource override', async () => {
        const camera = await createCamera();
        const policy = await createPolicy({ cameraIds: [camera.id] });
        expect((await h.request('PUT', `/api/resource-settings/cameras/${camera.id}`, { cpuNice: 5 })).status).toBe(200);
        const res = await h.request('DELETE', `/api/cameras/${camera.id}`);
        expect(res.status).toBe(204);
        expect((await h.request('GET', `/api/cameras/${camera.id}`)).status).toBe(404);
        expect((await h.request('GET', `/api/policies/${policy.id}`)).body.cameraIds).toEqual([]);
        const [row] = await h.dataSource.query(`SELECT COUNT(*) AS n FROM resource_settings WHERE camera_id = ${camera.id}`);
        expect(Number(row.n)).toBe(0);
        expect((await h.request('DELETE', `/api/cameras/${camera.id}`)).status).toBe(404);
      });

      it('stores a name with HTML verbatim and returns it JSON-escaped', async () => {
        const name = '<script>alert("x")</script> & <b>Gate</b>';
        const res = await h.request('POST', '/api/cameras', { name, rtspUrl: '/srv/video/gate.mp4' });
        expect(res.status).toBe(201);
        expect(res.body.name).toBe(name);
        expect(res.raw).not.toContain('<script>');
        expect(res.raw).toContain('\\u003cscript\\u003e');
        expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        const [stored] = await h.dataSource.query(`SELECT name FROM cameras WHERE id = ${res.body.id}`);
        expect(stored.name).toBe(name);
      });
    });

    describe('profiles', () => {
      it('creates, reads, lists, updates and deletes a profile', async () => {
        const created = await h.request('POST', '/api/profiles', {
          name: 'day-640', fps: 8, detectionSet: '640', rtspTransport: 'tcp', hbInterval: 5, snapshotEvery: 0,
          extraArgs: { '--min_face_px': 40, '--model': 'buffalo_l', '--debug': false },
        });
        expect(created.status, created.raw).toBe(201);
        expect(created.body).toMatchObject({ name: 'day-640', fps: 8, detectionSet: '640', rtspTransport: 'tcp', isActive: true });
        expect(created.body.extraArgs).toEqual({ '--min_face_px': 40, '--model': 'buffalo_l', '--debug': false });
        const id = created.body.id;
        expect((await h.request('GET', `/api/profiles/${id}`)).body).toEqual(created.body);
        const list = await h.request('GET', '/api/profiles');
        expect(list.body.items.some((p: { id: number }) => p.id === id)).toBe(true);
        const updated = await h.request('PATCH', `/api/profiles/${id}`, { fps: 12.5, rtspTransport: '' });
        expect(updated.status).toBe(200);
        expect(updated.body).toMatchObject({ fps: 12.5, rtspTransport: '', detectionSet: '640' });
        expect((await h.request('DELETE', `/api/profiles/${id}`)).status).toBe(204);
        expect((await h.request('GET', `/api/profiles/${id}`)).status).toBe(404);
      });

      it('refuses to delete a profile a window or exception uses, naming the policy', async () => {
        const profile = await createProfile();
        const other = await createProfile();
        const policy = await createPolicy({
          name: 'Weekdays',
          windows: [{ dayOfWeek: 0, startTime: '08:00', endTime: '16:00', profileId: profile.id }],
          exceptions: [{ date: '2026-12-25', mode: 'on', profileId: other.id }],
        });
        const res = await h.request('DELETE', `/api/profiles/${profile.id}`);
        expect(res.status).toBe(409);
        expect(res.body.message).toMatch(/in use by 1 window\(s\) and 0 exception\(s\) in policy "Weekdays"/);
        const res2 = await h.request('DELETE', `/api/profiles/${other.id}`);
        expect(res2.status).toBe(409);
        expect(res2.body.message).toMatch(/0 window\(s\) and 1 exception\(s\)/);
        expect((await h.request('GET', `/api/profiles/${profile.id}`)).status).toBe(200);
        expect((await h.request('DELETE', `/api/policies/${policy.id}`)).status).toBe(204);
        expect((await h.request('DELETE', `/api/profiles/${profile.id}`)).status).toBe(204);
      });
    });

    describe('policies', () => {
      it('creates a policy with cameras, windows and exceptions and reads the tree back', async () => {
        const day = await createProfile({ fps: 6 });
        const night = await createProfile({ fps: 2 });
        const cams = [await createCamera(), await createCamera()];
        const res = await h.request('POST', '/api/policies', {
          name: 'School week',
          notes: 'term time',
          cameraIds: cams.map((c) => c.id),
          windows: [
            { dayOfWeek: 4, startTime: '22:00', endTime: '06:00', profileId: night.id },
            { dayOfWeek: 0, startTime: '07:30', endTime: '15:00:30', profileId: day.id },
            { dayOfWeek: 6, startTime: '00:00', endTime: '00:00', profileId: night.id },
          ],
          exceptions: [
            { date: '2026-12-25', mode: 'off' },
            { date: '2026-12-31', mode: 'window', startTime: '10:00', endTime: '14:00', profileId: day.id },
            { date: '2027-01-01', mode: 'on', profileId: night.id },
          ],
        });
        expect(res.status, res.raw).toBe(201);
        const policy = res.body;
        expect(policy).toMatchObject({ name: 'School week', notes: 'term time', isEnabled: true });
        expect(policy.cameraIds).toEqual(cams.map((c) => c.id).sort((a, b) => a - b));
        expect(policy.windows.map((w: any) => [w.dayOfWeek, w.day, w.startTime, w.endTime, w.kind])).toEqual([
          [0, 'Monday', '07:30:00', '15:00:30', 'same-day'],
          [4, 'Friday', '22:00:00', '06:00:00', 'overnight'],
          [6, 'Sunday', '00:00:00', '00:00:00', 'whole-day'],
        ]);
        expect(policy.exceptions.map((e: any) => [e.date, e.mode, e.startTime, e.endTime, e.profileId])).toEqual([
          ['2026-12-25', 'off', null, null, null],
          ['2026-12-31', 'window', '10:00:00', '14:00:00', day.id],
          ['2027-01-01', 'on', null, null, night.id],
        ]);
        expect((await h.request('GET', `/api/policies/${policy.id}`)).body).toEqual(policy);
        const list = await h.request('GET', '/api/policies?limit=500');
        expect(list.body.items.find((p: { id: number }) => p.id === policy.id)).toEqual(policy);
      });

      it('replaces windows, exceptions and cameras on update, all in one go', async () => {
        const profile = await createProfile();
        const cam = await createCamera();
        const policy = await createPolicy({
          windows: [{ dayOfWeek: 1, startTime: '08:00', endTime: '09:00', profileId: profile.id }],
          exceptions: [{ date: '2026-12-01', mode: 'off' }],
        });
        const res = await h.request('PATCH', `/api/policies/${policy.id}`, {
          isEnabled: false,
          cameraIds: [cam.id, cam.id],
          windows: [
            { dayOfWeek: 2, startTime: '10:00', endTime: '11:00', profileId: profile.id },
            { dayOfWeek: 3, startTime: '10:00', endTime: '11:00', profileId: profile.id },
          ],
        });
        expect(res.status, res.raw).toBe(200);
        expect(res.body.isEnabled).toBe(false);
        expect(res.body.cameraIds).toEqual([cam.id]);
        expect(res.body.windows.map((w: any) => w.dayOfWeek)).toEqual([2, 3]);
        expect(res.body.exceptions.map((e: any) => e.date)).toEqual(['2026-12-01']);
      });

      it('manages windows as sub-resources', async () => {
        const p1 = await createProfile();
        const p2 = await createProfile();
        const policy = await createPolicy();
        const added = await h.request('POST', `/api/policies/${policy.id}/windows`, { dayOfWeek: 5, startTime: '18:00', endTime: '02:00', profileId: p1.id });
        expect(added.status, added.raw).toBe(201);
        expect(added.body).toMatchObject({ dayOfWeek: 5, startTime: '18:00:00', endTime: '02:00:00', kind: 'overnight', profileId: p1.id });
        const patched = await h.request('PATCH', `/api/policies/${policy.id}/windows/${added.body.id}`, { endTime: '23:00', profileId: p2.id });
        expect(patched.status, patched.raw).toBe(200);
        expect(patched.body).toMatchObject({ startTime: '18:00:00', endTime: '23:00:00', kind: 'same-day', profileId: p2.id });
        expect((await h.request('GET', `/api/policies/${policy.id}/windows`)).body).toHaveLength(1);
        const other = await createPolicy();
        expect((await h.request('PATCH', `/api/policies/${other.id}/windows/${added.body.id}`, { endTime: '23:30' })).status).toBe(404);
        expect((await h.request('DELETE', `/api/policies/${policy.id}/windows/${added.body.id}`)).status).toBe(204);
        expect((await h.request('GET', `/api/policies/${policy.id}/windows`)).body).toEqual([]);
        expect((await h.request('DELETE', `/api/policies/${policy.id}/windows/${added.body.id}`)).status).toBe(404);
      });

      it('manages exceptions as sub-resources, one per date', async () => {
        const profile = await createProfile();
        const policy = await createPolicy();
        const added = await h.request('POST', `/api/policies/${policy.id}/exceptions`, { date: '2027-03-21', mode: 'window', startTime: '09:00', endTime: '12:00', profileId: profile.id });
        expect(added.status, added.raw).toBe(201);
        const clash = await h.request('POST', `/api/policies/${policy.id}/exceptions`, { date: '2027-03-21', mode: 'off' });
        expect(clash.status).toBe(409);
        expect(clash.body.message).toMatch(/already has an exception on 2027-03-21/);
        const toOff = await h.request('PATCH', `/api/policies/${policy.id}/exceptions/${added.body.id}`, { mode: 'off' });
        expect(toOff.status, toOff.raw).toBe(200);
        expect(toOff.body).toMatchObject({ mode: 'off', startTime: null, endTime: null, profileId: null });
        const toOn = await h.request('PATCH', `/api/policies/${policy.id}/exceptions/${added.body.id}`, { mode: 'on' });
        expect(toOn.status).toBe(400);
        expect(toOn.body.message).toMatch(/profileId is required when mode is "on"/);
        expect((await h.request('GET', `/api/policies/${policy.id}/exceptions`)).body[0].mode).toBe('off');
        expect((await h.request('DELETE', `/api/policies/${policy.id}/exceptions/${added.body.id}`)).status).toBe(204);
        expect((await h.request('GET', `/api/policies/${policy.id}/exceptions`)).body).toEqual([]);
      });

      it('adds and removes cameras', async () => {
        const policy = await createPolicy();
        const a = await createCamera();
        const b = await createCamera();
        const added = await h.request('POST', `/api/policies/${policy.id}/cameras`, { cameraIds: [b.id, a.id] });
        expect(added.status, added.raw).toBe(200);
        expect(added.body.cameraIds).toEqual([a.id, b.id]);
        const again = await h.request('POST', `/api/policies/${policy.id}/cameras`, { cameraIds: [a.id] });
        expect(again.body.cameraIds).toEqual([a.id, b.id]);
        expect((await h.request('DELETE', `/api/policies/${policy.id}/cameras/${a.id}`)).status).toBe(204);
        expect((await h.request('GET', `/api/policies/${policy.id}`)).body.cameraIds).toEqual([b.id]);
        expect((await h.request('DELETE', `/api/policies/${policy.id}/cameras/${a.id}`)).status).toBe(404);
      });

      it('deletes a policy with its windows and exceptions', async () => {
        const profile = await createProfile();
        const policy = await createPolicy({
          windows: [{ dayOfWeek: 1, startTime: '08:00', endTime: '09:00', profileId: profile.id }],
          exceptions: [{ date: '2026-12-02', mode: 'off' }],
        });
        expect((await h.request('DELETE', `/api/policies/${policy.id}`)).status).toBe(204);
        const [w] = await h.dataSource.query(`SELECT COUNT(*) AS n FROM schedule_windows WHERE policy_id = ${policy.id}`);
        const [e] = await h.dataSource.query(`SELECT COUNT(*) AS n FROM schedule_exceptions WHERE policy_id = ${policy.id}`);
        expect([Number(w.n), Number(e.n)]).toEqual([0, 0]);
      });

      describe('overlapping windows of one policy are refused, however they arrive', () => {
        const windowsOf = async (policyId: number) =>
          (await h.request('GET', `/api/policies/${policyId}/windows`)).body.map((w: any) => [w.dayOfWeek, w.startTime, w.endTime, w.profileId]);

        it('POST /api/policies: a 400 on the later window of the pair, nothing written', async () => {
          const day = await createProfile();
          const night = await createProfile();
          const before = await rowCounts();
          const res = await h.request('POST', '/api/policies', {
            name: unique('overlap'),
            windows: [
              { dayOfWeek: 1, startTime: '08:00', endTime: '12:00', profileId: day.id },
              { dayOfWeek: 0, startTime: '22:00', endTime: '06:00', profileId: night.id },
              { dayOfWeek: 2, startTime: '09:00', endTime: '10:00', profileId: day.id },
              { dayOfWeek: 1, startTime: '10:00', endTime: '14:00', profileId: night.id },
            ],
          });
          expect(res.status, res.raw).toBe(400);
          expect(res.body).toEqual({
            statusCode: 400,
            error: 'Bad Request',
            message: 'Overlapping windows on Tue: 08:00–12:00 conflicts with 10:00–14:00',
            errors: [{ field: 'windows[3]', messages: ['Overlapping windows on Tue: 08:00–12:00 conflicts with 10:00–14:00'] }],
          });
          expect(await rowCounts()).toEqual(before);
          // Touching windows and a night that ends where the morning starts are fine.
          const touching = await h.request('POST', '/api/policies', {
            name: unique('touching'),
            windows: [
              { dayOfWeek: 1, startTime: '08:00', endTime: '12:00', profileId: day.id },
              { dayOfWeek: 0, startTime: '22:00', endTime: '08:00', profileId: night.id },
              { dayOfWeek: 1, startTime: '12:00:00', endTime: '14:00', profileId: night.id },
            ],
          });
          expect(touching.status, touching.raw).toBe(201);
        });

        it('PATCH /api/policies/:id: an overnight tail onto the next day refuses the whole change', async () => {
          const profile = await createProfile();
          const policy = await createPolicy({ notes: 'before', windows: [{ dayOfWeek: 3, startTime: '08:00', endTime: '09:00', profileId: profile.id }] });
          const before = await rowCounts();
          const res = await h.request('PATCH', `/api/policies/${policy.id}`, {
            notes: 'after',
            windows: [
              { dayOfWeek: 0, startTime: '22:00', endTime: '06:00', profileId: profile.id },
              { dayOfWeek: 1, startTime: '05:00', endTime: '08:00:00', profileId: profile.id },
              { dayOfWeek: 6, startTime: '23:00', endTime: '00:30', profileId: profile.id },
              { dayOfWeek: 0, startTime: '00:00', endTime: '00:00', profileId: profile.id },
            ],
          });
          expect(res.status, res.raw).toBe(400);
          expect(res.body.errors).toEqual([
            { field: 'windows[1]', messages: ['Overlapping windows on Tue: Mon 22:00–06:00 conflicts with 05:00–08:00'] },
            { field: 'windows[3]', messages: [
              'Overlapping windows on Mon: Sun 23:00–00:30 conflicts with 00:00–00:00 (whole day)',
              'Overlapping windows on Mon: 00:00–00:00 (whole day) conflicts with 22:00–06:00',
            ] },
          ]);
          expect(res.body.message).toBe([
            'Overlapping windows on Tue: Mon 22:00–06:00 conflicts with 05:00–08:00',
            'Overlapping windows on Mon: Sun 23:00–00:30 conflicts with 00:00–00:00 (whole day)',
            'Overlapping windows on Mon: 00:00–00:00 (whole day) conflicts with 22:00–06:00',
          ].join('; '));
          expect(await rowCounts()).toEqual(before);
          const after = (await h.request('GET', `/api/policies/${policy.id}`)).body;
          expect([after.notes, after.windows.map((w: any) => [w.dayOfWeek, w.startTime, w.endTime])]).toEqual(['before', [[3, '08:00:00', '09:00:00']]]);
        });

        it('POST /api/policies/:id/windows: the new window against the stored ones, Sunday night into Monday', async () => {
          const profile = await createProfile();
          const other = await createProfile();
          const policy = await createPolicy({ windows: [{ dayOfWeek: 6, startTime: '22:00', endTime: '06:00', profileId: profile.id }] });
          const before = await rowCounts();
          const res = await h.request('POST', `/api/policies/${policy.id}/windows`, { dayOfWeek: 0, startTime: '05:00', endTime: '07:00', profileId: other.id });
          expect(res.status, res.raw).toBe(400);
          expect(res.body.message).toBe('Overlapping windows on Mon: Sun 22:00–06:00 conflicts with 05:00–07:00');
          expect(res.body.errors).toEqual([{ field: '(body)', messages: ['Overlapping windows on Mon: Sun 22:00–06:00 conflicts with 05:00–07:00'] }]);
          expect(await rowCounts()).toEqual(before);
          const touching = await h.request('POST', `/api/policies/${policy.id}/windows`, { dayOfWeek: 0, startTime: '06:00', endTime: '07:00', profileId: other.id });
          expect(touching.status, touching.raw).toBe(201);
          expect(await windowsOf(policy.id)).toEqual([[0, '06:00:00', '07:00:00', other.id], [6, '22:00:00', '06:00:00', profile.id]]);
        });

        it('PATCH /api/policies/:id/windows/:windowId: the changed window against the others, not itself', async () => {
          const profile = await createProfile();
          const other = await createProfile();
          const policy = await createPolicy({
            windows: [
              { dayOfWeek: 1, startTime: '08:00', endTime: '12:00', profileId: profile.id },
              { dayOfWeek: 1, startTime: '12:00', endTime: '14:00', profileId: profile.id },
            ],
          });
          const [morning, noon] = policy.windows;
          const before = await rowCounts();
          const res = await h.request('PATCH', `/api/policies/${policy.id}/windows/${noon.id}`, { startTime: '11:00:30' });
          expect(res.status, res.raw).toBe(400);
          expect(res.body.errors).toEqual([{ field: '(body)', messages: ['Overlapping windows on Tue: 08:00–12:00 conflicts with 11:00:30–14:00'] }]);
          expect(await rowCounts()).toEqual(before);
          const whole = await h.request('PATCH', `/api/policies/${policy.id}/windows/${morning.id}`, { startTime: '00:00', endTime: '00:00' });
          expect(whole.status).toBe(400);
          expect(whole.body.message).toBe('Overlapping windows on Tue: 00:00–00:00 (whole day) conflicts with 12:00–14:00');
          expect(await windowsOf(policy.id)).toEqual([[1, '08:00:00', '12:00:00', profile.id], [1, '12:00:00', '14:00:00', profile.id]]);
          // Changing a window within its own time, or its profile, is no clash with itself.
          const ok = await h.request('PATCH', `/api/policies/${policy.id}/windows/${morning.id}`, { startTime: '09:00', profileId: other.id });
          expect(ok.status, ok.raw).toBe(200);
          expect(ok.body).toMatchObject({ startTime: '09:00:00', endTime: '12:00:00', profileId: other.id });
        });

        it('keeps windows stored before the rule readable and editable; only new overlaps are refused', async () => {
          const profile = await createProfile();
          const policy = await createPolicy();
          for (const [start, end] of [['08:00:00', '12:00:00'], ['10:00:00', '14:00:00']]) {
            await h.dataSource.query(`INSERT INTO schedule_windows (policy_id, day_of_week, start_time, end_time, profile_id) VALUES (${policy.id}, 4, '${start}', '${end}', ${profile.id})`);
          }
          expect(await windowsOf(policy.id)).toEqual([[4, '08:00:00', '12:00:00', profile.id], [4, '10:00:00', '14:00:00', profile.id]]);
          expect((await h.request('PATCH', `/api/policies/${policy.id}`, { notes: 'kept' })).status).toBe(200);
          expect((await h.request('POST', `/api/policies/${policy.id}/windows`, { dayOfWeek: 4, startTime: '14:00', endTime: '15:00', profileId: profile.id })).status).toBe(201);
          const clash = await h.request('POST', `/api/policies/${policy.id}/windows`, { dayOfWeek: 4, startTime: '13:00', endTime: '13:30', profileId: profile.id });
          expect(clash.body.message).toBe('Overlapping windows on Fri: 10:00–14:00 conflicts with 13:00–13:30');
          expect((await windowsOf(policy.id)).length).toBe(3);
        });
      });

      // The schema's maximum (1,000 windows, 1,000 exceptions) works on both engines; one more is a 400.
      const MAX = 1000;
      // Back to back, never overlapping (refused since one policy is one timeline): 143 windows of 10 minutes a day.
      const manyWindows = (n: number, profileId: number) =>
        Array.from({ length: n }, (_, i) => {
          const minutes = Math.floor(i / 7) * 10;
          const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
          return { dayOfWeek: i % 7, startTime: hhmm(minutes), endTime: hhmm(minutes + 10), profileId };
        });
      const manyExceptions = (n: number) =>
        Array.from({ length: n }, (_, i) => ({ date: new Date(Date.UTC(2027, 0, 1) + i * 86_400_000).toISOString().slice(0, 10), mode: 'off' }));

      it('takes the documented maximum of windows and exceptions, on create and on replace', async () => {
        const profile = await createProfile();
        const created = await h.request('POST', '/api/policies', { name: unique('max'), windows: manyWindows(MAX, profile.id), exceptions: manyExceptions(MAX) });
        expect(created.status, created.raw.slice(0, 300)).toBe(201);
        expect([created.body.windows.length, created.body.exceptions.length]).toEqual([MAX, MAX]);
        const replaced = await h.request('PATCH', `/api/policies/${created.body.id}`, { windows: manyWindows(MAX, profile.id).reverse(), exceptions: manyExceptions(MAX).reverse() });
        expect(replaced.status, replaced.raw.slice(0, 300)).toBe(200);
        const [w] = await h.dataSource.query(`SELECT COUNT(*) AS n FROM schedule_windows WHERE policy_id = ${created.body.id}`);
        const [e] = await h.dataSource.query(`SELECT COUNT(*) AS n FROM schedule_exceptions WHERE policy_id = ${created.body.id}`);
        expect([Number(w.n), Number(e.n)]).toEqual([MAX, MAX]);
        // A full policy takes no more one at a time either (the sub-resources used to go past the maximum).
        const oneWindow = await h.request('POST', `/api/policies/${created.body.id}/windows`, manyWindows(1, profile.id)[0]);
        expect(oneWindow.status).toBe(400);
        expect(oneWindow.body.message).toMatch(new RegExp(`windows of policy ${created.body.id} are at the maximum of ${MAX}: remove one first`));
        const oneException = await h.request('POST', `/api/policies/${created.body.id}/exceptions`, { date: '2031-01-01', mode: 'off' });
        expect(oneException.status).toBe(400);
        expect(oneException.body.message).toMatch(/exceptions of policy \d+ are at the maximum of 1000/);
        const [w2] = await h.dataSource.query(`SELECT COUNT(*) AS n FROM schedule_windows WHERE policy_id = ${created.body.id}`);
        expect(Number(w2.n)).toBe(MAX);
      });

      it.each([
        ['windows', (profileId: number) => ({ windows: manyWindows(MAX + 1, profileId) })],
        ['exceptions', () => ({ exceptions: manyExceptions(MAX + 1) })],
      ])('refuses one more than the maximum of %s with a 400 naming the limit', async (field, body) => {
        const profile = await createProfile();
        const before = await rowCounts();
        const res = await h.request('POST', '/api/policies', { name: unique('max'), ...body(profile.id) });
        expect(res.status).toBe(400);
        expect(res.body.message).toMatch(new RegExp(`${field} must contain no more than ${MAX} elements`));
        expect(await rowCounts()).toEqual(before);
      });
    });

    describe('forecast', () => {
      const FROM = '2026-11-30T00:00:00%2B03:00'; // a Monday in the suite's TZ (Asia/Baghdad)

      it('gives a camera\'s days as the enforcer will act — an overnight window with its tail, an off exception — in UTC and local time', async () => {
        const camera = await createCamera();
        const profile = await createProfile();
        const policy = await createPolicy({
          cameraIds: [camera.id],
          windows: [
            { dayOfWeek: 4, startTime: '22:00', endTime: '06:00', profileId: profile.id },
            { dayOfWeek: 0, startTime: '08:00', endTime: '12:00', profileId: profile.id },
          ],
          exceptions: [{ date: '2026-12-07', mode: 'off' }],
        });
        const res = await h.request('GET', `/api/cameras/${camera.id}/forecast?from=${FROM}&days=14`);
        expect(res.status, res.raw).toBe(200);
        expect(res.body).toMatchObject({ from: '2026-11-29T21:00:00.000Z', to: '2026-12-13T21:00:00.000Z', timeZone: 'Asia/Baghdad' });
        expect(res.body.intervals.map((i: { startLocal: string; endLocal: string }) => `${i.startLocal} ${i.endLocal}`)).toEqual([
          '2026-11-30T08:00:00+03:00 2026-11-30T12:00:00+03:00',
          '2026-12-04T22:00:00+03:00 2026-12-05T06:00:00+03:00',
          // Monday 2026-12-07 is off by exception.
          '2026-12-11T22:00:00+03:00 2026-12-12T06:00:00+03:00',
        ]);
        const windowOn = (day: number) => policy.windows.find((w: { dayOfWeek: number }) => w.dayOfWeek === day).id;
        expect(res.body.intervals[0]).toEqual({
          cameraId: camera.id, cameraName: camera.name, profileId: profile.id, profileName: profile.name, policyIds: [policy.id],
          sources: [{ kind: 'window', policyId: policy.id, policyName: policy.name, windowId: windowOn(0), dayOfWeek: 0, day: 'Monday', startTime: '08:00:00', endTime: '12:00:00' }],
          start: '2026-11-30T05:00:00.000Z', end: '2026-11-30T09:00:00.000Z', startLocal: '2026-11-30T08:00:00+03:00', endLocal: '2026-11-30T12:00:00+03:00',
        });
        // The overnight interval, Saturday's tail included, is Friday's window.
        expect(res.body.intervals[1].sources).toEqual([{ kind: 'window', policyId: policy.id, policyName: policy.name, windowId: windowOn(4), dayOfWeek: 4, day: 'Friday', startTime: '22:00:00', endTime: '06:00:00' }]);
        expect(res.body.pauses).toEqual([]);
        const byPolicy = await h.request('GET', `/api/policies/${policy.id}/forecast?from=${FROM}&days=7`);
        expect(byPolicy.status).toBe(200);
        expect(byPolicy.body.intervals.map((i: { cameraId: number; startLocal: string }) => [i.cameraId, i.startLocal])).toEqual([
          [camera.id, '2026-11-30T08:00:00+03:00'],
          [camera.id, '2026-12-04T22:00:00+03:00'],
        ]);
        // A pause is in the forecast too.
        expect((await h.request('POST', `/api/cameras/${camera.id}/pause`, { until: '2099-01-01T00:00:00Z' })).status).toBe(200);
        const paused = (await h.request('GET', `/api/cameras/${camera.id}/forecast?days=7`)).body;
        expect(paused.intervals).toEqual([]);
        expect(paused.pauses).toEqual([{ cameraId: camera.id, cameraName: camera.name, start: paused.from, end: paused.to, startLocal: expect.any(String), endLocal: expect.any(String) }]);
      });

      it('names what produced each interval — windows of two policies at once, an on exception, a window exception — and a pause', async () => {
        const camera = await createCamera();
        const profile = await createProfile();
        const weekdays = await createPolicy({ cameraIds: [camera.id], windows: [{ dayOfWeek: 1, startTime: '08:00', endTime: '12:00', profileId: profile.id }] });
        const holidays = await createPolicy({
          cameraIds: [camera.id],
          windows: [{ dayOfWeek: 1, startTime: '10:00', endTime: '11:00', profileId: profile.id }],
          exceptions: [{ date: '2026-12-03', mode: 'on', profileId: profile.id }, { date: '2026-12-04', mode: 'window', startTime: '09:00', endTime: '10:00', profileId: profile.id }],
        });
        const named = (s: { kind: string; policyId: number; windowId?: number; exceptionId?: number; mode?: string }) =>
          `${s.policyId === weekdays.id ? 'weekdays' : 'holidays'} ${s.kind} ${s.kind === 'window' ? s.windowId : `${s.exceptionId} ${s.mode}`}`;
        const [w1, w2] = [weekdays.windows[0].id, holidays.windows[0].id];
        const [on, win] = holidays.exceptions.map((e: { id: number }) => e.id);
        const res = await h.request('GET', `/api/cameras/${camera.id}/forecast?from=${FROM}&days=7`);
        expect(res.status, res.raw).toBe(200);
        expect(res.body.intervals.map((i: { startLocal: string; endLocal: string; policyIds: number[]; sources: Parameters<typeof named>[0][] }) => [i.startLocal, i.endLocal, i.policyIds, i.sources.map(named)])).toEqual([
          ['2026-12-01T08:00:00+03:00', '2026-12-01T10:00:00+03:00', [weekdays.id], [`weekdays window ${w1}`]],
          ['2026-12-01T10:00:00+03:00', '2026-12-01T11:00:00+03:00', [weekdays.id, holidays.id], [`weekdays window ${w1}`, `holidays window ${w2}`]],
          ['2026-12-01T11:00:00+03:00', '2026-12-01T12:00:00+03:00', [weekdays.id], [`weekdays window ${w1}`]],
          ['2026-12-03T00:00:00+03:00', '2026-12-04T00:00:00+03:00', [holidays.id], [`holidays exception ${on} on`]],
          ['2026-12-04T09:00:00+03:00', '2026-12-04T10:00:00+03:00', [holidays.id], [`holidays exception ${win} window`]],
        ]);
        expect(res.body.intervals[3].sources).toEqual([
          { kind: 'exception', policyId: holidays.id, policyName: holidays.name, exceptionId: on, date: '2026-12-03', mode: 'on', startTime: null, endTime: null },
        ]);
        expect(res.body.intervals[4].sources[0]).toMatchObject({ kind: 'exception', date: '2026-12-04', mode: 'window', startTime: '09:00:00', endTime: '10:00:00' });
        // Paused past the range: no intervals, one pause over the whole range, for the policy's forecast too.
        expect((await h.request('POST', `/api/cameras/${camera.id}/pause`, { until: '2099-01-01T00:00:00Z' })).status).toBe(200);
        const pause = { cameraId: camera.id, cameraName: camera.name, start: '2026-11-29T21:00:00.000Z', end: '2026-12-06T21:00:00.000Z', startLocal: '2026-11-30T00:00:00+03:00', endLocal: '2026-12-07T00:00:00+03:00' };
        expect((await h.request('GET', `/api/cameras/${camera.id}/forecast?from=${FROM}&days=7`)).body).toMatchObject({ intervals: [], pauses: [pause] });
        expect((await h.request('GET', `/api/policies/${holidays.id}/forecast?from=${FROM}&days=7`)).body).toMatchObject({ intervals: [], pauses: [pause] });
      });

      it.each([
        ['days below 1', 'days=0', /days must not be less than 1/],
        ['days above 31', 'days=32', /days must not be greater than 31/],
        ['days in another notation', 'days=0x7', /days must be a whole number/],
        ['a from that is not a date-time', 'from=yesterday', /from must be an ISO-8601 date-time/],
      ])('refuses %s with a 400', async (_label, query, message) => {
        const camera = await createCamera();
        const res = await h.request('GET', `/api/cameras/${camera.id}/forecast?${query}`);
        expect(res.status).toBe(400);
        expect(res.body.message).toMatch(message);
      });

      it('is a 404 for a camera or policy that does not exist', async () => {
        expect((await h.request('GET', '/api/cameras/999999/forecast')).body).toMatchObject({ statusCode: 404, message: 'camera 999999 not found' });
        expect((await h.request('GET', '/api/policies/999999/forecast')).body).toMatchObject({ statusCode: 404, message: 'policy 999999 not found' });
      });
    });

    describe('resource settings', () => {
      it('has a global row that can be changed', async () => {
        const read = await h.request('GET', '/api/resource-settings/global');
        expect(read.status).toBe(200);
        expect(read.body).toMatchObject({ scope: 'global', cameraId: null, device: 'cpu', hwaccel: 'none', isActive: true });
        const put = await h.request('PUT', '/api/resource-settings/global', { device: 'cuda', hwaccel: 'nvdec', gpuIndex: 0, cpuAffinity: '0-3,6', maxFps: 10, detSetMax: '1024', cpuNice: 5 });
        expect(put.status, put.raw).toBe(200);
        expect(put.body).toMatchObject({ device: 'cuda', hwaccel: 'nvdec', gpuIndex: 0, cpuAffinity: '0-3,6', maxFps: 10, detSetMax: '1024', cpuNice: 5 });
        const reset = await h.request('PUT', '/api/resource-settings/global', { device: null, gpuIndex: null });
        expect(reset.body).toMatchObject({ device: 'cuda', gpuIndex: null, hwaccel: 'nvdec' });
      });

      it('creates, reads, lists and deletes a per-camera override', async () => {
        const camera = await createCamera();
        expect((await h.request('GET', `/api/resource-settings/cameras/${camera.id}`)).status).toBe(404);
        const put = await h.request('PUT', `/api/resource-settings/cameras/${camera.id}`, { gpuIndex: 1, maxFps: 4 });
        expect(put.status, put.raw).toBe(200);
        expect(put.body).toMatchObject({ scope: 'camera', cameraId: camera.id, gpuIndex: 1, maxFps: 4, device: null });
        const again = await h.request('PUT', `/api/resource-settings/cameras/${camera.id}`, { maxFps: 5 });
        expect(again.body).toMatchObject({ id: put.body.id, gpuIndex: 1, maxFps: 5 });
        const list = await h.request('GET', '/api/resource-settings/cameras');
        expect(list.body.items.map((r: any) => r.cameraId)).toContain(camera.id);
        expect((await h.request('DELETE', `/api/resource-settings/cameras/${camera.id}`)).status).toBe(204);
        expect((await h.request('GET', `/api/resource-settings/cameras/${camera.id}`)).status).toBe(404);
        expect((await h.request('PUT', '/api/resource-settings/cameras/999999', { maxFps: 5 })).status).toBe(404);
      });
    });

    describe('health and docs', () => {
      it('reports the database up on /health and answers /health/live', async () => {
        const health = await h.request('GET', '/health');
        expect(health.body.details.database.status).toBe('up');
        expect(health.body.details.enforcer).toMatchObject({ status: 'down', reason: 'no successful enforcer tick recorded yet' });
        expect(health.status).toBe(503); // no enforcer runs in this suite
        expect((await h.request('GET', '/health/live')).status).toBe(200);
      });

      it('serves OpenAPI at /docs with every resource', async () => {
        const ui = await h.request('GET', '/docs');
        expect(ui.status).toBe(200);
        expect(ui.raw).toMatch(/swagger/i);
        const spec = await h.request('GET', '/docs/openapi.json');
        expect(spec.status).toBe(200);
        expect(Object.keys(spec.body.paths)).toEqual(
          expect.arrayContaining([
            '/api/cameras', '/api/cameras/{id}/pause', '/api/profiles/{id}', '/api/policies/{id}/windows/{windowId}',
            '/api/policies/{id}/exceptions', '/api/resource-settings/global', '/health',
          ]),
        );
      });
    });

    describe('bad input: a clear 4xx, nothing written, the server still up', () => {
      let fixtures: { camera: any; profile: any; policy: any };
      beforeAll(async () => {
        const profile = await createProfile({ name: 'bad-input-profile' });
        const camera = await createCamera({ name: 'bad-input-camera' });
        const policy = await createPolicy({
          name: 'bad-input-policy',
          cameraIds: [camera.id],
          windows: [{ dayOfWeek: 0, startTime: '08:00', endTime: '12:00', profileId: profile.id }],
        });
        fixtures = { camera, profile, policy };
      });

      const window = (over: Record<string, unknown>) => () => ({
        name: unique('p'),
        windows: [{ dayOfWeek: 0, startTime: '08:00', endTime: '12:00', profileId: fixtures.profile.id, ...over }],
      });
      const exception = (over: Record<string, unknown>) => () => ({
        name: unique('p'),
        exceptions: [{ date: '2026-12-24', mode: 'window', startTime: '08:00', endTime: '12:00', profileId: fixtures.profile.id, ...over }],
      });
      type Case = [string, string, () => string, (() => unknown) | object | string | undefined, number, RegExp, Record<string, string>?];
      const cases: Case[] = [
        ['malformed JSON', 'POST', () => '/api/cameras', '{"name": "x", ', 400, /not valid JSON/],
        ['a body that is a JSON array', 'POST', () => '/api/cameras', '[{"name":"x"}]', 400, /Body must be a JSON object/],
        ['a body that is JSON null', 'POST', () => '/api/profiles', 'null', 400, /Body must be a JSON object/],
        ['a form body instead of JSON', 'POST', () => '/api/cameras', 'name=x', 415, /Content-Type: application\/json/, { 'content-type': 'application/x-www-form-urlencoded' }],
        ['a wrong type (fps as text)', 'POST', () => '/api/profiles', () => ({ name: unique('p'), fps: 'fast' }), 400, /fps must be a number/],
        ['a wrong type (isActive as a string)', 'POST', () => '/api/cameras', () => ({ name: unique('c'), rtspUrl: 'x', isActive: 'yes' }), 400, /isActive must be a boolean/],
        ['a wrong type (hbInterval as a numeric string)', 'PATCH', () => `/api/cameras/${fixtures.camera.id}`, { hbInterval: '10' }, 400, /hbInterval must be an integer/],
        ['an unknown field', 'POST', () => '/api/cameras', () => ({ name: unique('c'), rtspUrl: 'x', colour: 'red' }), 400, /property colour should not exist/],
        ['an unknown field in a window', 'POST', () => '/api/policies', window({ slot: 1 }), 400, /windows\[0\]\.slot.*should not exist|property slot should not exist/],
        ['an empty camera name', 'POST', () => '/api/cameras', { name: '', rtspUrl: 'x' }, 400, /name must not be empty/],
        ['a blank camera name', 'POST', () => '/api/cameras', { name: '   ', rtspUrl: 'x' }, 400, /name must not be empty/],
        ['an empty profile name', 'POST', () => '/api/profiles', { name: '' }, 400, /name must not be empty/],
        ['an empty policy name', 'POST', () => '/api/policies', { name: '' }, 400, /name must not be empty/],
        ['a missing stream URL', 'POST', () => '/api/cameras', () => ({ name: unique('c') }), 400, /rtspUrl is required/],
        ['a null for a required field on update', 'PATCH', () => `/api/cameras/${fixtures.camera.id}`, { name: null }, 400, /name must be a string/],
        ['a newline in a name', 'POST', () => '/api/cameras', { name: 'a\nb', rtspUrl: 'x' }, 400, /control characters/],
        ['a duplicate camera name', 'POST', () => '/api/cameras', { name: 'bad-input-camera', rtspUrl: 'x' }, 409, /camera named "bad-input-camera" already exists/],
        ['a rename onto an existing camera name', 'PATCH', () => `/api/cameras/${fixtures.camera.id}`, { name: 'Gate 1' }, 409, /already exists/],
        ['a duplicate profile name', 'POST', () => '/api/profiles', { name: 'bad-input-profile' }, 409, /profile named "bad-input-profile" already exists/],
        ['a duplicate policy name', 'POST', () => '/api/policies', { name: 'bad-input-policy' }, 409, /policy named "bad-input-policy" already exists/],
        ['dayOfWeek 7', 'POST', () => '/api/policies', window({ dayOfWeek: 7 }), 400, /windows\[0\]\.dayOfWeek must be from 0 \(Monday\) to 6 \(Sunday\)/],
        ['dayOfWeek -1', 'POST', () => '/api/policies', window({ dayOfWeek: -1 }), 400, /windows\[0\]\.dayOfWeek must be from 0 \(Monday\) to 6 \(Sunday\)/],
        ['dayOfWeek -1 on a window sub-resource', 'POST', () => `/api/policies/${fixtures.policy.id}/windows`, () => ({ dayOfWeek: -1, startTime: '08:00', endTime: '09:00', profileId: fixtures.profile.id }), 400, /dayOfWeek must be from 0/],
        ['start time "25:00"', 'POST', () => '/api/policies', window({ startTime: '25:00' }), 400, /windows\[0\]\.startTime must be a time of day .*25:00/],
        ['end time "12:60"', 'POST', () => '/api/policies', window({ endTime: '12:60' }), 400, /windows\[0\]\.endTime must be a time of day .*12:60/],
        ['time "12:60" on a window update', 'PATCH', () => `/api/policies/${fixtures.policy.id}/windows/${fixtures.policy.windows[0].id}`, { endTime: '12:60' }, 400, /endTime must be a time of day/],
        ['exception window with end before start', 'POST', () => '/api/policies', exception({ startTime: '12:00', endTime: '08:00' }), 400, /exceptions\[0\]\.endTime must be later than startTime/],
        ['exception window with end equal to start', 'POST', () => '/api/policies', exception({ startTime: '08:00', endTime: '08:00:00' }), 400, /endTime must be later than startTime/],
        ['exception mode "on" without a profile', 'POST', () => '/api/policies', exception({ mode: 'on', startTime: undefined, endTime: undefined, profileId: undefined }), 400, /exceptions\[0\]\.profileId is required when mode is "on"/],
        ['exception mode "window" without a profile', 'POST', () => '/api/policies', exception({ profileId: null }), 400, /exceptions\[0\]\.profileId is required when mode is "window"/],
        ['exception mode "off" with times', 'POST', () => `/api/policies/${fixtures.policy.id}/exceptions`, { date: '2026-12-24', mode: 'off', startTime: '08:00' }, 400, /startTime is only allowed when mode is "window"/],
        ['an impossible date', 'POST', () => `/api/policies/${fixtures.policy.id}/exceptions`, { date: '2026-02-30', mode: 'off' }, 400, /date must be a calendar date/],
        ['an unknown exception mode', 'POST', () => `/api/policies/${fixtures.policy.id}/exceptions`, { date: '2026-12-24', mode: 'maybe' }, 400, /mode must be one of off, on, window/],
        ['two exceptions on one date', 'POST', () => '/api/policies', () => ({ name: unique('p'), exceptions: [{ date: '2026-12-24', mode: 'off' }, { date: '2026-12-24', mode: 'off' }] }), 400, /more than one exception on 2026-12-24/],
        ['a camera id that does not exist (path)', 'GET', () => '/api/cameras/999999', undefined, 404, /camera 999999 not found/],
        ['a profile id that does not exist (update)', 'PATCH', () => '/api/profiles/999999', { fps: 5 }, 404, /profile 999999 not found/],
        ['a policy id that does not exist (delete)', 'DELETE', () => '/api/policies/999999', undefined, 404, /policy 999999 not found/],
        ['a camera id that does not exist (pause)', 'POST', () => '/api/cameras/999999/pause', { minutes: 5 }, 404, /camera 999999 not found/],
        ['a non-numeric id', 'GET', () => '/api/cameras/abc', undefined, 400, /id must be a positive whole number/],
        ['a hexadecimal id', 'GET', () => '/api/cameras/0x1', undefined, 400, /id must be a positive whole number \(got "0x1"\)/],
        ['an exponent id', 'DELETE', () => '/api/cameras/1e0', undefined, 400, /id must be a positive whole number \(got "1e0"\)/],
        ['an id with a leading zero', 'PATCH', () => `/api/profiles/0${fixtures.profile.id}`, { fps: 5 }, 400, /id must be a positive whole number/],
        ['a hexadecimal offset', 'GET', () => '/api/cameras?offset=0x10', undefined, 400, /offset must be a whole number/],
        ['an empty limit', 'GET', () => '/api/cameras?limit=', undefined, 400, /limit must be a whole number/],
        ['an events camera in exponent form', 'GET', () => '/api/enforcer/events?cameraId=1e0', undefined, 400, /cameraId must be a whole number/],
        ['an offset beyond any integer', 'GET', () => '/api/cameras?offset=99999999999999999999', undefined, 400, /offset must not be greater than 2147483647/],
        ['an events camera beyond any integer', 'GET', () => '/api/enforcer/events?cameraId=99999999999', undefined, 400, /cameraId must not be greater than 2147483647/],
        ['a window profile beyond any integer', 'POST', () => '/api/policies', window({ profileId: 99999999999 }), 400, /windows\[0\]\.profileId must not be greater than 2147483647/],
        ['a policy camera id beyond any integer', 'POST', () => '/api/policies', () => ({ name: unique('p'), cameraIds: [2147483648] }), 400, /cameraIds must contain camera ids from 1 to 2147483647/],
        ['a policy camera id in exponent form beyond any integer', 'POST', () => '/api/policies', () => ({ name: unique('p'), cameraIds: [1.2345678901234568e29] }), 400, /cameraIds must contain camera ids from 1 to 2147483647/],
        ['a camera added to a policy beyond any integer', 'POST', () => `/api/policies/${fixtures.policy.id}/cameras`, { cameraIds: [2147483648] }, 400, /cameraIds must contain camera ids from 1 to 2147483647/],
        ['a policy naming 10,000 cameras that do not exist (a short message)', 'POST', () => '/api/policies', () => ({ name: unique('p'), cameraIds: Array.from({ length: 10000 }, (_, i) => 5_000_000 + i) }), 400, /cameraIds refers to cameras that do not exist: 5000000, 5000001, .*, 5000019 and 9980 more$/],
        ['a policy naming a camera that does not exist', 'POST', () => '/api/policies', () => ({ name: unique('p'), cameraIds: [fixtures.camera.id, 999999] }), 400, /cameraIds refers to cameras that do not exist: 999999/],
        ['a window naming a profile that does not exist', 'POST', () => '/api/policies', window({ profileId: 999999 }), 400, /windows\[0\]\.profileId refers to profile 999999, which does not exist/],
        ['a valid window set with one bad exception (all or nothing)', 'PATCH', () => `/api/policies/${fixtures.policy.id}`, () => ({ windows: [], exceptions: [{ date: '2026-12-24', mode: 'on', profileId: 999999 }] }), 400, /exceptions\[0\]\.profileId refers to profile 999999/],
        ['bad extra arguments', 'POST', () => '/api/profiles', () => ({ name: unique('p'), extraArgs: { 'bad key!': 1 } }), 400, /extraArgs must be an object/],
        ['a reserved runner flag in extra arguments', 'POST', () => '/api/profiles', () => ({ name: unique('p'), extraArgs: { '--hb': 'http://elsewhere/' } }), 400, /extraArgs may not set "--hb": the enforcer passes --hb to every runner itself/],
        ['a bad CPU list', 'PUT', () => '/api/resource-settings/global', { cpuAffinity: '3-1' }, 400, /cpuAffinity must be a CPU list/],
        ['a bad device', 'PUT', () => `/api/resource-settings/cameras/${fixtures.camera.id}`, { device: 'tpu' }, 400, /device must be one of cpu, cuda/],
        ['limit=0', 'GET', () => '/api/cameras?limit=0', undefined, 400, /limit must not be less than 1/],
        ['limit=abc', 'GET', () => '/api/cameras?limit=abc', undefined, 400, /limit must be a whole number/],
        ['a 1 MB body', 'POST', () => '/api/cameras', () => JSON.stringify({ name: 'big', rtspUrl: 'x'.repeat(1024 * 1024) }), 413, /too large/i],
        ['a body nested 10,000 levels deep', 'POST', () => '/api/cameras', () => `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`, 400, /Body is nested more than 16 levels deep/],
        ['a policy nested 17 levels deep', 'PATCH', () => `/api/policies/${fixtures.policy.id}`, () => `{"notes":${'['.repeat(17)}${']'.repeat(17)}}`, 400, /Body is nested more than 16 levels deep/],
        ['a lone high surrogate in a camera name', 'POST', () => '/api/cameras', '{"name":"cam\\ud800","rtspUrl":"x"}', 400, /Body contains invalid Unicode \(a lone surrogate\) in "cam\uFFFD"/],
        ['a lone low surrogate in a profile name', 'PATCH', () => `/api/profiles/${fixtures.profile.id}`, '{"name":"\\udc00x"}', 400, /invalid Unicode/],
        ['a lone surrogate in policy notes', 'PATCH', () => `/api/policies/${fixtures.policy.id}`, '{"notes":"a\\ud83d"}', 400, /invalid Unicode/],
        ['a lone surrogate in an object key', 'POST', () => '/api/profiles', '{"name":"p","extraArgs":{"k\\ud800":"v"}}', 400, /invalid Unicode/],
        ['a heartbeat camera id beyond any integer', 'POST', () => '/api/runner/heartbeat/', { camera_id: 2147483648, profile_id: 1 }, 400, /camera_id must be a whole number from 1 to 2147483647/],
        ['a heartbeat count beyond any integer', 'POST', () => '/api/runner/heartbeat/', () => ({ camera_id: fixtures.camera.id, profile_id: fixtures.profile.id, detected: 1e20 }), 400, /detected must be a whole number from 0 to 2147483647/],
        ['a lone surrogate in a heartbeat', 'POST', () => '/api/runner/heartbeat/', '{"camera_id":1,"profile_id":1,"last_error":"\\udfff"}', 400, /invalid Unicode/],
        ['bytes that are not UTF-8 in a name', 'POST', () => '/api/cameras', Buffer.concat([Buffer.from('{"name":"cam-'), Buffer.from([0xed, 0xa0, 0x80, 0xff]), Buffer.from('","rtspUrl":"x"}')]), 400, /Body is not valid UTF-8/],
        ['a body on resume (takes none)', 'POST', () => `/api/cameras/${fixtures.camera.id}/resume`, { until: null }, 400, /POST \/api\/cameras\/\d+\/resume takes no body: send none or \{\}/],
        ['a body on enforce now (takes none)', 'POST', () => '/api/enforcer/enforce', { node: 'x' }, 400, /POST \/api\/enforcer\/enforce takes no body/],
        ['a JSON array on enforce now', 'POST', () => '/api/enforcer/enforce', '[]', 400, /takes no body/],
        ['JSON null on resume', 'POST', () => `/api/cameras/${fixtures.camera.id}/resume`, 'null', 400, /takes no body/],
        ['a body on a delete (takes none)', 'DELETE', () => `/api/policies/${fixtures.policy.id}`, { force: true }, 400, /DELETE \/api\/policies\/\d+ takes no body/],
        ['a body on a window delete', 'DELETE', () => `/api/policies/${fixtures.policy.id}/windows/${fixtures.policy.windows[0].id}`, { id: 1 }, 400, /takes no body/],
        ['an empty form on stop runners', 'POST', () => '/api/runners/stop', '', 415, /Send Content-Type: application\/json/, { 'content-type': 'application/x-www-form-urlencoded' }],
        ['an empty text/plain body on enforce now', 'POST', () => '/api/enforcer/enforce', '', 415, /Send Content-Type: application\/json/, { 'content-type': 'text/plain' }],
      ];

      const table = cases.map(([label, method, url, body, status, message, headers]) => ({ label, method, url, body, status, message, headers }));
      it.each(table)('$label → $status', async ({ method, url, body, status, message, headers }) => {
        const before = await rowCounts();
        const policyBefore = await h.request('GET', `/api/policies/${fixtures.policy.id}`);
        const cameraBefore = await h.request('GET', `/api/cameras/${fixtures.camera.id}`);
        const payload = typeof body === 'function' ? body() : body;
        const res = await h.request(method, url(), payload, headers);
        expect(res.status, res.raw.slice(0, 300)).toBe(status);
        expect(res.body.statusCode).toBe(status);
        expect(res.body.message).toMatch(message);
        expect(res.raw).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
        expect(await rowCounts()).toEqual(before);
        expect((await h.request('GET', `/api/policies/${fixtures.policy.id}`)).body).toEqual(policyBefore.body);
        expect((await h.request('GET', `/api/cameras/${fixtures.camera.id}`)).body).toEqual(cameraBefore.body);
        expect((await h.request('GET', '/health/live')).status).toBe(200);
      });

      it('takes no body, or {}, on endpoints that take none', async () => {
        await h.request('POST', `/api/cameras/${fixtures.camera.id}/pause`, { minutes: 5 });
        expect((await h.request('POST', `/api/cameras/${fixtures.camera.id}/resume`, {})).status).toBe(200);
        expect((await h.request('POST', `/api/cameras/${fixtures.camera.id}/resume`)).status).toBe(200);
        expect((await h.request('POST', '/api/runners/stop', {})).status).toBe(200);
        const window = await h.request('POST', `/api/policies/${fixtures.policy.id}/windows`, { dayOfWeek: 3, startTime: '08:00', endTime: '09:00', profileId: fixtures.profile.id });
        expect((await h.request('DELETE', `/api/policies/${fixtures.policy.id}/windows/${window.body.id}`, {})).status).toBe(204);
      });

      it('keeps well-formed text outside the BMP (a surrogate pair) as sent', async () => {
        const res = await h.request('POST', '/api/cameras', '{"name":"cam \\ud83d\\ude00","rtspUrl":"x"}');
        expect(res.status, res.raw).toBe(201);
        expect(res.body.name).toBe('cam \u{1F600}');
        const [row] = await h.dataSource.query(`SELECT name FROM cameras WHERE id = ${res.body.id}`);
        expect(row.name).toBe('cam \u{1F600}');
        expect((await h.request('DELETE', `/api/cameras/${res.body.id}`)).status).toBe(204);
      });

      it('logs a failed query as one short error line, without its SQL or parameters', async () => {
        const secret = 'hunter2-parameter-value';
        const lines: string[] = [];
        const capture = (level: string) => (...args: unknown[]) => void lines.push(`${level} ${args.map(String).join(' ')}`);
        Logger.overrideLogger({ log: capture('log'), error: capture('error'), warn: capture('warn'), debug: capture('debug'), verbose: capture('verbose'), fatal: capture('fatal') });
        const consoles = (['log', 'info', 'warn', 'error'] as const).map((name) => vi.spyOn(console, name).mockImplementation(capture(`console.${name}`)));
        try {
          const ids = Array.from({ length: 500 }, (_, i) => i + 1);
          const failing = h.dataSource
            .createQueryBuilder()
            .select('c.id')
            .from('cameras', 'c')
            .where('c.no_such_column IN (:...ids) OR c.name = :secret', { ids, secret })
            .getRawMany();
          await expect(failing).rejects.toThrow(/no_such_column/);
        } finally {
          Logger.overrideLogger(false);
          for (const spy of consoles) spy.mockRestore();
        }
        const errors = lines.filter((l) => /^(error|console\.)/.test(l));
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatch(/^error query failed \(SELECT on "cameras"\): .*no_such_column/);
        expect(errors[0].length).toBeLessThan(400);
        const all = lines.join('\n');
        expect(all).not.toContain(secret);
        expect(all).not.toMatch(/PARAMETERS|, 499, 500/);
      });
    });
  });
}
