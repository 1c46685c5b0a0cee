import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Breadcrumbs } from '../../src/enforcer/breadcrumbs.js';
import { type Harness, startApp } from '../support/app-harness.js';

const NVIDIA = (name: string) => fileURLToPath(new URL(`../fixtures/nvidia/${name}/nvidia-smi`, import.meta.url));
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** /health through the real app: every indicator, with fake nvidia-smi scripts and PATHs without ffmpeg. */
describe('/health', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function healthy(env: Record<string, string>) {
    h = await startApp('sqlite', { PATH: SYSTEM_PATH, ...env });
    // A fresh enforcer tick, as a running enforcer would leave it.
    await h.app.get(Breadcrumbs).write({ lastOk: new Date().toISOString(), runningPid: 4321, intervalSeconds: 15, node: 'n1' });
    return h.request('GET', '/health');
  }

  it('is 200 with every indicator up, two GPUs reported, and no secrets', async () => {
    const res = await healthy({ NVIDIA_SMI_PATH: NVIDIA('two-gpus'), DATABASE_URL: '', BISK_API_TOKEN: 'very-secret-token-1234', RUNNER_HEARTBEAT_KEY: 'hb-secret' });
    expect(res.status, res.raw).toBe(200);
    expect(Object.keys(res.body.details).sort()).toEqual(['database', 'disk', 'enforcer', 'ffmpeg', 'gpu', 'memory']);
    expect(res.body.details.gpu.gpus.map((g: { name: string }) => g.name)).toEqual(['NVIDIA GeForce RTX 3090', 'NVIDIA H200']);
    expect(res.body.details.ffmpeg.ffmpeg.version).toMatch(/^ffmpeg version/);
    expect(res.body.details.enforcer).toMatchObject({ status: 'up', pid: 4321, limitSeconds: 50 });
    expect(res.body.details.disk).toMatchObject({ status: 'up', usedPercent: expect.any(Number) });
    expect(res.raw).not.toMatch(/very-secret|hb-secret/);
  });

  it('is up with no GPUs when there is no nvidia-smi, and down when GPU_REQUIRED=true', async () => {
    let res = await healthy({ NVIDIA_SMI_PATH: '/nonexistent/nvidia-smi' });
    expect(res.status).toBe(200);
    expect(res.body.details.gpu).toEqual({ status: 'up', gpus: [] });
    await h!.close();
    res = await healthy({ NVIDIA_SMI_PATH: '/nonexistent/nvidia-smi', GPU_REQUIRED: 'true' });
    expect(res.status).toBe(503);
    expect(res.body.details.gpu.reason).toBe('no NVIDIA GPU found and GPU_REQUIRED=true');
  });

  it('is 503 within the timeout when nvidia-smi hangs', async () => {
    const began = Date.now();
    const res = await healthy({ NVIDIA_SMI_PATH: NVIDIA('hangs') });
    expect(res.status).toBe(503);
    expect(res.body.details.gpu).toEqual({ status: 'down', reason: 'nvidia-smi did not answer within 2 s' });
    expect(Date.now() - began).toBeLessThan(10_000);
  });

  it('is 503 naming the tool when ffmpeg cannot be run', async () => {
    const res = await healthy({ NVIDIA_SMI_PATH: '/nonexistent/nvidia-smi', FFMPEG_PATH: '/nonexistent/ffmpeg' });
    expect(res.status).toBe(503);
    expect(res.body.details.ffmpeg.status).toBe('down');
    expect(res.body.details.ffmpeg.ffmpeg.reason).toBe('ffmpeg not runnable at FFMPEG_PATH=/nonexistent/ffmpeg');
  });

  it('stays up without ffprobe, which nothing in the product needs (a fresh machine with the bundled ffmpeg only)', async () => {
    const res = await healthy({ NVIDIA_SMI_PATH: '/nonexistent/nvidia-smi', PATH: '/nonexistent' });
    expect(res.body.details.ffmpeg.status).toBe('up');
    expect(res.body.details.ffmpeg.ffmpeg.path).toMatch(/@ffmpeg-installer/);
    expect(res.body.details.ffmpeg.ffprobe).toEqual({ reason: 'ffprobe not found on PATH (install ffmpeg or set FFPROBE_PATH)', required: false });
    expect(res.status).toBe(200);
  });

  it('is 503 with the age when the enforcer has not ticked for three intervals', async () => {
    h = await startApp('sqlite', { PATH: SYSTEM_PATH, NVIDIA_SMI_PATH: '/nonexistent/nvidia-smi' });
    await h.app.get(Breadcrumbs).write({ lastOk: new Date(Date.now() - 100_000).toISOString(), intervalSeconds: 15 });
    const res = await h.request('GET', '/health');
    expect(res.status).toBe(503);
    expect(res.body.details.enforcer.reason).toMatch(/^last successful tick 10\d s ago \(limit 50 s\)$/);
    expect((await h.request('GET', '/health/live')).status).toBe(200);
  });
});
