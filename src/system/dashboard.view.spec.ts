import { describe, expect, it } from 'vitest';
import { esc, type Overview, renderLive, renderPage, SYSTEM_CAMERA_ROWS, SYSTEM_RUNNER_ROWS } from './dashboard.view.js';

const overview = (name: string, error: string): Overview =>
  ({
    at: '2026-11-29T14:00:00.000Z', timeZone: 'Asia/Baghdad', node: 'n1',
    host: { collectedAt: null, hostname: 'box', uptimeSeconds: 1, cpu: { percent: 5, cores: 2, threads: 4, load: [0.5, 0.4, 0.3], loadPercentOfThreads: [12, 10, 8] }, memory: null, disk: null, gpus: [], gpuError: null },
    enforcer: { alive: true, runningPid: 42, node: 'n1', lastRun: null, lastOk: null, lastError: error, intervalSeconds: 15, nextWake: null, lastTick: null, startedAt: null, metrics: null, lastRunAgeSeconds: null },
    tallies: { online: 1, stale: 0, offline: 0, never: 0, total: 1, byStatus: { running: 1 }, desired: 1 },
    thresholds: { onlineSec: 15, staleSec: 45, offlineSec: 120 },
    pausedCameras: [],
    nodes: [{ name: `node-${name}`, alive: true, leaseExpiresAt: '2026-11-30T06:00:30.000Z', runners: 1, desired: 1 }],
    cameras: [{ id: 1, name, isActive: true, paused: false, pauseUntil: null }],
    runners: [{ id: 1, cameraId: 1, cameraName: name, profileId: 1, profileName: `"${name}"`, node: 'n1', pid: 7, status: 'running', wanted: true, targetFps: 6, cameraFps: 25, processedFps: 6, snapshotEvery: 3, lastHeartbeatAt: null, heartbeatAgeSeconds: null, heartbeat: 'online', restartsLastHour: 0, restartCount: 0, lastError: error, specHash: 'abc', specCurrent: true, spec: { rtspUrl: name } }],
  }) as unknown as Overview;

describe('dashboard rendering', () => {
  it.each([
    '<img src=x onerror=alert(1)>',
    '<script>alert(1)</script>',
    '" onmouseover="alert(1)',
    "'><svg onload=alert(1)>",
  ])('escapes user text everywhere: %s', (hostile) => {
    const html = renderPage(overview(hostile, hostile), '2026-11-30T08:00:00+03:00', 'n0nce');
    expect(html).not.toContain(hostile);
    expect(html).toContain(esc(hostile));
    expect(html.match(/<script/g)).toHaveLength(1); // only the page's own, with its nonce
    expect(html).toContain('<script nonce="n0nce">');
  });

  it('offers the three pause choices with tomorrow 08:00 in the zone', () => {
    const html = renderLive(overview('Gate', ''), '2026-11-30T08:00:00.000+03:00');
    expect(html).toContain('data-minutes="30"');
    expect(html).toContain('data-minutes="120"');
    expect(html).toContain('data-until="2026-11-30T08:00:00.000+03:00"');
  });

  it('lists at most SYSTEM_RUNNER_ROWS runners, those that need a look first, and links to all of them', () => {
    const base = overview('Gate', '');
    const template = base.runners[0];
    const runners = Array.from({ length: 150 }, (_, i) => ({ ...template, id: i + 1, cameraId: i + 1, cameraName: `cam-${i + 1}` }));
    runners[139] = { ...runners[139], status: 'failed', lastError: 'exit 1' };
    runners[144] = { ...runners[144], heartbeat: 'offline' };
    const html = renderLive({ ...base, runners } as Overview, '2026-11-30T08:00:00.000+03:00');
    const rows = [...html.matchAll(/<tr class="st-[a-z]+ hb-[a-z]+" data-camera="(\d+)"/g)].map((m) => Number(m[1]));
    expect(rows).toHaveLength(SYSTEM_RUNNER_ROWS);
    expect(rows.slice(0, 2)).toEqual([140, 145]);
    expect(rows.slice(2, 5)).toEqual([1, 2, 3]);
    expect(html).toContain('… and 50 more runner(s)');
    expect(html).toContain('<a href="/dash/runners/">every runner on the Runners page</a>');
    expect(renderLive(base, '2026-11-30T08:00:00.000+03:00')).not.toContain('more runner(s)');
  });

  it('lists paused cameras first, at most SYSTEM_CAMERA_ROWS, and links to all of them', () => {
    const base = overview('Gate', '');
    const cameras = Array.from({ length: 80 }, (_, i) => ({ id: i + 1, name: `cam-${i + 1}`, isActive: true, paused: i === 70, pauseUntil: i === 70 ? '2026-11-30T08:00:00.000Z' : null }));
    const html = renderLive({ ...base, cameras } as Overview, '2026-11-30T08:00:00.000+03:00');
    const listed = [...html.matchAll(/<li data-camera="(\d+)">/g)].map((m) => Number(m[1]));
    expect(listed).toHaveLength(SYSTEM_CAMERA_ROWS);
    expect(listed[0]).toBe(71);
    expect(html).toContain('<button data-resume="71">Resume</button>');
    expect(html).toContain('… and 30 more camera(s)');
  });
});
