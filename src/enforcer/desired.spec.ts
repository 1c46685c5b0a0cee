import { describe, expect, it } from 'vitest';
import { computeDesired } from './desired.js';
import { ownerOf } from './ownership.js';
import type { CameraRow, World } from './world.js';

const camera = (id: number): CameraRow => ({
  id, name: `cam-${id}`, rtspUrl: 'rtsp://h/s', isActive: true, pauseUntil: null, rtspTransport: 'tcp', hbInterval: 10, snapshotEvery: 5,
  preferCameraOverProfile: false, targetFpsReq: null, detSetReq: null, node: null,
});

/** Two floating cameras on two live nodes, each camera with its own policy and hours. */
function world(): World {
  const cameras = [1, 2, 3, 4, 5, 6].map(camera);
  return {
    cameras,
    profiles: [{ id: 1, name: 'p', fps: 5, detectionSet: '640', rtspTransport: '', hbInterval: 10, snapshotEvery: 5, extraArgs: {}, isActive: true }],
    policies: cameras.map((c) => ({ id: c.id, name: `pol-${c.id}`, isEnabled: true })),
    // Camera c runs from (7 + c):00 to (15 + c):00 every day.
    windows: cameras.flatMap((c) => [0, 1, 2, 3, 4, 5, 6].map((day) => ({ id: c.id * 10 + day, policyId: c.id, dayOfWeek: day, startTime: `${String(7 + c.id).padStart(2, '0')}:00:00`, endTime: `${15 + c.id}:00:00`, profileId: 1 }))),
    exceptions: [],
    links: cameras.map((c) => ({ policyId: c.id, cameraId: c.id })),
    resources: [],
    runners: [],
    leases: [{ node: 'a', expiresAt: Number.MAX_SAFE_INTEGER }, { node: 'b', expiresAt: Number.MAX_SAFE_INTEGER }],
  };
}

describe('computeDesired on one node of several', () => {
  const w = world();
  const mine = w.cameras.filter((c) => ownerOf(c.id, ['a', 'b']) === 'a').map((c) => c.id);
  const theirs = w.cameras.filter((c) => ownerOf(c.id, ['a', 'b']) === 'b').map((c) => c.id);

  it('shares the cameras (both nodes own some)', () => {
    expect(mine.length).toBeGreaterThan(0);
    expect(theirs.length).toBeGreaterThan(0);
  });

  it('wants only its own cameras, and wakes only at its own cameras’ boundaries', () => {
    const at = new Date('2026-11-30T12:30:00Z');
    const desired = computeDesired(w, at, 'UTC', 'a');
    expect(desired.specs.map((d) => d.spec.cameraId).sort()).toEqual(mine.filter((c) => 7 + c <= 12).sort());
    // The next instant one of ITS cameras starts or stops — another node's boundary is no reason to tick.
    const boundaries = mine.flatMap((c) => [7 + c, 15 + c]).map((h) => Date.UTC(2026, 10, 30, h)).filter((t) => t > at.getTime());
    expect(desired.nextBoundary?.getTime()).toBe(Math.min(...boundaries));
  });

  it('answers the same when asked again with the same loaded world (kept groupings), and follows a new one', () => {
    const at = new Date('2026-11-30T12:30:00Z');
    const first = computeDesired(w, at, 'UTC', 'a');
    expect(computeDesired(w, at, 'UTC', 'a').specs).toEqual(first.specs);
    const edited = { ...w, windows: w.windows.filter((x) => x.policyId !== mine[0]) };
    expect(computeDesired(edited, at, 'UTC', 'a').specs.map((d) => d.spec.cameraId)).not.toContain(mine[0]);
  });

  it('goes through the whole camera list once per loaded world and live-node set, not on every tick', () => {
    const at = new Date('2026-11-30T12:30:00Z');
    let reads = 0;
    const base = world();
    // Counts every look at an element of the loaded camera list.
    const cameras = new Proxy(base.cameras, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    const loaded = { ...base, cameras };
    const first = computeDesired(loaded, at, 'UTC', 'a', at.getTime(), ['a', 'b']);
    expect(reads).toBeGreaterThanOrEqual(6);
    reads = 0;
    // The next tick: the same loaded world (unchanged planning tables), the same live nodes.
    const again = computeDesired(loaded, at, 'UTC', 'a', at.getTime(), ['a', 'b']);
    expect(reads).toBe(0);
    expect(again.specs).toEqual(first.specs);
    // Node b is gone: every camera is a's now, worked out again.
    const alone = computeDesired(loaded, at, 'UTC', 'a', at.getTime(), ['a']);
    expect(reads).toBeGreaterThanOrEqual(6);
    expect(alone.specs.map((d) => d.spec.cameraId).sort()).toEqual([1, 2, 3, 4, 5].filter((c) => 7 + c <= 12));
  });
});
