import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, loadConfig, parseDatabaseUrl } from './app-config.js';
import { ConfigError } from './config.error.js';
import { parseEnvFile } from './env-file.js';

const load = (env: Record<string, string>) => loadConfig({ ...env });

describe('loadConfig', () => {
  it('gives the documented defaults', () => {
    const config = load({ TZ: 'UTC' });
    expect(config.enforcer).toMatchObject({ intervalSeconds: 15, lockFile: '/tmp/bisk_enforcer.lock', embedded: false });
    expect(config.http).toEqual({ host: '127.0.0.1', port: 8000, apiToken: undefined });
    expect(config.database.engine).toBe('sqlite');
    expect(config.database).toMatchObject({ path: expect.stringMatching(/\/var\/bisk\.sqlite$/) });
    expect(config.runners).toMatchObject({ heartbeatUrl: 'http://127.0.0.1:8000/api/runner/heartbeat/', stopTimeoutSeconds: 3, backoffMaxSeconds: 60 });
    expect(config.heartbeats).toEqual({ onlineSec: 15, staleSec: 45, offlineSec: 120, logEverySec: 60 });
    expect(config.timeZone).toBe('UTC');
    expect(config.logLevel).toBe('log');
  });

  it('sends runners to this host\'s app on its PORT unless RUNNER_HEARTBEAT_URL says otherwise', () => {
    expect(load({ TZ: 'UTC', PORT: '18777' }).runners.heartbeatUrl).toBe('http://127.0.0.1:18777/api/runner/heartbeat/');
    expect(load({ TZ: 'UTC', PORT: '18777', RUNNER_HEARTBEAT_URL: 'http://gpu-box:8000/api/runner/heartbeat/' }).runners.heartbeatUrl).toBe('http://gpu-box:8000/api/runner/heartbeat/');
  });

  it.each([
    [{ ENFORCER_INTERVAL_SECONDS: ' 30 ' }, (c: any) => c.enforcer.intervalSeconds, 30],
    [{ ENFORCER_EMBEDDED: 'yes' }, (c: any) => c.enforcer.embedded, true],
    [{ ENFORCER_EMBEDDED: 'FALSE' }, (c: any) => c.enforcer.embedded, false],
    [{ TZ: 'Asia/Baghdad' }, (c: any) => c.timeZone, 'Asia/Baghdad'],
    [{ DATABASE_URL: 'sqlite:/srv/bisk/db.sqlite' }, (c: any) => c.database, { engine: 'sqlite', path: '/srv/bisk/db.sqlite' }],
    [{ DATABASE_URL: 'postgres://u:p@db/bisk' }, (c: any) => c.database, { engine: 'postgres', url: 'postgres://u:p@db/bisk' }],
    [{ HOST: '0.0.0.0', BISK_API_TOKEN: 'x'.repeat(16), RUNNER_HEARTBEAT_KEY: 'k'.repeat(8) }, (c: any) => c.http.host, '0.0.0.0'],
    [{ HOST: '0.0.0.0', BISK_API_TOKEN: 'x'.repeat(16), RUNNER_HEARTBEAT_OPEN: 'true' }, (c: any) => c.http.host, '0.0.0.0'],
    [{ HOST: '::1' }, (c: any) => c.http.host, '::1'],
    [{ ENFORCER_INTERVAL_SECONDS: '' }, (c: any) => c.enforcer.intervalSeconds, 15],
  ])('accepts %j', (env, pick, expected) => {
    expect(pick(load({ TZ: 'UTC', ...env }))).toEqual(expected);
  });

  it.each([
    [{ ENFORCER_INTERVAL_SECONDS: '0' }, 'ENFORCER_INTERVAL_SECONDS must be a whole number from 1 to 3600 (got "0")'],
    [{ ENFORCER_INTERVAL_SECONDS: '3601' }, 'ENFORCER_INTERVAL_SECONDS must be a whole number from 1 to 3600'],
    [{ ENFORCER_INTERVAL_SECONDS: '1.5' }, 'ENFORCER_INTERVAL_SECONDS must be a whole number from 1 to 3600 (got "1.5")'],
    [{ PORT: 'http' }, 'PORT must be a whole number from 1 to 65535 (got "http")'],
    [{ PORT: '70000' }, 'PORT must be a whole number from 1 to 65535'],
    [{ TZ: 'Mars/Olympus' }, 'TZ must be an IANA time zone name such as Asia/Baghdad or UTC (got "Mars/Olympus")'],
    [{ ENFORCER_EMBEDDED: 'maybe' }, 'ENFORCER_EMBEDDED must be true or false (got "maybe")'],
    [{ DATABASE_URL: 'mysql://x/y' }, 'DATABASE_URL must be a file path, sqlite:PATH, or a postgres:// URL'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL must be a URL starting with redis:// or rediss://'],
    [{ RUNNER_HEARTBEAT_URL: 'ftp://x/' }, 'RUNNER_HEARTBEAT_URL must be a URL starting with http:// or https://'],
    [{ BISK_API_TOKEN: 'short' }, 'BISK_API_TOKEN must be at least 16 characters'],
    [{ RUNNER_HEARTBEAT_KEY: 'k3y' }, 'RUNNER_HEARTBEAT_KEY must be at least 8 characters'],
    [{ RUNNER_ENV_PASS: 'MY_DIR,DATABASE_URL' }, 'RUNNER_ENV_PASS must be a comma-separated list of variable names (a name may end with * for a prefix), none of BISK_API_TOKEN, DATABASE_URL'],
    [{ RUNNER_ENV_PASS: 'MY DIR' }, 'RUNNER_ENV_PASS must be a comma-separated list'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of error, warn, log, debug, verbose'],
    [{ NODE_NAME: 'bad name' }, 'NODE_NAME must be 1-63 letters'],
    [{ HEARTBEAT_STALE_SEC: '10' }, 'HEARTBEAT_ONLINE_SEC < HEARTBEAT_STALE_SEC < HEARTBEAT_OFFLINE_SEC is required (got 15, 10, 120)'],
    [{ HOST: '0.0.0.0' }, 'HOST "0.0.0.0" is not a loopback address; without BISK_API_TOKEN'],
    [{ HOST: '192.168.1.10' }, 'set BISK_API_TOKEN to serve other hosts'],
    [{ HOST: '0.0.0.0', BISK_API_TOKEN: 'x'.repeat(16) }, 'HOST "0.0.0.0" is not a loopback address and RUNNER_HEARTBEAT_KEY is empty'],
    [{ HOST: '0.0.0.0', BISK_API_TOKEN: 'x'.repeat(16), RUNNER_HEARTBEAT_OPEN: 'false' }, 'or RUNNER_HEARTBEAT_OPEN=true to accept heartbeats without a key'],
    [{ RUNNER_HEARTBEAT_OPEN: 'sometimes' }, 'RUNNER_HEARTBEAT_OPEN must be true or false'],
  ])('rejects %j with one line naming the variable', (env, message) => {
    let error: unknown;
    try {
      load({ TZ: 'UTC', ...env });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as Error).message;
    expect(text.startsWith('Invalid configuration: ')).toBe(true);
    expect(text).toContain(message);
    expect(text).not.toContain('\n');
  });

  it('names every bad variable in the same line', () => {
    expect(() => load({ TZ: 'UTC', PORT: 'x', ENFORCER_INTERVAL_SECONDS: 'y' })).toThrow(/PORT .*; ENFORCER_INTERVAL_SECONDS|ENFORCER_INTERVAL_SECONDS .*; PORT/);
  });

  it('reads BISK_ENV_FILE, with the environment winning over the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bisk-env-'));
    const file = join(dir, 'bisk-enforcer.env');
    writeFileSync(file, '# comment\nTZ=Asia/Baghdad\nENFORCER_INTERVAL_SECONDS=20\nexport PORT="9001"\nNODE_NAME=box-1 # trailing\n');
    const env: Record<string, string> = { BISK_ENV_FILE: file, PORT: '9100' };
    const config = loadConfig(env);
    expect(config.timeZone).toBe('Asia/Baghdad');
    expect(config.enforcer.intervalSeconds).toBe(20);
    expect(config.http.port).toBe(9100);
    expect(config.enforcer.nodeName).toBe('box-1');
    expect(env.TZ).toBe('Asia/Baghdad'); // exported for child processes, as systemd would
  });

  it('says which env file is missing', () => {
    expect(() => loadConfig({ BISK_ENV_FILE: '/nonexistent/bisk.env' })).toThrow('BISK_ENV_FILE: cannot read /nonexistent/bisk.env (ENOENT)');
  });
});

