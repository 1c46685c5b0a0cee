import { describe, expect, it } from 'vitest';
import { maskArgv, passedEnv, reservedFlag, runnerArgv, runnerEnv, type RunnerCommandSettings, splitCommand } from './runner-command.js';
import type { EffectiveSpec } from './spec.js';

const spec = (over: Partial<EffectiveSpec> = {}): EffectiveSpec => ({
  cameraId: 3, profileId: 2, rtspUrl: 'rtsp://u:pw@cam/s', fps: 6, detSet: '800', rtspTransport: 'auto', hbInterval: 10, snapshotEvery: 3,
  device: 'cpu', hwaccel: 'none', gpuIndex: null, cpuNice: null, cpuAffinity: null, capMaxFps: null, capDetSetMax: null, extraArgs: {}, ...over,
});
const SETTINGS: RunnerCommandSettings = {
  command: ['/usr/bin/python3', '/srv/bisk/runner.py'], heartbeatUrl: 'http://127.0.0.1:8000/api/runner/heartbeat/', heartbeatKey: 'k3y',
  snapshotDir: '/var/snap', logDir: '/var/log/runners', node: 'box-1', secretsInArgv: false, envPass: [],
};
const LEGACY: RunnerCommandSettings = { ...SETTINGS, secretsInArgv: true };

describe('runner argv (§4)', () => {
  it('passes the original runners’ options in order, without the stream credentials or the heartbeat key', () => {
    expect(runnerArgv(spec(), SETTINGS)).toEqual([
      '/usr/bin/python3', '/srv/bisk/runner.py',
      '--camera', '3', '--profile', '2', '--rtsp', 'rtsp://cam/s', '--fps', '6', '--det_set', '800',
      '--hb', 'http://127.0.0.1:8000/api/runner/heartbeat/', '--snapshots', '/var/snap/camera-3',
      '--hb_interval', '10', '--snapshot_every', '3',
    ]);
  });

  it('keeps the original argv, secrets included, when RUNNER_SECRETS_IN_ARGV asks for it', () => {
    expect(runnerArgv(spec(), LEGACY)).toEqual([
      '/usr/bin/python3', '/srv/bisk/runner.py',
      '--camera', '3', '--profile', '2', '--rtsp', 'rtsp://u:pw@cam/s', '--fps', '6', '--det_set', '800',
      '--hb', 'http://127.0.0.1:8000/api/runner/heartbeat/', '--hb_key', 'k3y', '--snapshots', '/var/snap/camera-3',
      '--hb_interval', '10', '--snapshot_every', '3',
    ]);
  });

  it('never lets extraArgs override a reserved flag, however it is spelled', () => {
    const argv = runnerArgv(spec({ extraArgs: { rtsp: 'rtsp://evil/x', '--hb': 'http://evil/', 'hb-key': 'x', '-snapshots': '/etc', sneaky: '--hb=http://evil/', ok: 1 } }), SETTINGS);
    expect(argv.filter((a) => a === '--rtsp' || a === '--hb')).toHaveLength(2);
    expect(argv.join(' ')).not.toMatch(/evil|\/etc/);
    expect(argv.slice(-2)).toEqual(['--ok', '1']);
  });

  it('adds transport, placement and the profile’s extra arguments when set', () => {
    const argv = runnerArgv(spec({ rtspTransport: 'tcp', device: 'cuda', gpuIndex: 1, hwaccel: 'nvdec', extraArgs: { min_face_px: 40, '--debug': true, quiet: false, model: 'buffalo_l', skip: null } }), SETTINGS);
    expect(argv.slice(20)).toEqual([
      '--rtsp_transport', 'tcp', '--device', 'cuda', '--gpu_index', '1', '--hwaccel', 'nvdec',
      '--debug', '--min_face_px', '40', '--model', 'buffalo_l',
    ]);
  });

  it('masks credentials and the heartbeat key for display', () => {
    const shown = maskArgv(runnerArgv(spec(), LEGACY));
    expect(shown).toContain('rtsp://u:***@cam/s');
    expect(shown[shown.indexOf('--hb_key') + 1]).toBe('***');
    expect(shown.join(' ')).not.toMatch(/pw|k3y/);
  });
});

