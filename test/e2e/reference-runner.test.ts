import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoClip } from '../../src/demo/demo.js';
import { findTool } from '../../src/runner/ffmpeg.js';
import { type Harness, startApp } from '../support/app-harness.js';
import { embeddedEnforcerEnv, until } from '../support/wait.js';
import { CLI, freePort, requireBuild } from '../support/processes.js';

/** The bundled runner on real ffmpeg, started by the real enforcer, heartbeating to the real app. */
describe('reference runner on real ffmpeg', () => {
  let h: Harness;
  let clip: string;
  let seq = 0;

  beforeAll(async () => {
    requireBuild();
    if (!findTool('ffmpeg', undefined)) throw new Error('ffmpeg is required for this suite (apt-get install ffmpeg); .ci/run installs it');
    const port = await freePort();
    h = await startApp(
      'sqlite',
      embeddedEnforcerEnv(port, { ENFORCER_INTERVAL_SECONDS: '2', RUNNER_HEARTBEAT_KEY: 'runner-key-123' }),
      { listen: true },
    );
    clip = join(h.db.dir, 'clip.mp4');
    ensureDemoClip(clip, undefined);
  });
  afterAll(async () => {
    await h?.close();
  });

  async function schedule(rtspUrl: string) {
    const n = ++seq;
    const camera = (await h.request('POST', '/api/cameras', { name: `ffmpeg-${n}`, rtspUrl })).body;
    const profile = (await h.request('POST', '/api/profiles', { name: `ffmpeg-profile-${n}`, fps: 5, hbInterval: 1, snapshotEvery: 1 })).body;
    const policy = (await h.request('POST', '/api/policies', { name: `ffmpeg-policy-${n}`, cameraIds: [camera.id], windows: [0, 1, 2, 3, 4, 5, 6].map((d) => ({ dayOfWeek: d, startTime: '00:00', endTime: '00:00', profileId: profile.id })) })).body;
    return { camera, profile, policy };
  }

  it('decodes a looping clip at the target fps, heartbeats with the original payload, and writes snapshots', async () => {
    const { camera, profile, policy } = await schedule(clip);
    const row = await until('heartbeats with frame rates', async () => {
      const r = (await h.dataSource.query(`SELECT * FROM runners WHERE camera_id = ${camera.id}`))[0];
      return r?.camera_fps && r?.processed_fps ? r : undefined;
    });
    expect(row.camera_fps).toBe(25);
    expect(row.processed_fps).toBeGreaterThan(2);
    expect(row.processed_fps).toBeLessThan(8);
    expect(row.target_fps).toBe(5);
    const heartbeats = await h.dataSource.query(`SELECT * FROM runner_heartbeats WHERE camera_id = ${camera.id}`);
    expect(heartbeats[0]).toMatchObject({ profile_id: profile.id, pid: row.pid, target_fps: 5 });
    const snapshot = join(h.db.dir, 'snapshots', `camera-${camera.id}`, `camera-${camera.id}-profile-${profile.id}-latest.jpg`);
    await until('snapshot', async () => existsSync(snapshot) && statSync(snapshot).size > 1000);
    expect(execFileSync('file', [snapshot]).toString()).toMatch(/JPEG image data.*640x360/);

    await h.request('PATCH', `/api/policies/${policy.id}`, { isEnabled: false });
    await until('stopped', async () => (await h.dataSource.query(`SELECT pid FROM runners WHERE camera_id = ${camera.id}`))[0].pid === null);
    const stop = (await h.dataSource.query(`SELECT message FROM enforcer_events WHERE camera_id = ${camera.id} AND kind = 'stop'`))[0];
    expect(stop.message).toMatch(/; stopped$/); // exited on SIGTERM, no SIGKILL needed

    // The API serves what the runner wrote where the enforcer told it to (SNAPSHOT_DIR/camera-<id>/);
    // read once the runner has stopped, so the file no longer changes under the comparison.
    const served = await h.app.inject({ method: 'GET', url: `/api/cameras/${camera.id}/snapshot` });
    expect(served.statusCode, served.body).toBe(200);
    expect(served.headers['content-type']).toBe('image/jpeg');
    expect(served.rawPayload.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(served.rawPayload.equals(readFileSync(snapshot))).toBe(true);
    expect(Date.parse(String(served.headers['last-modified']))).toBe(Math.floor(statSync(snapshot).mtimeMs / 1000) * 1000);
  });

  it('keeps the stream password and the heartbeat key off every command line and hands runners an allow-listed environment', async () => {
    // A live HTTP stream behind Basic auth; the password has an @ and a ; in it.
    const password = 'p@ss;w0rd-7431';
    const authorizations: string[] = [];
    const server: Server = createServer((req, res) => {
      authorizations.push(req.headers.authorization ?? '');
      if (req.headers.authorization !== `Basic ${Buffer.from(`viewer:${password}`).toString('base64')}`) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="cam"' }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'video/mp2t' });
      const feed = spawn(findTool('ffmpeg', undefined)!, ['-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', clip, '-c', 'copy', '-f', 'mpegts', '-'], { stdio: ['ignore', 'pipe', 'ignore'] });
      feed.stdout.pipe(res);
      res.on('close', () => feed.kill('SIGKILL'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const streamPort = (server.address() as AddressInfo).port;
    process.env.BISK_API_TOKEN = 'service-only-token-0123456789';
    try {
      const { camera, policy } = await schedule(`http://viewer:${encodeURIComponent(password)}@127.0.0.1:${streamPort}/live.ts`);
      const row = await until('heartbeats from the authenticated stream', async () => {
        const r = (await h.dataSource.query(`SELECT * FROM runners WHERE camera_id = ${camera.id}`))[0];
        return r?.processed_fps > 0 ? r : undefined;
      });
      expect(authorizations).toContain(`Basic ${Buffer.from(`viewer:${password}`).toString('base64')}`);

      const secrets = [password, encodeURIComponent(password), 'runner-key-123'];
      const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const environ = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      const runnerArgs = cmdline(row.pid);
      expect(runnerArgs[runnerArgs.indexOf('--rtsp') + 1]).toBe(`http://127.0.0.1:${streamPort}/live.ts`);
      expect(runnerArgs).not.toContain('--hb_key');
      const ffmpegPid = Number(execFileSync('pgrep', ['-g', String(row.pid), 'ffmpeg']).toString().trim().split('\n')[0]);
      const ffmpegArgs = cmdline(ffmpegPid);
      expect(ffmpegArgs.slice(ffmpegArgs.indexOf('-f'), ffmpegArgs.indexOf('-f') + 2)).toEqual(['-f', 'concat']);
      // What any local user sees:
      const ps = execFileSync('ps', ['-eo', 'args', '-ww']).toString();
      for (const secret of secrets) {
        expect(ps).not.toContain(secret);
        expect(runnerArgs.join(' ')).not.toContain(secret);
        expect(ffmpegArgs.join(' ')).not.toContain(secret);
      }
      // ffmpeg read the stream's name from its standard input: no file holds it either.
      expect(ffmpegArgs[ffmpegArgs.indexOf('-i') + 1]).toBe('pipe:0');

      const runnerEnv = environ(row.pid);
      expect(runnerEnv).toContain(`BISK_RTSP_URL=http://viewer:${encodeURIComponent(password)}@127.0.0.1:${streamPort}/live.ts`);
      expect(runnerEnv).toContain('BISK_HB_KEY=runner-key-123');
      expect(runnerEnv.filter((v) => /^(BISK_API_TOKEN|DATABASE_URL|RUNNER_HEARTBEAT_KEY|BISK_TEST_POSTGRES_URL|BISK_TEST_REDIS_URL)=/.test(v))).toEqual([]);
      const ffmpegEnv = environ(ffmpegPid);
      expect(ffmpegEnv.filter((v) => /^BISK_(RTSP_URL|HB_KEY)=/.test(v))).toEqual([]);
      expect(ffmpegEnv.some((v) => v.startsWith('BISK_RUNNER_MARKER='))).toBe(true);

      const shown = (await h.request('GET', `/api/runners`)).body.items.find((r: { cameraId: number }) => r.cameraId === camera.id);
      expect(JSON.stringify(shown)).not.toMatch(/p%40ss|p@ss|runner-key-123/);
      await h.request('PATCH', `/api/policies/${policy.id}`, { isEnabled: false });
      await until('stopped', async () => (await h.dataSource.query(`SELECT pid FROM runners WHERE camera_id = ${camera.id}`))[0].pid === null);
    } finally {
      delete process.env.BISK_API_TOKEN;
      server.closeAllConnections();
      server.close();
    }
  });

  it('reports an unreachable camera in words and exits non-zero', async () => {
    const { camera, policy } = await schedule('rtsp://127.0.0.1:1/stream');
    const crash = await until('crash event', async () => (await h.dataSource.query(`SELECT message FROM enforcer_events WHERE camera_id = ${camera.id} AND kind = 'crash'`))[0]);
    expect(crash.message).toMatch(/exited with code 1/);
    const row = (await h.dataSource.query(`SELECT last_error FROM runners WHERE camera_id = ${camera.id}`))[0];
    expect(row.last_error).toMatch(/connection refused/);
    await h.request('PATCH', `/api/policies/${policy.id}`, { isEnabled: false });
  });

  it('says clearly when ffmpeg cannot be found', () => {
    let out = '';
    let code = 0;
    try {
      execFileSync(process.execPath, [CLI, 'runner', '--camera', '1', '--profile', '1', '--rtsp', clip, '--hb', 'http://127.0.0.1:1/'], {
        env: { PATH: '/nonexistent', FFMPEG_PATH: '/nonexistent/ffmpeg', DATABASE_URL: join(h.db.dir, 'x.sqlite') },
        stdio: 'pipe',
      });
    } catch (error) {
      const e = error as { status: number; stderr: Buffer };
      code = e.status;
      out = e.stderr.toString();
    }
    expect(code).toBe(127);
    expect(out).toMatch(/^ffmpeg not found: install it \(apt-get install ffmpeg\), put it on PATH, or set FFMPEG_PATH/);
  });
});

describe('bisk demo', () => {
  it('serves a real ffmpeg runner that heartbeats within seconds, with a window opening the next minute, and stops cleanly', async () => {
    requireBuild();
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { spawn } = await import('node:child_process');
    const cwd = mkdtempSync(join(tmpdir(), 'bisk-demo-'));
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, 'demo'], {
      cwd,
      // No RUNNER_HEARTBEAT_URL: on another PORT the runners still find the demo app.
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), ENFORCER_LOCK_FILE: join(cwd, 'lock'), TZ: 'UTC' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    try {
      const started = Date.now();
      const runner = await until('a heartbeating demo runner', async () => {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/api/runners`);
          const body = (await res.json()) as { items: { status: string; lastHeartbeatAt: string | null; processedFps: number | null }[] };
          return body.items.find((r) => r.status === 'running' && r.lastHeartbeatAt && (r.processedFps ?? 0) > 0);
        } catch {
          return undefined;
        }
      }, 45_000);
      expect(runner).toBeTruthy();
      expect(Date.now() - started).toBeLessThan(45_000);
      expect(output).toMatch(/"Demo: window opening next minute" opens at \d\d:\d\d:00 \(UTC\)/);
      const policies = (await (await fetch(`http://127.0.0.1:${port}/api/policies`)).json()) as { total: number };
      expect(policies.total).toBe(2);
      // It opens on the console: the camera's page with its week, forecast and running runner.
      const consoleUrl = output.match(/Open the console: (http:\/\/\S+\/dash\/cameras\/\d+)/)?.[1];
      expect(consoleUrl, output).toBe(`http://127.0.0.1:${port}/dash/cameras/1`);
      const page = await fetch(consoleUrl!);
      const html = await page.text();
      expect(page.status).toBe(200);
      expect(html).toMatch(/<svg class="week"[\s\S]*<rect class="bar p\d/);
      expect(html).toMatch(/<svg class="forecast"[\s\S]*<rect class="bar p\d/);
      expect(html).toMatch(/class="badge running"/);
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code, output).toBe(0);
    rmSync(cwd, { recursive: true, force: true });
  });
});