describe('parseEnvFile', () => {
  it.each([
    ['A=1', { A: '1' }],
    ['A = 1', { A: '1' }],
    ['export A=1', { A: '1' }],
    ['A="a b"', { A: 'a b' }],
    ["A='a \"b\"'", { A: 'a "b"' }],
    ['A=x # note', { A: 'x' }],
    ['A=x#y', { A: 'x#y' }],
    ['A=', { A: '' }],
    ['PATH=/usr/local/bin:/usr/bin', { PATH: '/usr/local/bin:/usr/bin' }],
    ['\n# only a comment\n\n', {}],
  ])('%j', (text, expected) => {
    expect(parseEnvFile(text)).toEqual(expected);
  });

  it('rejects a line that is not KEY=VALUE, naming the line', () => {
    expect(() => parseEnvFile('A=1\nthis is wrong\n', '/etc/bisk/bisk-enforcer.env')).toThrow(
      '/etc/bisk/bisk-enforcer.env:2: expected KEY=VALUE, got "this is wrong"',
    );
  });
});

describe('helpers', () => {
  it.each([
    ['127.0.0.1', true], ['127.1.2.3', true], ['::1', true], ['localhost', true],
    ['0.0.0.0', false], ['::', false], ['10.0.0.1', false], ['example.org', false],
  ])('isLoopbackHost(%s) = %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });

  it.each([
    ['./var/x.sqlite', 'sqlite'], ['sqlite:///abs/x.db', 'sqlite'], [':memory:', 'sqlite'],
    ['postgres://h/db', 'postgres'], ['postgresql://h/db', 'postgres'],
  ])('parseDatabaseUrl(%s) → %s', (url, engine) => {
    expect(parseDatabaseUrl(url).engine).toBe(engine);
  });
});
