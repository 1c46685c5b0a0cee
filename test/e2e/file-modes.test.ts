import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoClip } from '../../src/demo/demo.js';
import { findMarkedProcesses } from '../../src/enforcer/proc.js';
import { findTool } from '../../src/runner/ffmpeg.js';
import { CLI, MAIN, ROOT, freePort, requireBuild, type Running, startProcess } from '../support/processes.js';
import { embeddedEnforcerEnv, until } from '../support/wait.js';

/**
 * Files private by default: the real entry points, started from a shell whose umask is the usual
 * 0022, create the database, its WAL, the state file, the lock, runner logs and snapshots
 * readable by their user only (or by its group with BISK_UMASK=0027, as the units set).
 */

const ALWAYS = [0, 1, 2, 3, 4, 5, 6].map((d) => ({ dayOfWeek: d, startTime: '00:00', endTime: '00:00' }));

let dir: string;
const running: Running[] = [];
const nodes: string[] = [];
beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'bisk-modes-'));
  process.umask(0o022); // what a login shell and systemd (without UMask=) hand down
});
afterAll(() => {
  for (const r of running) r.child.kill('SIGKILL');
  for (const p of findMarkedProcesses().filter((m) => nodes.includes(m.node ?? ''))) process.kill(-p.pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Every file and directory under `root` (itself included) with its permission bits. */
function modes(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (path: string) => {
    const stat = lstatSync(path);
    out[path.slice(dir.length)] = (stat.mode & 0o777).toString(8);
    if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(root);
  return out;
}

function expectModes(root: string, file: string, directory: string) {
  const all = modes(root);
  const wrong = Object.entries(all).filter(([path, mode]) => mode !== (lstatSync(join(dir, path)).isDirectory() ? directory : file));
  expect(Object.fromEntries(wrong)).toEqual({});
  return Object.keys(all);
}

describe('files private by default', () => {
  it('the HTTP app with its embedded enforcer: database, WAL, state file, lock, runner logs and snapshots are 0600 / 0700', async () => {
    if (!findTool('ffmpeg', undefined)) throw new Error('ffmpeg is required for this suite (apt-get install ffmpeg)');
    const root = join(dir, 'app');
    const clip = join(dir, 'clip.mp4');
    ensureDemoClip(clip, undefined);
    const port = await freePort();
    const node = `modes-app-${process.pid}`;
    nodes.push(node);
    const app = startProcess(MAIN, [], embeddedEnforcerEnv(port, {
      DATABASE_URL: join(root, 'var/bisk.sqlite'),
      ENFORCER_LOCK_FILE: join(root, 'run/enforcer.lock'),
      RUNNER_LOG_DIR: join(root, 'var/log/runners'),
      SNAPSHOT_DIR: join(root, 'var/snapshots'),
      NODE_NAME: node,
    }));
    running.push(app);
    await app.waitFor(/Listening on/);
    const post = async (path: string, body: unknown) => (await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<{ id: number }>;
    const camera = await post('/api/cameras', { name: 'modes', rtspUrl: clip });
    const profile = await post('/api/profiles', { name: 'modes', fps: 5, hbInterval: 1, snapshotEvery: 1 });
    await post('/api/policies', { name: 'modes', cameraIds: [camera.id], windows: ALWAYS.map((w) => ({ ...w, profileId: profile.id })) });
    const snapshot = join(root, 'var/snapshots', `camera-${camera.id}`, `camera-${camera.id}-profile-${profile.id}-latest.jpg`);
    await until('a snapshot', () => existsSync(snapshot), 30_000);

    const seen = expectModes(root, '600', '700');
    for (const expected of ['/var/bisk.sqlite', '/var/bisk.sqlite-wal', '/var/bisk.sqlite-shm', '/var/bisk-state.sqlite', '/var/bisk-state.sqlite-wal', '/run/enforcer.lock', `/var/log/runners/camera-${camera.id}-profile-${profile.id}.log`, `/var/snapshots/camera-${camera.id}`]) {
      expect(seen).toContain(`/app${expected}`);
    }
    app.child.kill('SIGTERM');
    expect((await app.exit()).code).toBe(0);
  });

  it('bisk run-enforcer with BISK_UMASK=0027 (the units): group-readable 0640 / 0750, an old world-readable database tightened, the lock still 0600', async () => {
    const root = join(dir, 'service');
    mkdirSync(join(root, 'var'), { recursive: true });
    // A database an older version left behind, world-readable, with its WAL.
    const database = join(root, 'var/bisk.sqlite');
    const { migrateDatabase } = await import('../../src/database/migrations.js');
    await migrateDatabase({ engine: 'sqlite', path: database });
    const db = new Database(database);
    db.pragma('journal_mode = WAL');
    db.exec(`INSERT INTO cameras (name, rtsp_url) VALUES ('sleeper', 'fixture:sleeper');
      INSERT INTO stream_profiles (name, extra_args) VALUES ('p', '{}');
      INSERT INTO schedule_policies (name) VALUES ('always');
      INSERT INTO schedule_policy_cameras (policy_id, camera_id) VALUES (1, 1);
      ${ALWAYS.map((w) => `INSERT INTO schedule_windows (policy_id, day_of_week, start_time, end_time, profile_id) VALUES (1, ${w.dayOfWeek}, '00:00', '00:00', 1);`).join('\n')}`);
    db.close();
    chmodSync(database, 0o644);
    chmodSync(join(root, 'var'), 0o750);

    const node = `modes-service-${process.pid}`;
    nodes.push(node);
    const enforcer = startProcess(CLI, ['run-enforcer'], {
      BISK_UMASK: '0027',
      DATABASE_URL: database,
      ENFORCER_LOCK_FILE: join(root, 'run/enforcer.lock'),
      ENFORCER_INTERVAL_SECONDS: '1',
      RUNNER_COMMAND: join(ROOT, 'test/fixtures/dispatch.sh'),
      RUNNER_LOG_DIR: join(root, 'var/log/runners'),
      SNAPSHOT_DIR: join(root, 'var/snapshots'),
      NODE_NAME: node,
    });
    running.push(enforcer);
    await enforcer.waitFor(/Enforcer started/);
    const log = join(root, 'var/log/runners/camera-1-profile-1.log');
    await until('the runner log', () => existsSync(log));

    const all = modes(root);
    // The lock and its directory are the owner's alone whatever the umask: nobody else may replace it.
    expect([all['/service/run'], all['/service/run/enforcer.lock']]).toEqual(['700', '600']);
    for (const path of ['/service', '/service/run', '/service/run/enforcer.lock']) delete all[path]; // the first made by this test
    const wrong = Object.entries(all).filter(([path, mode]) => mode !== (lstatSync(join(dir, path)).isDirectory() ? '750' : '640'));
    expect(Object.fromEntries(wrong)).toEqual({});
    for (const expected of ['/var/bisk.sqlite', '/var/bisk.sqlite-wal', '/var/bisk.sqlite-shm', '/var/bisk-state.sqlite', '/var/log/runners/camera-1-profile-1.log']) {
      expect(Object.keys(all)).toContain(`/service${expected}`);
    }
    enforcer.child.kill('SIGTERM');
    expect((await enforcer.exit()).code).toBe(0);
  });

  it('bisk run-enforcer refuses a symbolic link planted at the lock path with one line, and leaves its target untouched', async () => {
    const root = join(dir, 'planted');
    mkdirSync(root);
    const target = join(root, 'victim.conf');
    writeFileSync(target, 'precious\n');
    const lock = join(root, 'bisk_enforcer.lock');
    symlinkSync(target, lock);
    const enforcer = startProcess(CLI, ['run-enforcer'], { DATABASE_URL: join(root, 'bisk.sqlite'), ENFORCER_LOCK_FILE: lock, NODE_NAME: `planted-${process.pid}` });
    running.push(enforcer);
    expect((await enforcer.exit()).code).toBe(1);
    expect(enforcer.output().trim()).toBe(`Refusing the lock file ${lock}: it is a symbolic link (remove it, or set ENFORCER_LOCK_FILE to a path in a directory only this user can write, e.g. /run/bisk/enforcer.lock)`);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    expect(existsSync(join(root, 'bisk.sqlite'))).toBe(false); // refused before touching the database
  });

  it('refuses a umask that would lock the owner out, with one line', async () => {
    const bad = startProcess(CLI, ['config'], { BISK_UMASK: '0277', DATABASE_URL: join(dir, 'unused.sqlite') });
    running.push(bad);
    expect((await bad.exit()).code).toBe(78);
    expect(bad.output().trim()).toBe('Invalid configuration: BISK_UMASK must be an octal umask that leaves the owner read, write and search, such as 0077 or 0027 (got "0277")');
  });
});
