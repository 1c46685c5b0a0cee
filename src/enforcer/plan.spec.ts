import { describe, expect, it } from 'vitest';
import { type Action, backoffSeconds, type DesiredSpec, type ObservedRunner, plan, type PlanSettings } from './plan.js';
import type { EffectiveSpec } from './spec.js';

const NOW = new Date('2026-12-01T10:00:00Z');
const ago = (s: number) => new Date(NOW.getTime() - s * 1000);
const SETTINGS: PlanSettings = { offlineSeconds: 120, backoffMaxSeconds: 60, heartbeatGraceUntil: null };

const spec = (cameraId: number, profileId = 1): EffectiveSpec => ({
  cameraId, profileId, rtspUrl: `rtsp://h/${cameraId}`, fps: 6, detSet: 'auto', rtspTransport: 'auto', hbInterval: 10, snapshotEvery: 3,
  device: 'cpu', hwaccel: 'none', gpuIndex: null, cpuNice: null, cpuAffinity: null, capMaxFps: null, capDetSetMax: null, extraArgs: {},
});
const want = (cameraId: number, profileId = 1, hash = 'h1'): DesiredSpec => ({ spec: spec(cameraId, profileId), hash });
const runner = (cameraId: number, over: Partial<ObservedRunner> = {}): ObservedRunner => ({
  runnerId: 100 + cameraId, cameraId, profileId: 1, pid: 5000 + cameraId, alive: true, status: 'running', specHash: 'h1',
  startedAt: ago(600), lastHeartbeatAt: ago(5), crashes: 0, lastExitAt: null, ...over,
});
const kinds = (actions: Action[]) => actions.map((a) => `${a.kind}${'cameraId' in a ? ` ${a.cameraId}/${a.profileId}` : ` pid ${a.pid}`}`);

describe('plan', () => {
  it.each<[string, DesiredSpec[], ObservedRunner[], string[]]>([
    ['nothing wanted, nothing running', [], [], []],
    ['start what is wanted and missing', [want(1), want(2, 3)], [], ['start 1/1', 'start 2/3']],
    ['leave a healthy runner alone', [want(1)], [runner(1)], []],
    ['stop what is no longer wanted', [], [runner(1)], ['stop 1/1']],
    ['restart on spec drift', [want(1, 1, 'h2')], [runner(1)], ['restart 1/1']],
    ['restart a runner that stopped heartbeating', [want(1)], [runner(1, { lastHeartbeatAt: ago(121) })], ['restart 1/1']],
    ['keep a runner that has never heartbeated', [want(1)], [runner(1, { lastHeartbeatAt: null })], []],
    ['keep a runner whose only heartbeat predates its start', [want(1)], [runner(1, { startedAt: ago(200), lastHeartbeatAt: ago(300) })], []],
    ['start again when the process is dead and no back-off is due', [want(1)], [runner(1, { alive: false, status: 'exited', crashes: 0 })], ['start 1/1']],
    ['wait out the back-off after quick exits', [want(1)], [runner(1, { alive: false, status: 'backoff', crashes: 3, lastExitAt: ago(2) })], ['wait 1/1']],
    ['start once the back-off has passed', [want(1)], [runner(1, { alive: false, status: 'backoff', crashes: 3, lastExitAt: ago(4) })], ['start 1/1']],
    ['ignore a dead row that is not wanted', [], [runner(1, { alive: false, status: 'exited' })], []],
    ['leave a runner that is being stopped', [], [runner(1, { status: 'stopping' })], []],
    ['start nothing beside a wanted runner that is being stopped', [want(1)], [runner(1, { status: 'stopping' })], []],
    ['neither restart nor start beside a drifted runner that is being stopped', [want(1, 1, 'h2')], [runner(1, { status: 'stopping', lastHeartbeatAt: ago(500) })], []],
    ['several pairs, sorted', [want(2), want(1, 2)], [runner(3), runner(2, { lastHeartbeatAt: ago(500) })], ['start 1/2', 'restart 2/1', 'stop 3/1']],
  ])('%s', (_label, desired, observed, expected) => {
    expect(kinds(plan(desired, observed, [], NOW, SETTINGS).actions)).toEqual(expected);
  });

  it('gives reasons operators can read', () => {
    const { actions } = plan(
      [want(1), want(2, 1, 'h2'), want(3), want(4)],
      [runner(2), runner(3, { lastHeartbeatAt: ago(130) }), runner(4, { alive: false, crashes: 2, lastExitAt: ago(1) }), runner(5)],
      [],
      NOW,
      SETTINGS,
    );
    expect(actions.map((a) => a.reason)).toEqual([
      'wanted by the schedule and not running',
      'settings changed since it started (spec drift)',
      'no heartbeat for 130 s (limit 120 s)',
      'back-off 2 s after 2 quick exit(s)',
      'no active schedule window wants this pair any more',
    ]);
  });

  it('suspends stall restarts during the heartbeat grace period, and wakes when it ends', () => {
    const grace = new Date(NOW.getTime() + 30_000);
    const result = plan([want(1)], [runner(1, { lastHeartbeatAt: ago(500) })], [], NOW, { ...SETTINGS, heartbeatGraceUntil: grace });
    expect(result.actions).toEqual([]);
    expect(result.wakeAt).toEqual(grace);
  });

  it('wakes at the earliest back-off end or heartbeat deadline', () => {
    const result = plan(
      [want(1), want(2)],
      [runner(1, { lastHeartbeatAt: ago(100) }), runner(2, { alive: false, crashes: 4, lastExitAt: ago(1) })],
      [],
      NOW,
      SETTINGS,
    );
    expect(result.wakeAt).toEqual(new Date(NOW.getTime() + 7_000)); // back-off 8 s, 1 s gone; heartbeat deadline in 20 s
  });

  it('kills strays first', () => {
    const { actions } = plan([want(1)], [], [{ pid: 42, startTime: '99', runnerId: null }, { pid: 7, startTime: '11', runnerId: 3 }], NOW, SETTINGS);
    expect(kinds(actions)).toEqual(['stray-kill pid 7', 'stray-kill pid 42', 'start 1/1']);
  });

  it('carries the spec and hash to start and restart', () => {
    const [start] = plan([want(9, 1, 'abc')], [], [], NOW, SETTINGS).actions;
    expect(start).toMatchObject({ kind: 'start', runnerId: null, hash: 'abc', spec: spec(9) });
  });
});

describe('back-off', () => {
  it.each([[0, 0], [1, 1], [2, 2], [3, 4], [4, 8], [6, 32], [7, 60], [40, 60]])('%i quick exits → %i s', (crashes, expected) => {
    expect(backoffSeconds(crashes, 60)).toBe(expected);
  });

  it('allows about seven starts in the first minute for a runner that always exits at once', () => {
    let t = 0;
    let starts = 0;
    let crashes = 0;
    while (t < 60) {
      starts++;
      crashes++;
      t += backoffSeconds(crashes, 60);
    }
    expect(starts).toBeLessThanOrEqual(7);
    expect(starts).toBeGreaterThanOrEqual(5);
  });
});
