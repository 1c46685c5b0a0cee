import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeartbeatsService } from '../../src/heartbeats/heartbeats.service.js';
import { type Harness, startApp } from '../support/app-harness.js';

const KEY = 'hb-key-camera-urls-0123';
const RAW = /rtspUrl has a raw "(.)" in its user name or password, where ffmpeg ends the host: write it percent-encoded \(\/ as %2F, # as %23, \? as %3F, @ as %40\)/;

/**
 * The stream URL's password through HTTP on one engine: a masked `***` sent back with the rest
 * of the URL edited keeps the stored password, one that cannot stand for it is refused, a raw
 * `/`, `#` or `?` in a password is refused, and such a password is masked wherever it is shown.
 */
export function defineCameraUrlSuite(engine: 'sqlite' | 'postgres') {
  describe(`camera stream URLs on ${engine}`, () => {
    let h: Harness;
    let seq = 0;

    const storedUrl = async (id: number) => (await h.dataSource.query(`SELECT rtsp_url FROM cameras WHERE id = ${id}`))[0].rtsp_url as string;
    const cameraCount = async () => Number((await h.dataSource.query('SELECT COUNT(*) AS n FROM cameras'))[0].n);
    const create = async (rtspUrl: string) => {
      const res = await h.request('POST', '/api/cameras', { name: `url-cam-${++seq}`, rtspUrl });
      expect(res.status, res.raw).toBe(201);
      return res.body as { id: number; rtspUrl: string };
    };

    beforeAll(async () => {
      h = await startApp(engine, { RUNNER_HEARTBEAT_KEY: KEY });
    });
    afterAll(async () => {
      await h?.close();
    });

    it('keeps the stored password when the masked URL comes back with another host, port and path', async () => {
      const camera = await create('rtsp://admin:s3cret@10.1.1.1/s');
      expect(camera.rtspUrl).toBe('rtsp://admin:***@10.1.1.1/s');
      const res = await h.request('PATCH', `/api/cameras/${camera.id}`, { rtspUrl: 'rtsp://admin:***@10.1.1.2:8554/s2' });
      expect(res.status, res.raw).toBe(200);
      expect(res.body.rtspUrl).toBe('rtsp://admin:***@10.1.1.2:8554/s2');
      expect(await storedUrl(camera.id)).toBe('rtsp://admin:s3cret@10.1.1.2:8554/s2');
    });

    it('keeps it through the console\'s edit form too, and shows the refusal at the field', async () => {
      const camera = await create('rtsp://admin:s3cret@10.1.1.1/s');
      const edited = await h.request('POST', `/dash/cameras/${camera.id}`, { name: `url-cam-${++seq}`, rtspUrl: 'rtsp://admin:***@10.1.1.2/s', hbInterval: '5' });
      expect(edited.status, edited.raw).toBe(200);
      expect(await storedUrl(camera.id)).toBe('rtsp://admin:s3cret@10.1.1.2/s');
      const refused = await h.request('POST', `/dash/cameras/${camera.id}`, { name: `url-cam-${++seq}`, rtspUrl: 'rtsp://root:***@10.1.1.3/s', hbInterval: '5' });
      expect(refused.status).toBe(422);
      expect(refused.raw).toContain('rtspUrl keeps the masked password *** but the user name changed');
      expect(await storedUrl(camera.id)).toBe('rtsp://admin:s3cret@10.1.1.2/s');
    });

    it('keeps a stored query secret sent back as ***', async () => {
      const camera = await create('http://10.1.1.1/snap.jpg?user=admin&password=s3cret');
      const res = await h.request('PATCH', `/api/cameras/${camera.id}`, { rtspUrl: 'http://10.1.1.9/snap.jpg?user=admin&password=***' });
      expect(res.status, res.raw).toBe(200);
      expect(await storedUrl(camera.id)).toBe('http://10.1.1.9/snap.jpg?user=admin&password=s3cret');
    });

    it.each([
      ['another user name', 'rtsp://admin:s3cret@10.1.1.1/s', 'rtsp://operator:***@10.1.1.2/s'],
      ['no password stored', 'rtsp://10.1.1.1/s', 'rtsp://admin:***@10.1.1.2/s'],
    ])('refuses *** with %s and leaves the row as it was', async (_label, before, sent) => {
      const camera = await create(before);
      const res = await h.request('PATCH', `/api/cameras/${camera.id}`, { rtspUrl: sent, location: 'changed' });
      expect(res.status, res.raw).toBe(400);
      expect(res.body.message).toBe('rtspUrl keeps the masked password *** but the user name changed (or no password is stored): type the password');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['rtspUrl']);
      const [row] = await h.dataSource.query(`SELECT rtsp_url, location FROM cameras WHERE id = ${camera.id}`);
      expect(row).toEqual({ rtsp_url: before, location: '' });
    });

    it('refuses a new camera whose password is ***', async () => {
      const before = await cameraCount();
      const res = await h.request('POST', '/api/cameras', { name: `url-cam-${++seq}`, rtspUrl: 'rtsp://admin:***@10.0.0.5/s' });
      expect(res.status, res.raw).toBe(400);
      expect(res.body.message).toBe('rtspUrl has the masked password ***: type the real password, not ***');
      expect(await cameraCount()).toBe(before);
    });

    it.each([
      ['/', 'rtsp://admin:pa/ss2@10.0.0.5/s'],
      ['#', 'rtsp://admin:pa#ss3@10.0.0.5/s'],
      ['?', 'rtsp://admin:pa?ss4@10.0.0.5/s'],
    ])('refuses a password with a raw %s and says how to write it, on create and on update', async (char, url) => {
      const before = await cameraCount();
      const created = await h.request('POST', '/api/cameras', { name: `url-cam-${++seq}`, rtspUrl: url });
      expect(created.status, created.raw).toBe(400);
      expect(created.body.message).toMatch(RAW);
      expect(RAW.exec(created.body.message)![1]).toBe(char);
      expect(created.body.errors.map((e: { field: string }) => e.field)).toEqual(['rtspUrl']);
      expect(created.raw).not.toContain('ss2');
      expect(await cameraCount()).toBe(before);

      const camera = await create('rtsp://admin:s3cret@10.0.0.5/s');
      const updated = await h.request('PATCH', `/api/cameras/${camera.id}`, { rtspUrl: url });
      expect(updated.status, updated.raw).toBe(400);
      expect(updated.body.message).toMatch(RAW);
      expect(await storedUrl(camera.id)).toBe('rtsp://admin:s3cret@10.0.0.5/s');
    });

    it('takes the percent-encoded password and a path with an @ after host:port', async () => {
      expect((await create('rtsp://admin:pa%2Fss2%23%3F@10.0.0.5/s')).rtspUrl).toBe('rtsp://admin:***@10.0.0.5/s');
      const withAt = await create('rtsp://10.0.0.5:554/clip@2x');
      expect(await storedUrl(withAt.id)).toBe('rtsp://10.0.0.5:554/clip@2x');
    });

    it('masks a raw-character password in a runner\'s last error and in an event message', async () => {
      const camera = await create('rtsp://10.0.0.7/s');
      const profileId = (await h.request('POST', '/api/profiles', { name: `url-profile-${++seq}` })).body.id;
      await h.dataSource.query(`INSERT INTO runners (camera_id, profile_id, node, pid, status) VALUES (${camera.id}, ${profileId}, 'url-node', 4242, 'running')`);
      const beat = await h.request('POST', '/api/runner/heartbeat/', {
        camera_id: camera.id, profile_id: profileId, last_error: 'rtsp://admin:pa/ss2@10.0.0.5/s: Invalid argument',
      }, { 'x-bisk-key': KEY });
      expect(beat.status, beat.raw).toBe(200);
      await h.app.get(HeartbeatsService).flush();
      const [row] = await h.dataSource.query(`SELECT last_error FROM runners WHERE camera_id = ${camera.id}`);
      expect(row.last_error).toBe('rtsp://admin:***@10.0.0.5/s: Invalid argument');

      await h.dataSource.query(`INSERT INTO enforcer_events (ts, node, kind, camera_id, message) VALUES ('2026-01-01 00:00:00', 'url-node', 'crash', ${camera.id}, 'ffmpeg: rtsp://admin:pa#ss3@10.0.0.5/s failed')`);
      const events = await h.request('GET', `/api/enforcer/events?cameraId=${camera.id}`);
      expect(events.status, events.raw).toBe(200);
      expect(events.body.items.map((e: { message: string }) => e.message)).toEqual(['ffmpeg: rtsp://admin:***@10.0.0.5/s failed']);
    });
  });
}
