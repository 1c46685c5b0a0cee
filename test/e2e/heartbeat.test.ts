import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_ROWS_PER_MINUTE } from '../../src/heartbeats/heartbeat.payload.js';
import { HeartbeatsService } from '../../src/heartbeats/heartbeats.service.js';
import { freePort, MAIN, requireBuild, startProcess } from '../support/processes.js';
import { type Harness, startApp } from '../support/app-harness.js';

const KEY = 'hb-key-0123456789';

/** The runner heartbeat endpoint's rules (§4), through HTTP on the real app. */
describe('POST /api/runner/heartbeat/', () => {
  let h: Harness;
  let cameraId: number;
  let profileId: number;
  let runnerId: number;

  // Heartbeats are written in batches every 200 ms; tests flush before reading the database.
  const flush = () => h.app.get(HeartbeatsService).flush();
  const stored = async () => {
    await flush();
    return Number((await h.dataSource.query(`SELECT COUNT(*) AS n FROM runner_heartbeats WHERE camera_id = ${cameraId}`))[0].n);
  };
  const row = async () => {
    await flush();
    return (await h.dataSource.query(`SELECT * FROM runners WHERE id = ${runnerId}`))[0];
  };
  const beat = (body: unknown, { url = '/api/runner/heartbeat/', key = KEY as string | null } = {}) =>
    h.request('POST', url, body, key ? { 'x-bisk-key': key } : {});

  beforeAll(async () => {
    h = await startApp('sqlite', { RUNNER_HEARTBEAT_KEY: KEY, HB_LOG_EVERY_SEC: '60', BISK_API_TOKEN: 'api-token-0123456789abcdef' });
    const auth = { authorization: 'Bearer api-token-0123456789abcdef' };
    cameraId = (await h.request('POST', '/api/cameras', { name: 'hb-cam', rtspUrl: 'rtsp://h/s' }, auth)).body.id;
    profileId = (await h.request('POST', '/api/profiles', { name: 'hb-profile' }, auth)).body.id;
    await h.dataSource.query(`INSERT INTO runners (camera_id, profile_id, node, pid, status) VALUES (${cameraId}, ${profileId}, 'n1', 4242, 'running')`);
    runnerId = (await h.dataSource.query(`SELECT id FROM runners WHERE camera_id = ${cameraId}`))[0].id;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('accepts the original payload without the API token, updates the runner row and stores the first heartbeat', async () => {
    const res = await beat({ camera_id: cameraId, profile_id: profileId, pid: 4242, camera_fps: 25, processed_fps: 6, target_fps: 6, detected: 3, matched: 1, latency_ms: 40, last_error: '', snapshot_every: 3, min_face_px: 40 });
    expect(res.status, res.raw).toBe(200);
    expect(res.body).toEqual({ ok: true, runnerId, stored: true });
    const r = await row();
    expect(r).toMatchObject({ camera_fps: 25, processed_fps: 6, target_fps: 6, snapshot_every: 3, last_error: '' });
    expect(r.last_heartbeat_at).toBeTruthy();
    expect(await stored()).toBe(1);
  });

  it('keeps one history row per HB_LOG_EVERY_SEC, and one when an error appears', async () => {
    const before = await stored();
    expect((await beat({ camera_id: cameraId, profile_id: profileId, camera_fps: 24 })).body.stored).toBe(false);
    expect(await stored()).toBe(before);
    const err = await beat({ camera_id: cameraId, profile_id: profileId, last_error: 'timed out (camera unreachable or too slow) rtsp://u:pw@h/s' });
    expect(err.body.stored).toBe(true);
    expect(await stored()).toBe(before + 1);
    expect((await row()).last_error).toBe('timed out (camera unreachable or too slow) rtsp://u:***@h/s');
  });

  it('samples error rows too: a flood of changing errors keeps at most ERROR_ROWS_PER_MINUTE rows, a repeated one a single row', async () => {
    const auth = { authorization: 'Bearer api-token-0123456789abcdef' };
    const camera = (await h.request('POST', '/api/cameras', { name: 'hb-flood', rtspUrl: 'rtsp://h/s' }, auth)).body.id;
    const count = async () => {
      await flush();
      return Number((await h.dataSource.query(`SELECT COUNT(*) AS n FROM runner_heartbeats WHERE camera_id = ${camera}`))[0].n);
    };
    for (let i = 0; i < 300; i++) {
      const res = await beat({ camera_id: camera, profile_id: profileId, last_error: 'stream not found' });
      expect(res.status).toBe(200);
    }
    expect(await count()).toBe(1);
    for (let i = 0; i < 500; i++) await beat({ camera_id: camera, profile_id: profileId, last_error: `error number ${i}` });
    // The first error row plus the changed texts, up to the bound for the minute (old code: 801 rows).
    expect(await count()).toBe(ERROR_ROWS_PER_MINUTE);
    // Beyond the bound nothing more is kept this minute (the runner row still gets each text).
    const latest = await beat({ camera_id: camera, profile_id: profileId, last_error: 'the newest error' });
    expect(latest.body.stored).toBe(false);
  });

  it('holds fps values through a drop-out (0 is a gap, not a reading)', async () => {
    await beat({ camera_id: cameraId, profile_id: profileId, camera_fps: 20, processed_fps: 5 });
    await beat({ camera_id: cameraId, profile_id: profileId, camera_fps: 0, processed_fps: 0 });
    expect(await row()).toMatchObject({ camera_fps: 20, processed_fps: 5 });
  });

  it.each([
    ['the header', { url: '/api/runner/heartbeat/', key: KEY }, {}],
    ['?key=', { url: `/api/runner/heartbeat/?key=${KEY}`, key: null }, {}],
    ['hb_key in the body', { url: '/api/runner/heartbeat/', key: null }, { hb_key: KEY }],
    ['the path without the trailing slash', { url: '/api/runner/heartbeat', key: KEY }, {}],
  ])('takes the key in %s', async (_label, opts, extra) => {
    const res = await beat({ camera: cameraId, profile: profileId, fps: 25, ...extra }, opts);
    expect(res.status, res.raw).toBe(200);
  });

  it.each([
    ['a wrong key', { key: 'nope' }, {}, 403, /Invalid or missing heartbeat key/],
    ['no key', { key: null }, {}, 403, /Invalid or missing heartbeat key/],
    ['an unknown camera', {}, { camera_id: 999999 }, 404, /^unknown camera 999999$/],
    ['an unknown profile', {}, { profile_id: 999999 }, 404, /^unknown profile 999999$/],
    ['an unknown camera and profile', {}, { camera_id: 999998, profile_id: 999999 }, 404, /^unknown camera 999998 and unknown profile 999999$/],
    ['a wrong type', {}, { camera_fps: 'fast' }, 400, /camera_fps must be a number/],
    ['a missing camera', {}, { camera_id: undefined }, 400, /camera_id or camera is required/],
  ])('refuses %s and stores nothing', async (_label, opts, over, status, message) => {
    const before = await stored();
    const beforeRow = await row();
    const res = await beat({ camera_id: cameraId, profile_id: profileId, last_error: 'would be stored', ...over }, opts);
    expect(res.status).toBe(status);
    expect(res.body.message).toMatch(message);
    expect(await stored()).toBe(before);
    expect(await row()).toEqual(beforeRow);
  });

  it('refuses malformed JSON with 400 and GET with 405', async () => {
    const bad = await h.request('POST', '/api/runner/heartbeat/', '{"camera_id": 1,', { 'x-bisk-key': KEY });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/not valid JSON/);
    for (const url of ['/api/runner/heartbeat/', '/api/runner/heartbeat']) {
      const get = await h.request('GET', url);
      expect(get.status).toBe(405);
      expect(get.body.message).toBe('Use POST to send a heartbeat');
    }
  });
});

/** A heartbeat endpoint reachable from the network must have a key, or be opened on purpose. */
describe('heartbeat key on a non-loopback HOST', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bisk-hb-host-'));
  const env = { HOST: '0.0.0.0', BISK_API_TOKEN: 'api-token-0123456789abcdef', DATABASE_URL: join(dir, 'bisk.sqlite') };
  beforeAll(() => requireBuild());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to start without RUNNER_HEARTBEAT_KEY, in one line saying how to fix it', async () => {
    const app = startProcess(MAIN, [], env);
    const { code } = await app.exit();
    expect(code).toBe(78);
    expect(app.output().trim()).toMatch(/^Invalid configuration: HOST "0\.0\.0\.0" is not a loopback address and RUNNER_HEARTBEAT_KEY is empty: .*\(set RUNNER_HEARTBEAT_KEY, or RUNNER_HEARTBEAT_OPEN=true to accept heartbeats without a key\)$/);
  });

  it('starts with RUNNER_HEARTBEAT_OPEN=true, warns about it, and then takes heartbeats without a key', async () => {
    const port = await freePort();
    const app = startProcess(MAIN, [], { ...env, PORT: String(port), RUNNER_HEARTBEAT_OPEN: 'true' });
    try {
      await app.waitFor(/Listening on http:\/\/0\.0\.0\.0:\d+/);
      expect(app.output()).toMatch(/RUNNER_HEARTBEAT_OPEN=true and no RUNNER_HEARTBEAT_KEY: anyone who reaches 0\.0\.0\.0:\d+ can post heartbeats for any camera/);
      const res = await fetch(`http://127.0.0.1:${port}/api/runner/heartbeat/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ camera_id: 1, profile_id: 1 }) });
      expect(res.status).toBe(404); // through the key check to the lookup: no such camera
    } finally {
      app.child.kill('SIGTERM');
      await app.exit();
    }
  });
});
