import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQL_PORT, type Sql } from '../../src/database/sql.js';
import { type Harness, startApp } from '../support/app-harness.js';

/**
 * Every console page and form through HTTP on one engine (the Chromium test drives them on
 * SQLite): the pages' own SQL (joins, counts, instants, filters) on both engines, form bodies
 * as the browser's json-enc sends them (every value a string), refused input redrawn with the
 * API's messages and nothing written, and unknown ids answered 404.
 */
export function defineConsolePagesSuite(engine: 'sqlite' | 'postgres') {
  describe(`console pages on ${engine}`, () => {
    const node = `console-pages-${engine}-${process.pid}`;
    let h: Harness;
    let sql: Sql;
    const ids = { camera: 0, profile: 0, policy: 0, runner: 0 };
    const page = async (url: string) => {
      const res = await h.request('GET', url);
      expect(res.status, `${url}: ${res.raw.slice(0, 300)}`).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['content-security-policy']).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]+'/);
      return res.raw;
    };
    const count = async (table: string) => Number((await sql.query<{ n: string | number }>(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);

    beforeAll(async () => {
      h = await startApp(engine, { NODE_NAME: node, TZ: 'Europe/Berlin' });
      sql = h.app.get<Sql>(SQL_PORT);
      ids.profile = (await h.request('POST', '/api/profiles', { name: 'day <b>', extraArgs: { '--min_face_px': 40 } })).body.id;
      ids.camera = (await h.request('POST', '/api/cameras', { name: 'Gate <i>1</i>', rtspUrl: 'rtsp://admin:pw-7431@10.0.0.5/s' })).body.id;
      ids.policy = (await h.request('POST', '/api/policies', {
        name: 'School week', cameraIds: [ids.camera],
        windows: [{ dayOfWeek: 0, startTime: '07:30', endTime: '15:00', profileId: ids.profile }, { dayOfWeek: 4, startTime: '22:00', endTime: '06:00', profileId: ids.profile }],
        exceptions: [{ date: '2026-12-24', mode: 'off' }],
      })).body.id;
      const [runner] = await sql.query<{ id: number }>(
        'INSERT INTO runners (camera_id, profile_id, node, status, pid, last_heartbeat_at, camera_fps, processed_fps, target_fps, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
        [ids.camera, ids.profile, 'elsewhere', 'running', 999999, sql.instant(new Date()), 25, 5, 6, 'open rtsp://admin:pw-7431@10.0.0.5/s failed'],
      );
      ids.runner = Number(runner.id);
      const now = Date.now();
      for (let i = 0; i < 30; i++) {
        await sql.execute('INSERT INTO runner_heartbeats (camera_id, profile_id, pid, ts, camera_fps, processed_fps, target_fps, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [ids.camera, ids.profile, 999999, sql.instant(new Date(now - i * 60_000)), 25, 5, 6, '']);
      }
      await sql.execute('INSERT INTO enforcer_events (ts, node, kind, camera_id, profile_id, pid, message) VALUES (?, ?, ?, ?, ?, ?, ?)', [sql.instant(new Date(now - 3_600_000)), node, 'start', ids.camera, ids.profile, 999999, 'started <script>x</script>']);
      await sql.execute('INSERT INTO enforcer_events (ts, node, kind, camera_id, profile_id, pid, message) VALUES (?, ?, ?, ?, ?, ?, ?)', [sql.instant(new Date(now - 60_000)), node, 'crash', ids.camera, ids.profile, 999999, 'exit 1']);
    });
    afterAll(async () => {
      await h?.close();
    });

    it('renders every page with user text escaped and the password masked', async () => {
      const pages = [
        '/dash/cameras/', '/dash/cameras/new', `/dash/cameras/${ids.camera}`, '/dash/profiles/', '/dash/profiles/new', `/dash/profiles/${ids.profile}`,
        '/dash/policies/', '/dash/policies/new', `/dash/policies/${ids.policy}`, '/dash/resources/', `/dash/resources/cameras/${ids.camera}`,
        '/dash/runners/', `/dash/runners/?cameraId=${ids.camera}`, `/dash/runners/${ids.runner}?hours=24`, '/dash/events/', '/dash/heartbeats/', `/dash/heartbeats/?runnerId=${ids.runner}`,
      ];
      for (const url of pages) {
        const html = await page(url);
        expect(html, url).not.toMatch(/<i>1<\/i>|<b>|<script>x/);
        expect(html, url).not.toContain('pw-7431');
      }
      expect(await page(`/dash/cameras/${ids.camera}`)).toContain('Gate &lt;i&gt;1&lt;/i&gt;');
      expect(await page(`/dash/runners/${ids.runner}?hours=24`)).toContain('rtsp://admin:***@10.0.0.5/s');
      const chart = await page(`/dash/runners/${ids.runner}?hours=1`);
      expect((chart.match(/<circle class="pt-a"/g) ?? []).length).toBeGreaterThan(5);
      const history = await page(`/dash/heartbeats/?runnerId=${ids.runner}`);
      expect((history.match(/data-heartbeat="/g) ?? []).length).toBe(30);
      const redirect = await h.request('GET', '/dash/');
      expect([redirect.status, redirect.headers.location]).toEqual([302, '/dash/system/']);
    });

    it('filters events by camera, kind and local time; a bad filter is named and ignored', async () => {
      const kinds = (html: string) => [...html.matchAll(/data-kind="([a-z-]+)"/g)].map((m) => m[1]);
      expect(kinds(await page(`/dash/events/?cameraId=${ids.camera}`))).toEqual(['crash', 'start']);
      expect(kinds(await page(`/dash/events/?cameraId=${ids.camera}&kind=crash`))).toEqual(['crash']);
      const since = new Date(Date.now() - 30 * 60_000).toLocaleString('sv-SE', { timeZone: 'Europe/Berlin' }).replace(' ', 'T').slice(0, 16);
      expect(kinds(await page(`/dash/events/?since=${since}`))).toEqual(['crash']);
      const bad = await page('/dash/events/?kind=explode&cameraId=x1');
      expect(bad).toContain('camera must be a camera id; kind must be one of');
      expect(kinds(bad)).toEqual(['crash', 'start']);
    });

    it('creates and edits through the forms as the browser posts them, and shows the API’s messages at the fields', async () => {
      const cameras = await count('cameras');
      const refused = await h.request('POST', '/dash/cameras/new', { name: '', rtspUrl: 'rtsp://h/s', hbInterval: 'often', isActive: 'on' });
      expect(refused.status).toBe(422);
      expect(refused.raw).toContain('name must not be empty');
      expect(refused.raw).toContain('hbInterval must be an integer number');
      expect(await count('cameras')).toBe(cameras);
      const created = await h.request('POST', '/dash/cameras/new', { name: 'Hall', rtspUrl: 'rtsp://u:secret-99@h/s', hbInterval: '5', isActive: 'on', targetFpsReq: '', detSetReq: '', node: '' });
      expect(created.status).toBe(200);
      const id = Number(String(created.headers['hx-redirect']).split('/').pop());
      expect((await h.request('GET', `/api/cameras/${id}`)).body).toMatchObject({ name: 'Hall', hbInterval: 5, isActive: true, targetFpsReq: null, node: null });
      // The edit form sends the masked URL back unchanged: the stored password stays.
      const edited = await h.request('POST', `/dash/cameras/${id}`, { name: 'Hall 2', rtspUrl: 'rtsp://u:***@h/s', hbInterval: '5' });
      expect(edited.status).toBe(200);
      expect((await sql.query<{ rtsp_url: string; is_active: unknown }>(`SELECT rtsp_url, is_active FROM cameras WHERE id = ${id}`))[0]).toMatchObject({ rtsp_url: 'rtsp://u:secret-99@h/s' });
      expect((await h.request('GET', `/api/cameras/${id}`)).body.isActive).toBe(false);

      const overlap = await h.request('POST', `/dash/policies/${ids.policy}`, {
        name: 'School week', isEnabled: 'on', cameraIds: String(ids.camera),
        'windows[0].dayOfWeek': '0', 'windows[0].startTime': '07:30', 'windows[0].endTime': '15:00', 'windows[0].profileId': String(ids.profile),
        'windows[1].dayOfWeek': '0', 'windows[1].startTime': '14:00', 'windows[1].endTime': '16:00', 'windows[1].profileId': String(ids.profile),
      });
      expect(overlap.status).toBe(422);
      expect(overlap.raw).toMatch(/<tr data-field="windows\[1\]" class="invalid">[\s\S]*Overlapping windows on Mon: 07:30–15:00 conflicts with 14:00–16:00/);
      expect((await h.request('GET', `/api/policies/${ids.policy}`)).body.windows).toHaveLength(2);

      const profile = await h.request('POST', '/dash/profiles/new', { name: 'night', fps: '2.5', hbInterval: '10', snapshotEvery: '0', detectionSet: '640', rtspTransport: '', extraArgs: '--min_face_px 32\n--debug', isActive: 'on' });
      expect(profile.status, profile.raw).toBe(200);
      expect((await h.request('GET', '/api/profiles?limit=500')).body.items.find((p: { name: string }) => p.name === 'night')).toMatchObject({ fps: 2.5, extraArgs: { '--min_face_px': 32, '--debug': true } });

      const caps = await h.request('POST', '/dash/resources/global', { device: '', hwaccel: '', gpuIndex: '', cpuNice: '25', cpuAffinity: '', maxFps: '', detSetMax: '', isActive: 'on' });
      expect(caps.status).toBe(422);
      expect(caps.raw).toContain('cpuNice must not be greater than 19');
    });

    it('pauses until a local time, resumes, and purges heartbeat history older than a local time', async () => {
      const paused = await h.request('POST', `/dash/cameras/${ids.camera}/pause`, { until: '2099-01-01T08:00' });
      expect(paused.status).toBe(200);
      expect(JSON.parse(String(paused.headers['hx-trigger']))['bisk-message']).toBe('Paused until 2099-01-01 08:00:00 +01:00');
      expect((await h.request('GET', `/api/cameras/${ids.camera}`)).body.pauseUntil).toBe('2099-01-01T07:00:00.000Z');
      expect((await h.request('POST', `/dash/cameras/${ids.camera}/pause`, { until: 'tomorrow' })).raw).toContain('until must be a date and time');
      expect((await h.request('POST', `/dash/cameras/${ids.camera}/resume`, {})).status).toBe(200);
      expect((await h.request('GET', `/api/cameras/${ids.camera}`)).body.paused).toBe(false);

      const future = await h.request('POST', '/dash/heartbeats/purge', { before: '2099-01-01T00:00', runnerId: String(ids.runner) });
      expect([future.status, future.raw.includes('must not be in the future')]).toEqual([422, true]);
      const cutoff = new Date(Date.now() - 10.5 * 60_000).toLocaleString('sv-SE', { timeZone: 'Europe/Berlin' }).replace(' ', 'T').slice(0, 19);
      const purged = await h.request('POST', '/dash/heartbeats/purge', { before: cutoff, runnerId: String(ids.runner) });
      expect(purged.status).toBe(200);
      expect(purged.raw).toMatch(/Deleted 19 row\(s\)/);
      expect(await count('runner_heartbeats')).toBe(11);
    });

    it('pages a runner’s history by position: every row once, newest first, rows with the same time split across pages included', async () => {
      const [runner] = await sql.query<{ id: number }>(
        'INSERT INTO runners (camera_id, profile_id, node, status) VALUES (?, ?, ?, ?) RETURNING id',
        [(await h.request('POST', '/api/cameras', { name: 'History', rtspUrl: 'rtsp://h/x' })).body.id, ids.profile, node, 'exited'],
      );
      const [{ camera_id: cameraId }] = await sql.query<{ camera_id: number }>(`SELECT camera_id FROM runners WHERE id = ${runner.id}`);
      const t0 = Date.parse('2026-11-01T00:00:00Z');
      // 120 rows; rows 45–54 (newest first) share one instant, across the first page's end.
      const times = Array.from({ length: 120 }, (_, i) => (i >= 65 && i < 75 ? t0 + 65_000 : t0 + i * 1000));
      for (const ts of times) await sql.execute('INSERT INTO runner_heartbeats (camera_id, profile_id, ts, last_error) VALUES (?, ?, ?, ?)', [cameraId, ids.profile, sql.instant(new Date(ts)), '']);
      const expected = (await sql.query<{ id: number }>('SELECT id FROM runner_heartbeats WHERE camera_id = ? ORDER BY ts DESC, id DESC', [cameraId])).map((r) => Number(r.id));
      const seen: number[] = [];
      let url: string | undefined = `/dash/heartbeats/?runnerId=${runner.id}`;
      for (let pages = 0; url && pages < 5; pages++) {
        const html = await page(url);
        seen.push(...[...html.matchAll(/data-heartbeat="(\d+)"/g)].map((m) => Number(m[1])));
        url = html.match(/href="(\/dash\/heartbeats\/\?runnerId=\d+&amp;before=[\d.]+)" rel="next"/)?.[1].replace('&amp;', '&');
      }
      expect(seen).toEqual(expected);
      // Jump to a local time: the rows before it.
      const at = await page(`/dash/heartbeats/?runnerId=${runner.id}&at=2026-11-01T01:00:10`);
      expect([...at.matchAll(/data-heartbeat="(\d+)"/g)].length).toBe(10);
      expect(await page(`/dash/heartbeats/?runnerId=${runner.id}&before=garbage`)).toContain('before must be a position from an &quot;Older&quot; link');
    });

    it('answers unknown and malformed ids with 404/400, not a page', async () => {
      for (const url of ['/dash/cameras/999999', '/dash/policies/999999', '/dash/profiles/999999', '/dash/runners/999999', '/dash/heartbeats/?runnerId=999999', '/dash/resources/cameras/999999']) {
        expect((await h.request('GET', url)).status, url).toBe(404);
      }
      for (const url of ['/dash/cameras/0x1', '/dash/policies/abc', '/dash/runners/2147483648']) {
        expect((await h.request('GET', url)).status, url).toBe(400);
      }
      // A page the browser navigated to answers in the console's layout; htmx's own requests get the JSON message.
      const missing = await h.request('GET', '/dash/cameras/999999');
      expect(missing.headers['content-type']).toMatch(/^text\/html/);
      expect(missing.headers['content-security-policy']).toMatch(/script-src 'nonce-/);
      expect(missing.raw).toContain('<nav aria-label="Sections">');
      expect(missing.raw).toContain('camera 999999 not found');
      const unknown = await h.request('GET', '/dash/nothing-here');
      expect([unknown.status, unknown.headers['content-type']]).toEqual([404, 'text/html; charset=utf-8']);
      const fromHtmx = await h.request('GET', '/dash/cameras/999999', undefined, { 'hx-request': 'true' });
      expect([fromHtmx.status, fromHtmx.body.message]).toEqual([404, 'camera 999999 not found']);
      expect((await h.request('GET', '/dash/assets/../package.json')).status).toBe(404);
      expect((await h.request('GET', '/dash/assets/console.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    });
  });
}
