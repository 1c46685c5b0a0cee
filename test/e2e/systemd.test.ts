import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../src/config/env-file.js';
import { FileLock } from '../../src/enforcer/file-lock.js';
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
    expect(unit).toMatch(/^PrivateTmp=no$/m);
    expect(unit).toMatch(/^KillMode=mixed$/m);
    const verify = spawnSync('systemd-analyze', ['verify', ...UNITS.map((u) => join(root, 'systemd', u))], { encoding: 'utf8' });
    expect(verify.error, 'systemd-analyze is needed').toBeUndefined();
    expect(verify.status, verify.stderr).toBe(0);
    expect(verify.stderr).not.toMatch(/bisk-/);
    const env = join(root, 'etc/bisk/bisk-enforcer.env');
    expect((readFileSync(env, 'utf8'))).toBe(readFileSync(join(ROOT, 'deploy/systemd/bisk-enforcer.env.example'), 'utf8'));
    expect((spawnSync('stat', ['-c', '%a', env], { encoding: 'utf8' }).stdout ?? '').trim()).toBe('640');
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
    const serviceEnv = parseEnvFile(readFileSync(/^EnvironmentFile=(.*)$/m.exec(unit)![1], 'utf8'));
    const lockPath = serviceEnv.ENFORCER_LOCK_FILE ?? '/tmp/bisk_enforcer.lock';
    const probe = new FileLock(lockPath);
    expect(probe.tryAcquire().ok, `${lockPath} is held by another enforcer on this machine`).toBe(true);
    probe.release();

    const service = startProcess(execScript, execArgs, { ...serviceEnv, NODE_NAME: 'lock-test' });
    running.push(service);
    await service.waitFor(/Enforcer started/);

    // An operator in a shell, in the project directory, with no env file loaded.
    const operator = startProcess(join(ROOT, 'dist/src/cli.js'), ['run-enforcer'], {});
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
