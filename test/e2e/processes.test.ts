import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, MAIN, requireBuild, runCli, startProcess } from '../support/processes.js';

let dir: string;
beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'bisk-proc-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const oneLine = (text: string) => text.trim().split('\n').length === 1 && !/\n\s+at /.test(text);

describe('bisk CLI', () => {
  it('lists its commands with --help and exits 0', () => {
    const result = runCli(['--help'], { DATABASE_URL: join(dir, 'help.sqlite') });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/migrate/);
    expect(result.stdout).toMatch(/config/);
  });

  it('exits non-zero on an unknown command', () => {
    const result = runCli(['frobnicate'], { DATABASE_URL: join(dir, 'x.sqlite') });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('migrates a new SQLite file, then reports it up to date', () => {
    const file = join(dir, 'nested', 'dir', 'bisk.sqlite');
    const first = runCli(['migrate'], { DATABASE_URL: file });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Applied 6 migration\(s\) to SQLite .*bisk\.sqlite: Initial1764400000000, GlobalResourceSettings1764400000001, EnforcerState1764500000000, RunnerActivePair1764600000000, EventKindIndexes1764700000000, WorldVersion1764800000000/);
    const second = runCli(['migrate'], { DATABASE_URL: file });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/Database is up to date \(6 migration\(s\)\)/);
  });

  it('prints the effective configuration with secrets hidden', () => {
    const result = runCli(['config', '--json'], {
      DATABASE_URL: 'postgres://bisk:dbpass@db.example/bisk',
      BISK_API_TOKEN: 'super-secret-token-123456',
      RUNNER_HEARTBEAT_KEY: 'hb-key-4242',
    });
    expect(result.code, result.stderr).toBe(0);
    const shown = JSON.parse(result.stdout);
    expect(shown.DATABASE_URL).toBe('postgres://bisk:***@db.example/bisk');
    expect(shown.BISK_API_TOKEN).toBe('(set)');
    expect(result.stdout).not.toMatch(/dbpass|super-secret|hb-key-4242/);
  });

  it.each([
    [{ ENFORCER_INTERVAL_SECONDS: 'often' }, /^Invalid configuration: ENFORCER_INTERVAL_SECONDS must be a whole number from 1 to 3600 \(got "often"\)$/],
    [{ TZ: 'Baghdad' }, /^Invalid configuration: TZ must be an IANA time zone name/],
    [{ BISK_ENV_FILE: '/nonexistent/bisk-enforcer.env' }, /^BISK_ENV_FILE: cannot read \/nonexistent\/bisk-enforcer.env \(ENOENT\)$/],
  ])('stops on a bad setting %j with one line and exit 78', (env, message) => {
    const result = runCli(['migrate'], { DATABASE_URL: join(dir, 'bad.sqlite'), ...env });
    expect(result.code).toBe(78);
    expect(result.stderr.trim()).toMatch(message);
    expect(oneLine(result.stderr)).toBe(true);
    expect(result.stdout).toBe('');
  });

  it('says clearly when PostgreSQL cannot be reached', () => {
    const result = runCli(['migrate'], { DATABASE_URL: 'postgres://bisk:pw@127.0.0.1:1/bisk' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ECONNREFUSED|connect/);
    expect(result.stderr).not.toMatch(/:pw@/);
    expect(oneLine(result.stderr)).toBe(true);
  });
});