describe('runner environment', () => {
  it('carries the secrets, placement, caps and the stray marker', () => {
    const env = runnerEnv(spec({ gpuIndex: 0, device: 'cuda', capMaxFps: 8, capDetSetMax: '1024' }), 55, { PATH: '/usr/bin' }, SETTINGS);
    expect(env).toMatchObject({
      BISK_RTSP_URL: 'rtsp://u:pw@cam/s', BISK_HB_KEY: 'k3y',
      PATH: '/usr/bin', BISK_HB_INTERVAL: '10', BISK_SNAPSHOT_EVERY: '3', BISK_PLACE_DEVICE: 'cuda', BISK_PLACE_GPU_INDEX: '0',
      BISK_PLACE_HWACCEL: 'none', BISK_CAP_MAX_FPS: '8', BISK_CAP_DET_SET_MAX: '1024', CUDA_VISIBLE_DEVICES: '0',
      BISK_RUNNER_ID: '55', BISK_NODE: 'box-1', BISK_RUNNER_MARKER: 'box-1:55',
    });
    expect(runnerEnv(spec(), 1, {}, SETTINGS).CUDA_VISIBLE_DEVICES).toBeUndefined();
    expect(runnerEnv(spec(), 1, {}, { ...SETTINGS, heartbeatKey: '' })).not.toHaveProperty('BISK_HB_KEY');
  });

  it('passes only the allow-listed part of the service environment, plus RUNNER_ENV_PASS', () => {
    const service = {
      PATH: '/usr/bin', HOME: '/srv/bisk', LANG: 'C.UTF-8', LC_ALL: 'C', TZ: 'Asia/Baghdad', CUDA_CACHE_PATH: '/c', NVIDIA_VISIBLE_DEVICES: 'all',
      PYTHONUNBUFFERED: '1', BISK_API_TOKEN: 't0ken-0123456789abcdef', DATABASE_URL: 'postgres://bisk:pw@db/bisk', RUNNER_HEARTBEAT_KEY: 'k3y',
      REDIS_URL: 'redis://:pw@r', BISK_ENV_FILE: '/etc/bisk/bisk-enforcer.env', HTTP_PROXY: 'http://u:p@proxy', MY_MODEL_DIR: '/models', MY_OTHER: 'x', NODE_OPTIONS: '--require /tmp/x.js',
    };
    expect(passedEnv(service)).toEqual({
      PATH: '/usr/bin', HOME: '/srv/bisk', LANG: 'C.UTF-8', LC_ALL: 'C', TZ: 'Asia/Baghdad', CUDA_CACHE_PATH: '/c', NVIDIA_VISIBLE_DEVICES: 'all', PYTHONUNBUFFERED: '1',
    });
    expect(passedEnv(service, ['MY_*', 'HTTP_PROXY'])).toMatchObject({ MY_MODEL_DIR: '/models', MY_OTHER: 'x', HTTP_PROXY: 'http://u:p@proxy' });
    // A broad prefix never reaches the service's own secrets.
    const broad = passedEnv(service, ['B*', 'D*', 'R*']);
    for (const name of ['BISK_API_TOKEN', 'DATABASE_URL', 'RUNNER_HEARTBEAT_KEY', 'REDIS_URL', 'BISK_ENV_FILE']) expect(broad).not.toHaveProperty(name);
    const env = runnerEnv(spec(), 1, service, SETTINGS);
    for (const name of ['BISK_API_TOKEN', 'DATABASE_URL', 'RUNNER_HEARTBEAT_KEY', 'REDIS_URL', 'BISK_ENV_FILE', 'NODE_OPTIONS']) expect(env).not.toHaveProperty(name);
  });
});

describe('reserved runner flags', () => {
  it.each([
    ['rtsp', 'rtsp'], ['--rtsp', 'rtsp'], ['-hb', 'hb'], ['hb-key', 'hb_key'], ['--HB_KEY', 'hb_key'], ['snapshots', 'snapshots'],
    ['gpu_index', 'gpu_index'], ['min_face_px', null], ['--debug', null], ['rtsp2', null],
  ])('%s → %s', (key, expected) => {
    expect(reservedFlag(key)).toBe(expected);
  });
});

describe('splitCommand', () => {
  it.each([
    ['python3 /srv/runner.py', ['python3', '/srv/runner.py']],
    ['"/opt/my runner/run" --x \'a b\'', ['/opt/my runner/run', '--x', 'a b']],
    ['  a   b  ', ['a', 'b']],
    ['"a \\"q\\""', ['a "q"']],
  ])('%s', (text, expected) => {
    expect(splitCommand(text)).toEqual(expected);
  });
});
