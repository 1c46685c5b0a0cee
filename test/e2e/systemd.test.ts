import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { parseEnvFile } from '../../src/config/env-file.js';
import { FileLock } from '../../src/enforcer/file-lock.js';
import { ProcessAdapter } from '../../src/enforcer/process.adapter.js';
import { ROOT, requireBuild, type Running, startProcess } from '../support/processes.js';

const INSTALLER = join(ROOT, 'deploy/systemd/install_enforcer.sh');
const UNITS = ['bisk-enforcer.service', 'bisk-http.service', 'bisk-prune-heartbeats.service', 'bisk-prune-heartbeats.timer'];

let dir: string;
beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'bisk-systemd-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function install(root: string, args: string[], extra: Record<string, string> = {}, input?: string) {
  const result = spawnSync('bash', [INSTALLER, ...args], {
    cwd: ROOT,
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, SYSTEMD_DIR: join(root, 'systemd'), ENV_FILE: join(root, 'etc/bisk/bisk-enforcer.env'), SKIP_SYSTEMCTL: '1', ...extra },
  });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

describe('deploy/systemd', () => {
  it('has shellcheck-clean scripts', () => {
    const result = spawnSync('shellcheck', [INSTALLER, join(ROOT, '.ci/run')], { encoding: 'utf8' });
    expect(result.error, 'shellcheck is needed (apt-get install shellcheck); .ci/run installs it').toBeUndefined();
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('renders every unit and they verify clean with systemd-analyze', () => {
    const root = join(dir, 'render');
    const { code, out } = install(root, ['--yes', '--with-http', '--with-prune']);
    expect(code, out).toBe(0);
    expect(out).toMatch(/^User: {8}\S+\nProject dir: \/.+\nNode: {8}\/.+ \(v\d+\.\d+\.\d+\)\nEnv file: {4}.+bisk-enforcer\.env\n/);
    expect(out).toMatch(/Installed\. Check status with: sudo systemctl status bisk-enforcer\.service/);
    expect(readdirSync(join(root, 'systemd')).sort()).toEqual([...UNITS].sort());
    const unit = readFileSync(join(root, 'systemd/bisk-enforcer.service'), 'utf8');
    expect(unit).not.toMatch(/__[A-Z_]+__/);
    expect(unit).toMatch(new RegExp(`^ExecStart=${process.execPath} ${ROOT.replace(/\/$/, '')}/dist/src/cli.js run-enforcer$`, 'm'));
    expect(unit).toMatch(/^RuntimeDirectory=bisk$/m);
    expect(unit).toMatch(/^RuntimeDirectoryPreserve=yes$/m);
    expect(unit).toMatch(/^Environment=ENFORCER_LOCK_FILE=\/run\/bisk\/enforcer\.lock$/m);
    expect(unit).toMatch(/^KillMode=mixed$/m);
    const verify = spawnSync('systemd-analyze', ['verify', ...UNITS.map((u) => join(root, 'systemd', u))], { encoding: 'utf8' });
    expect(verify.error, 'systemd-analyze is needed').toBeUndefined();
    expect(verify.status, verify.stderr).toBe(0);
    expect(verify.stderr).not.toMatch(/bisk-/);
    const env = join(root, 'etc/bisk/bisk-enforcer.env');
    expect((readFileSync(env, 'utf8'))).toBe(readFileSync(join(ROOT, 'deploy/systemd/bisk-enforcer.env.example'), 'utf8'));
    expect((spawnSync('stat', ['-c', '%a', env], { encoding: 'utf8' }).stdout ?? '').trim()).toBe('640');
  });

  it('sandboxes every service to a systemd-analyze exposure of 5.0 or less, and explains in the guide each directive it still counts', () => {
    const root = join(dir, 'security');
    // A static non-root service account, as in production (root or nobody would be counted).
    expect(install(root, ['--yes', '--with-http', '--with-prune'], { USER_NAME: 'daemon' }).code).toBe(0);
    const guide = readFileSync(join(ROOT, 'deploy/systemd/README.md'), 'utf8');
    const security = guide.slice(guide.indexOf('## Security'), guide.indexOf('## 13) FAQ'));
    const explained = [...security.matchAll(/^\| `([A-Za-z]+)=` \| .+ \|$/gm)].map((m) => m[1]);
    expect(explained.length).toBeGreaterThan(5);
    for (const service of UNITS.filter((u) => u.endsWith('.service'))) {
      const path = join(root, 'systemd', service);
      const result = spawnSync('systemd-analyze', ['security', '--offline=true', path], { encoding: 'utf8' });
      expect(result.error, 'systemd-analyze is needed').toBeUndefined();
      const score = Number(/Overall exposure level for \S+: (\d+\.\d+)/.exec(result.stdout)?.[1]);
      expect(score, result.stdout).toBeLessThanOrEqual(5.0);
      const unit = readFileSync(path, 'utf8');
      expect(unit).toMatch(/^UMask=0027$/m);
      expect(unit).toMatch(/^ProtectSystem=strict$/m);
      expect(unit).toMatch(new RegExp(`^ReadWritePaths=${ROOT.replace(/\/$/, '')}/var$`, 'm'));
      // Every directive the analysis still counts against the unit is explained in the guide…
      const counted = [...result.stdout.matchAll(/^✗ ([A-Za-z]+)=/gm)].map((m) => m[1]);
      expect(counted.filter((name) => !explained.includes(name)), `not explained in the guide's Security section (${service})`).toEqual([]);
      // …and what the guide says is left out is indeed not set (the few set with a wider value are named there too).
      const setWider = ['RestrictAddressFamilies', 'SystemCallFilter', 'UMask', 'User'];
      for (const name of explained.filter((n) => !setWider.includes(n))) expect(unit, `${service} sets ${name}=`).not.toMatch(new RegExp(`^${name}=`, 'm'));
      expect(unit).not.toMatch(/^MemoryDenyWriteExecute=/m);
    }
  });

  it('moves an existing env file\'s lock from the shared /tmp to /run/bisk, keeping the rest', () => {
    const root = join(dir, 'upgrade');
    const env = join(root, 'etc/bisk/bisk-enforcer.env');
    mkdirSync(join(root, 'etc/bisk'), { recursive: true });
    writeFileSync(env, 'TZ=Asia/Baghdad\nENFORCER_LOCK_FILE=/tmp/bisk_enforcer.lock\nENFORCER_INTERVAL_SECONDS=20\n');
    const { code, out } = install(root, ['--yes']);
    expect(code).toBe(0);
    expect(out).toMatch(/Updated ENFORCER_LOCK_FILE in .*bisk-enforcer\.env to \/run\/bisk\/enforcer\.lock/);
    expect(readFileSync(env, 'utf8')).toBe('TZ=Asia/Baghdad\nENFORCER_LOCK_FILE=/run/bisk/enforcer.lock\nENFORCER_INTERVAL_SECONDS=20\n');
    writeFileSync(env, 'ENFORCER_LOCK_FILE=/tmp/mine.lock\n');
    const other = install(root, ['--yes']);
    expect(other.out).toMatch(/Warning: ENFORCER_LOCK_FILE in .* is under \/tmp, which is private to the service/);
    expect(readFileSync(env, 'utf8')).toBe('ENFORCER_LOCK_FILE=/tmp/mine.lock\n');
  });

  it('aborts on "n" without writing anything', () => {
    const root = join(dir, 'abort');
    const { code, out } = install(root, [], {}, 'n\n');
    expect(code).toBe(1);
    expect(out).toMatch(/Proceed\? \[y\/N\] Aborted; nothing was changed\./);
    expect(existsSync(root)).toBe(false);
  });

  it('keeps an existing env file on a second run, and --uninstall removes the units', () => {
    const root = join(dir, 'rerun');
    expect(install(root, ['--yes']).code).toBe(0);
    const env = join(root, 'etc/bisk/bisk-enforcer.env');
    writeFileSync(env, 'TZ=Asia/Baghdad\nENFORCER_INTERVAL_SECONDS=20\n');
    const again = install(root, ['--yes']);
    expect(again.out).toMatch(/Kept the existing .*bisk-enforcer\.env/);
    expect(readFileSync(env, 'utf8')).toBe('TZ=Asia/Baghdad\nENFORCER_INTERVAL_SECONDS=20\n');
    const removed = install(root, ['--uninstall']);
    expect(removed.code).toBe(0);
    expect(removed.out).toMatch(/\(skipped\) systemctl disable --now bisk-enforcer\.service/);
    expect(existsSync(join(root, 'systemd/bisk-enforcer.service'))).toBe(false);
    expect(existsSync(env)).toBe(true);
  });

  it.each([
    ['a project without dist/', () => ({ PROJECT_DIR: mkdirAndReturn(join(dir, 'empty-project')) }), /dist\/ is not built in .*empty-project: run 'npm ci && npm run build' there first/],
    ['a user that does not exist', () => ({ USER_NAME: 'no-such-bisk-user' }), /user does not exist: no-such-bisk-user/],
    ['a node that is too old', () => ({ NODE_BIN: fakeNode('18.19.0') }), /node 18\.19\.0 at .* is too old: 20\.19 or newer is needed/],
    ['a node that is missing', () => ({ NODE_BIN: '/nonexistent/node' }), /node not found/],
  ])('refuses %s clearly', (_label, env, message) => {
    const { code, out } = install(join(dir, 'refuse'), ['--yes'], env());
    expect(code).toBe(1);
    expect(out.trim()).toMatch(message);
    expect(out).not.toMatch(/Installed\./);
  });
});

describe('the service and a shell meet the same lock', () => {
  const running: Running[] = [];
  afterAll(() => {
    for (const r of running) r.child.kill('SIGKILL');
  });

  it('refuses a manual run-enforcer while the service runs, and lets a new one start at once after a SIGKILL', async () => {
    const root = join(dir, 'lock');
    const envFile = join(root, 'etc/bisk/bisk-enforcer.env');
    mkdirSync(join(root, 'etc/bisk'), { recursive: true });
    // The example as an operator would keep it, with this test's database.
    const example = readFileSync(join(ROOT, 'deploy/systemd/bisk-enforcer.env.example'), 'utf8');
    writeFileSync(envFile, example.replace(/^DATABASE_URL=.*$/m, `DATABASE_URL=${join(root, 'var/bisk.sqlite')}`));
    expect(install(root, ['--yes']).code).toBe(0);

    // What systemd would run: ExecStart in WorkingDirectory with the EnvironmentFile's variables.
    const unit = readFileSync(join(root, 'systemd/bisk-enforcer.service'), 'utf8');
    const [execNode, execScript, ...execArgs] = /^ExecStart=(.*)$/m.exec(unit)![1].split(' ');
    expect(execNode).toBe(process.execPath);
    const serviceEnv = unitEnvironment(unit);
    const lockPath = serviceEnv.ENFORCER_LOCK_FILE ?? '/tmp/bisk_enforcer.lock';
    expect(lockPath).toBe('/run/bisk/enforcer.lock');
    const probe = new FileLock(lockPath);
    expect(probe.tryAcquire().ok, `${lockPath} is held by another enforcer on this machine`).toBe(true);
    probe.release();

    const service = startProcess(execScript, execArgs, { ...serviceEnv, NODE_NAME: 'lock-test' });
    running.push(service);
    await service.waitFor(/Enforcer started/);

    // An operator in a shell, in the project directory, with the env file loaded as the guide says.
    const operator = startProcess(join(ROOT, 'dist/src/cli.js'), ['run-enforcer'], { BISK_ENV_FILE: envFile });
    running.push(operator);
    expect((await operator.exit()).code).toBe(1);
    expect(operator.output().trim()).toBe(`Another enforcer holds the lock: ${lockPath} (pid=${service.child.pid})`);

    service.child.kill('SIGKILL');
    await service.exit();
    const restarted = startProcess(execScript, execArgs, { ...serviceEnv, NODE_NAME: 'lock-test' });
    running.push(restarted);
    const began = Date.now();
    await restarted.waitFor(/Enforcer started/);
    expect(Date.now() - began).toBeLessThan(15_000); // no stale lock, no lease to wait out
    restarted.child.kill('SIGTERM');
    expect((await restarted.exit()).code).toBe(0);
  });
});

describe('the service as the unit runs it', () => {
  const running: Running[] = [];
  afterAll(() => {
    for (const r of running) r.child.kill('SIGKILL');
  });

  /** Renders the units into `root` with an env file made from the example plus `settings`; returns what systemd would run. */
  function renderService(root: string, settings: Record<string, string>) {
    const envFile = join(root, 'etc/bisk/bisk-enforcer.env');
    mkdirSync(join(root, 'etc/bisk'), { recursive: true });
    let text = readFileSync(join(ROOT, 'deploy/systemd/bisk-enforcer.env.example'), 'utf8');
    for (const [key, value] of Object.entries(settings)) {
      text = new RegExp(`^${key}=`, 'm').test(text) ? text.replace(new RegExp(`^${key}=.*$`, 'm'), `${key}=${value}`) : `${text}\n${key}=${value}\n`;
    }
    writeFileSync(envFile, text);
    expect(install(root, ['--yes'], { ENV_FILE: envFile }).code).toBe(0);
    const unit = readFileSync(join(root, 'systemd/bisk-enforcer.service'), 'utf8');
    const [, script, ...args] = /^ExecStart=(.*)$/m.exec(unit)![1].split(' ');
    const env = parseEnvFile(readFileSync(/^EnvironmentFile=(.*)$/m.exec(unit)![1], 'utf8'));
    return { script, args, env };
  }

  it('ticks on its interval and at a schedule boundary, and exits 0 on SIGTERM with its runners stopped', async () => {
    const root = join(dir, 'service');
    const database = join(root, 'var/bisk.sqlite');
    const service = renderService(root, {
      TZ: 'UTC', DATABASE_URL: database, ENFORCER_INTERVAL_SECONDS: '4', ENFORCER_LOCK_FILE: join(root, 'enforcer.lock'),
      RUNNER_COMMAND: join(ROOT, 'test/fixtures/dispatch.sh'), RUNNER_LOG_DIR: join(root, 'log'), SNAPSHOT_DIR: join(root, 'snapshots'),
      RUNNER_STOP_TIMEOUT_SECONDS: '2', NODE_NAME: 'unit-test',
    });
    // A window that opens a few seconds from now, between two interval ticks.
    const { migrateDatabase } = await import('../../src/database/migrations.js');
    await migrateDatabase({ engine: 'sqlite', path: database });
    const db = new Database(database);
    const opensAt = new Date(Math.ceil((Date.now() + 6000) / 1000) * 1000);
    const hms = (d: Date) => d.toISOString().slice(11, 19);
    const day = (opensAt.getUTCDay() + 6) % 7;
    db.exec(`INSERT INTO cameras (name, rtsp_url) VALUES ('boundary', 'fixture:sleeper');
      INSERT INTO stream_profiles (name, extra_args) VALUES ('p', '{}');
      INSERT INTO schedule_policies (name) VALUES ('opens soon');
      INSERT INTO schedule_policy_cameras (policy_id, camera_id) VALUES (1, 1);
      INSERT INTO schedule_windows (policy_id, day_of_week, start_time, end_time, profile_id) VALUES (1, ${day}, '${hms(opensAt)}', '${hms(new Date(opensAt.getTime() + 3600_000))}', 1);`);

    const enforcer = startProcess(service.script, service.args, service.env);
    running.push(enforcer);
    await enforcer.waitFor(/Enforcer started\. Press Ctrl\+C to stop\./);
    const status = () => JSON.parse(spawnSync(process.execPath, [join(ROOT, 'dist/src/cli.js'), 'status', '--json'], { env: { ...service.env, PATH: process.env.PATH }, cwd: ROOT, encoding: 'utf8' }).stdout);
    const firstRun = status().enforcer.lastRun;
    const row = () => db.prepare('SELECT pid, started_at FROM runners WHERE camera_id = 1').get() as { pid: number | null; started_at: string } | undefined;
    const started = await waitUntil(() => (row()?.pid ? row() : undefined), 15_000);
    const lateMs = new Date(`${started.started_at.replace(' ', 'T')}Z`).getTime() - opensAt.getTime();
    expect(lateMs).toBeGreaterThanOrEqual(0);
    expect(lateMs).toBeLessThan(1000); // the boundary wake-up, not the next 4 s tick
    await waitUntil(() => (status().enforcer.lastRun !== firstRun ? true : undefined), 10_000);
    expect(status().enforcer).toMatchObject({ alive: true, runningPid: enforcer.child.pid, intervalSeconds: 4 });

    enforcer.child.kill('SIGTERM');
    expect((await enforcer.exit()).code).toBe(0);
    expect(enforcer.output()).toMatch(/Enforcer stopped\.\n?$/);
    expect(row()?.pid).toBeNull();
    expect(new ProcessAdapter().isAlive(started.pid!, null)).toBe(false); // gone (a zombie left to init counts as gone)
    db.close();
  });

  it('exits 78 with one line when the env file holds a bad value', async () => {
    const service = renderService(join(dir, 'bad-config'), { ENFORCER_INTERVAL_SECONDS: '0' });
    const enforcer = startProcess(service.script, service.args, service.env);
    running.push(enforcer);
    expect((await enforcer.exit()).code).toBe(78);
    expect(enforcer.output().trim()).toBe('Invalid configuration: ENFORCER_INTERVAL_SECONDS must be a whole number from 1 to 3600 (got "0")');
  });
});

/** What systemd hands ExecStart: the unit's Environment= lines, overridden by its EnvironmentFile=. */
function unitEnvironment(unit: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [, line] of unit.matchAll(/^Environment=(.*)$/gm)) {
    const at = line.indexOf('=');
    env[line.slice(0, at)] = line.slice(at + 1);
  }
  return { ...env, ...parseEnvFile(readFileSync(/^EnvironmentFile=(.*)$/m.exec(unit)![1], 'utf8')) };
}

// Running as another user and mounting /proc take root (CI runs the suite as root).
describe.runIf(process.geteuid?.() === 0)('the sandbox hides other users\' processes (ProtectProc=invisible) and the enforcer still sees its runners (as root)', () => {
  it('starts, watches and, after a SIGKILL, adopts its runner as a service user under /proc mounted hidepid=invisible', async () => {
    // What the unit's ProtectProc=invisible does, without systemd: a private mount of /proc with
    // hidepid=invisible, and the enforcer run as an unprivileged user (daemon), as the unit runs it.
    const root = mkdtempSync(join(tmpdir(), 'bisk-hidepid-'));
    chmodSync(root, 0o755);
    spawnSync('chown', ['daemon:daemon', root]);
    const database = join(root, 'var/bisk.sqlite');
    const env = [
      `HOME=${root}`, `PATH=${process.env.PATH}`, 'TZ=UTC', `DATABASE_URL=${database}`, `ENFORCER_LOCK_FILE=${join(root, 'run/enforcer.lock')}`,
      'ENFORCER_INTERVAL_SECONDS=1', `RUNNER_COMMAND=${join(ROOT, 'test/fixtures/dispatch.sh')}`, `RUNNER_LOG_DIR=${join(root, 'var/log')}`,
      `SNAPSHOT_DIR=${join(root, 'var/snapshots')}`, `NODE_NAME=hidepid-${process.pid}`,
    ];
    const asDaemon = ['setpriv', '--reuid=daemon', '--regid=daemon', '--clear-groups', 'env', '-i', ...env, process.execPath, join(ROOT, 'dist/src/cli.js')];
    const migrate = spawnSync(asDaemon[0], [...asDaemon.slice(1), 'migrate'], { encoding: 'utf8' });
    expect(migrate.status, migrate.stderr).toBe(0);
    const db = new Database(database);
    db.exec(`INSERT INTO cameras (name, rtsp_url) VALUES ('hidden', 'fixture:sleeper');
      INSERT INTO stream_profiles (name, extra_args) VALUES ('p', '{}');
      INSERT INTO schedule_policies (name) VALUES ('always');
      INSERT INTO schedule_policy_cameras (policy_id, camera_id) VALUES (1, 1);
      ${[0, 1, 2, 3, 4, 5, 6].map((d) => `INSERT INTO schedule_windows (policy_id, day_of_week, start_time, end_time, profile_id) VALUES (1, ${d}, '00:00', '00:00', 1);`).join('\n')}`);
    const script = `mount -t proc -o hidepid=invisible proc /proc || exit 97; exec ${asDaemon.map((a) => `'${a}'`).join(' ')} run-enforcer`;
    const sandboxed = () => {
      const child = spawn('unshare', ['--mount', '--fork', 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (c) => (output += c));
      child.stderr.on('data', (c) => (output += c));
      return { child, output: () => output };
    };
    const enforcerPid = () => Number(/\[Nest\] (\d+)/.exec(first.output())?.[1]);
    const first = sandboxed();
    try {
      const row = () => db.prepare('SELECT pid, status FROM runners WHERE camera_id = 1').get() as { pid: number | null; status: string } | undefined;
      const started = await waitUntil(() => (row()?.pid ? row() : undefined), 15_000);
      expect(first.output()).not.toMatch(/exited \(97\)/);
      // A few ticks later the enforcer still sees its runner alive: no "dead" row, no restart.
      await new Promise((r) => setTimeout(r, 3000));
      expect(row()).toEqual({ pid: started.pid, status: 'running' });
      expect(first.output()).not.toMatch(/EACCES|EPERM|error/i);
      process.kill(enforcerPid(), 'SIGKILL');
      const second = sandboxed();
      try {
        await waitUntil(() => (/Enforcer started/.test(second.output()) ? true : undefined), 15_000);
        const kinds = () => (db.prepare('SELECT kind FROM enforcer_events WHERE camera_id = 1 ORDER BY id').all() as { kind: string }[]).map((e) => e.kind);
        await waitUntil(() => (kinds().includes('adopt') ? true : undefined), 10_000);
        expect(kinds()).toEqual(['start', 'adopt']);
        expect(row()?.pid).toBe(started.pid);
      } finally {
        const pid = Number(/\[Nest\] (\d+)/.exec(second.output())?.[1]);
        if (pid) process.kill(pid, 'SIGTERM');
        await new Promise((r) => second.child.on('exit', r));
      }
      expect(row()?.pid ?? null).toBeNull(); // stopped with the enforcer
    } finally {
      first.child.kill('SIGKILL');
      db.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

async function waitUntil<T>(check: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

function mkdirAndReturn(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}

function fakeNode(version: string): string {
  const path = join(dir, `node-${version}`);
  writeFileSync(path, `#!/bin/sh\necho ${version}\n`);
  chmodSync(path, 0o755);
  return path;
}