describe('HTTP app process', () => {
  it('refuses a non-loopback HOST without a token, in one line', async () => {
    const app = startProcess(MAIN, [], { HOST: '0.0.0.0', DATABASE_URL: join(dir, 'host.sqlite') });
    const { code } = await app.exit();
    expect(code).toBe(78);
    expect(app.output().trim()).toMatch(/^Invalid configuration: HOST "0\.0\.0\.0" is not a loopback address; .*set BISK_API_TOKEN/);
    expect(oneLine(app.output())).toBe(true);
  });

  it('serves the API over real HTTP on the embedded database, masks credentials in its log, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const app = startProcess(MAIN, [], { PORT: String(port), DATABASE_URL: join(dir, 'served', 'bisk.sqlite') });
    try {
      await app.waitFor(/Listening on http:\/\/127\.0\.0\.1:\d+/);
      const base = `http://127.0.0.1:${port}`;
      const created = await fetch(`${base}/api/cameras`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Lobby', rtspUrl: 'rtsp://admin:hunter2@10.0.0.7/main' }),
      });
      expect(created.status).toBe(201);
      const camera = (await created.json()) as { rtspUrl: string };
      expect(camera.rtspUrl).toBe('rtsp://admin:***@10.0.0.7/main');
      const health = await fetch(`${base}/health/live`);
      expect(health.status).toBe(200);
      await app.waitFor(/camera \d+ "Lobby" created/);
      expect(app.output()).toContain('rtsp://admin:***@10.0.0.7/main');
      expect(app.output()).not.toContain('hunter2');
    } finally {
      app.child.kill('SIGTERM');
    }
    const { code } = await app.exit();
    expect(code).toBe(0);
  });

  it('reports a port already in use in one line', async () => {
    const port = await freePort();
    const first = startProcess(MAIN, [], { PORT: String(port), DATABASE_URL: join(dir, 'p1.sqlite') });
    try {
      await first.waitFor(/Listening on/);
      const second = startProcess(MAIN, [], { PORT: String(port), DATABASE_URL: join(dir, 'p2.sqlite') });
      const { code } = await second.exit();
      expect(code).toBe(1);
      expect(second.output()).toMatch(/already in use/);
      expect(second.output()).not.toMatch(/\n\s+at /);
    } finally {
      first.child.kill('SIGTERM');
      await first.exit();
    }
  });
});

describe('enforcer commands on an empty database', () => {
  const env = () => ({ DATABASE_URL: join(dir, 'cmds', 'bisk.sqlite'), ENFORCER_LOCK_FILE: join(dir, 'cmds', 'enforcer.lock'), TZ: 'Asia/Baghdad' });

  it('shows a plan with --dry-run, at a given instant, as text and JSON', () => {
    const text = runCli(['enforce', '--dry-run', '--at', '2026-12-01T08:00:00+03:00'], env());
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Plan at 2026-12-01 08:00:00 GMT\+3 \(Asia\/Baghdad\): desired 0, running 0\n {2}nothing to do\nNext schedule boundary: none/);
    const json = runCli(['enforce', '--dry-run', '--json'], env());
    expect(JSON.parse(json.stdout)).toMatchObject({ desired: [], actions: [], nextBoundary: null });
  });

  it.each([
    [['enforce', '--at', '2026-12-01T08:00:00Z'], /^--at only works with --dry-run/],
    [['enforce', '--dry-run', '--at', 'tomorrow'], /^--at must be an ISO-8601 date-time/],
    [['stop-runners', '--camera', 'x'], /^--camera must be a whole number/],
    [['run-enforcer', '--interval', '0'], /^--interval must be a whole number from 1 to 3600/],
  ])('rejects %j with one line and exit 1', (args, message) => {
    const result = runCli(args, env());
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(message);
    expect(oneLine(result.stderr)).toBe(true);
  });

  it.each([
    [['run-enforcer', '--bogus'], "error: unknown option '--bogus'"],
    [['status', '--bogus'], "error: unknown option '--bogus'"],
    [['run-enforcer', '--interval'], "error: option '--interval <seconds>' argument missing"],
    [['stop-runners', 'extra'], "error: too many arguments for 'stop-runners'. Expected 0 arguments but got 1."],
    [['no-such-command'], "error: unknown command 'no-such-command'"],
  ])('answers the usage error %j with commander’s line and exit 2', (args, message) => {
    const result = runCli(args, env());
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')[0]).toBe(message);
  });

  it('runs one tick, stops runners and reports status in the operators’ words', () => {
    const tick = runCli(['enforce'], env());
    expect(tick.code, tick.stderr).toBe(0);
    expect(tick.stdout.trim()).toBe('Enforced. Started: 0, Stopped: 0, Desired=0, Running(before)=0');
    const stop = runCli(['stop-runners'], env());
    expect(stop.stdout.trim()).toBe('Stopped 0 runner(s); skipped 0 already-dead.');
    const status = runCli(['status'], env());
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^Enforcer: {2}not running/);
    expect(status.stdout).toMatch(/Last OK: {3}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    expect(JSON.parse(runCli(['status', '--json'], env()).stdout).runners).toMatchObject({ total: 0 });
    const prune = runCli(['prune-heartbeats', '--hours', '2'], env());
    expect(prune.stdout).toMatch(/^Deleted 0 heartbeat row\(s\) older than \d{4}-/);
  });
});
