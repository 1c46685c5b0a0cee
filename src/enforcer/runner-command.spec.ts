import { describe, expect, it } from 'vitest';
import { maskArgv, runnerArgv, runnerEnv, type RunnerCommandSettings, splitCommand } from './runner-command.js';
import type { EffectiveSpec } from './spec.js';

const spec = (over: Partial<EffectiveSpec> = {}): EffectiveSpec => ({
  cameraId: 3, profileId: 2, rtspUrl: 'rtsp://u:pw@cam/s', fps: 6, detSet: '800', rtspTransport: 'auto', hbInterval: 10, snapshotEvery: 3,
  device: 'cpu', hwaccel: 'none', gpuIndex: null, cpuNice: null, cpuAffinity: null, capMaxFps: null, capDetSetMax: null, extraArgs: {}, ...over,
});
const SETTINGS: RunnerCommandSettings = {
  command: ['/usr/bin/python3', '/srv/bisk/runner.py'], heartbeatUrl: 'http://127.0.0.1:8000/api/runner/heartbeat/', heartbeatKey: 'k3y',
  snapshotDir: '/var/snap', logDir: '/var/log/runners', node: 'box-1',
};

describe('runner argv (§4)', () => {
  it('passes the original runners’ options in order', () => {
    expect(runnerArgv(spec(), SETTINGS)).toEqual([
      '/usr/bin/python3', '/srv/bisk/runner.py',
      '--camera', '3', '--profile', '2', '--rtsp', 'rtsp://u:pw@cam/s', '--fps', '6', '--det_set', '800',
      '--hb', 'http://127.0.0.1:8000/api/runner/heartbeat/', '--hb_key', 'k3y', '--snapshots', '/var/snap/camera-3',
      '--hb_interval', '10', '--snapshot_every', '3',
    ]);
  });

  it('adds transport, placement and the profile’s extra arguments when set', () => {
    const argv = runnerArgv(spec({ rtspTransport: 'tcp', device: 'cuda', gpuIndex: 1, hwaccel: 'nvdec', extraArgs: { min_face_px: 40, '--debug': true, quiet: false, model: 'buffalo_l', skip: null } }), SETTINGS);
    expect(argv.slice(22)).toEqual([
      '--rtsp_transport', 'tcp', '--device', 'cuda', '--gpu_index', '1', '--hwaccel', 'nvdec',
      '--debug', '--min_face_px', '40', '--model', 'buffalo_l',
    ]);
  });

  it('masks credentials and the heartbeat key for display', () => {
    const shown = maskArgv(runnerArgv(spec(), SETTINGS));
    expect(shown).toContain('rtsp://u:***@cam/s');
    expect(shown[shown.indexOf('--hb_key') + 1]).toBe('***');
    expect(shown.join(' ')).not.toMatch(/pw|k3y/);
  });
});

describe('runner environment', () => {
  it('carries placement, caps and the stray marker', () => {
    const env = runnerEnv(spec({ gpuIndex: 0, device: 'cuda', capMaxFps: 8, capDetSetMax: '1024' }), 55, 'box-1', { PATH: '/usr/bin' });
    expect(env).toMatchObject({
      PATH: '/usr/bin', BISK_HB_INTERVAL: '10', BISK_SNAPSHOT_EVERY: '3', BISK_PLACE_DEVICE: 'cuda', BISK_PLACE_GPU_INDEX: '0',
      BISK_PLACE_HWACCEL: 'none', BISK_CAP_MAX_FPS: '8', BISK_CAP_DET_SET_MAX: '1024', CUDA_VISIBLE_DEVICES: '0',
      BISK_RUNNER_ID: '55', BISK_NODE: 'box-1', BISK_RUNNER_MARKER: 'box-1:55',
    });
    expect(runnerEnv(spec(), 1, 'n', {}).CUDA_VISIBLE_DEVICES).toBeUndefined();
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
