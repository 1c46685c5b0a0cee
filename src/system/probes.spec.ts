import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseNvidiaSmi, probeGpus, probeTool } from './probes.js';

const NVIDIA = (name: string) => fileURLToPath(new URL(`../../test/fixtures/nvidia/${name}`, import.meta.url));
const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin';

describe('GPU probe (fake nvidia-smi on PATH)', () => {
  it('reports every GPU nvidia-smi lists', async () => {
    expect(await probeGpus('nvidia-smi', `${NVIDIA('two-gpus')}:${SYSTEM_PATH}`)).toEqual({
      status: 'ok',
      gpus: [
        { index: 0, name: 'NVIDIA GeForce RTX 3090', utilizationPercent: 37, memoryUsedMiB: 10240, memoryTotalMiB: 24576 },
        { index: 1, name: 'NVIDIA H200', utilizationPercent: 3, memoryUsedMiB: 1024, memoryTotalMiB: 143771 },
      ],
    });
  });

  it('gives up on a hanging nvidia-smi within the timeout', async () => {
    const began = Date.now();
    const probe = await probeGpus('nvidia-smi', `${NVIDIA('hangs')}:${SYSTEM_PATH}`, 500);
    expect(probe).toEqual({ status: 'error', reason: 'nvidia-smi did not answer within 0.5 s' });
    expect(Date.now() - began).toBeLessThan(3000);
  });

  it('reports a failing nvidia-smi with its reason', async () => {
    const probe = await probeGpus('nvidia-smi', `${NVIDIA('fails')}:${SYSTEM_PATH}`);
    expect(probe).toMatchObject({ status: 'error', reason: expect.stringMatching(/^nvidia-smi failed: NVIDIA-SMI has failed because it couldn't communicate/) });
  });

  it('is absent when there is no nvidia-smi', async () => {
    expect(await probeGpus('nvidia-smi', '/nonexistent')).toEqual({ status: 'absent' });
  });

  it.each([
    ['[N/A] values become null', 'Tesla T4, [N/A], 0, 15360', { utilizationPercent: null, memoryUsedMiB: 0, memoryTotalMiB: 15360 }],
    ['blank lines are skipped', '\nA100, 1, 2, 3\n\n', { name: 'A100', utilizationPercent: 1 }],
  ])('parses: %s', (_label, text, expected) => {
    expect(parseNvidiaSmi(text)[0]).toMatchObject(expected);
  });
});

describe('ffmpeg/ffprobe probe', () => {
  it('finds ffprobe on PATH and reports its version', async () => {
    const probe = await probeTool('ffprobe', undefined, SYSTEM_PATH);
    expect(probe).toMatchObject({ ok: true, path: expect.stringMatching(/ffprobe$/), version: expect.stringMatching(/^ffprobe version /) });
  });

  it.each([
    ['ffprobe', undefined, 'ffprobe not found on PATH (install ffmpeg or set FFPROBE_PATH)'],
    ['ffprobe', '/opt/none/ffprobe', 'ffprobe not runnable at FFPROBE_PATH=/opt/none/ffprobe'],
    ['ffmpeg', '/opt/none/ffmpeg', 'ffmpeg not runnable at FFMPEG_PATH=/opt/none/ffmpeg'],
  ] as const)('says why %s is missing (configured %s)', async (tool, configured, reason) => {
    expect(await probeTool(tool, configured, '/nonexistent')).toEqual({ ok: false, reason });
  });
});
