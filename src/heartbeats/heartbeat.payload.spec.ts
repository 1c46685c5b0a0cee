import { describe, expect, it } from 'vitest';
import { holdNonZero, parseHeartbeat, shouldStore } from './heartbeat.payload.js';

describe('parseHeartbeat', () => {
  it('reads the original runners’ payload', () => {
    const parsed = parseHeartbeat({
      camera_id: 3, profile_id: 1, pid: 4242, camera_fps: 25, processed_fps: 6.2, target_fps: 6, detected: 2, matched: 1,
      latency_ms: 41.5, last_error: '', snapshot_every: 3, min_face_px: 40, hb_key: 'k', extra_field: 'ignored',
    });
    expect(parsed).toEqual({
      ok: true,
      heartbeat: {
        cameraId: 3, profileId: 1, pid: 4242, cameraFps: 25, processedFps: 6.2, targetFps: 6, detected: 2, matched: 1,
        latencyMs: 41.5, lastError: '', snapshotEvery: 3, minFacePx: 40, key: 'k',
      },
    });
  });

  it.each([
    [{ camera: 3, profile: 1, fps: 12 }, { cameraId: 3, profileId: 1, cameraFps: 12 }],
    [{ camera_id: '3', profile_id: '1', processed_fps: '5.5' }, { cameraId: 3, profileId: 1, processedFps: 5.5 }],
    [{ camera_id: 3, profile_id: 1, camera_fps: null }, { cameraFps: null }],
  ])('accepts alternative names and numeric strings: %j', (body, expected) => {
    const parsed = parseHeartbeat(body);
    expect(parsed.ok && parsed.heartbeat).toMatchObject(expected);
  });

  it.each([
    [[], '(body)', 'Body must be a JSON object'],
    [{ profile_id: 1 }, 'camera_id', 'camera_id or camera is required'],
    [{ camera_id: 'front', profile_id: 1 }, 'camera_id', 'camera_id must be a whole number ≥ 1 (got "front")'],
    [{ camera_id: 1.5, profile_id: 1 }, 'camera_id', 'camera_id must be a whole number ≥ 1'],
    [{ camera_id: 1, profile_id: 1, camera_fps: 'fast' }, 'camera_fps', 'camera_fps must be a number ≥ 0 (got "fast")'],
    [{ camera_id: 1, profile_id: 1, detected: -1 }, 'detected', 'detected must be a whole number ≥ 0'],
    [{ camera_id: 1, profile_id: 1, last_error: 42 }, 'last_error', 'last_error must be a string'],
  ])('rejects %j', (body, field, message) => {
    const parsed = parseHeartbeat(body);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors).toContainEqual({ field, messages: [expect.stringContaining(message)] });
  });
});

describe('heartbeat rules', () => {
  it.each([[0, 7, 7], [null, 7, 7], [5, 7, 5], [5, null, 5], [0, null, null]])('holdNonZero(%s, %s) = %s', (incoming, previous, expected) => {
    expect(holdNonZero(incoming, previous)).toBe(expected);
  });

  it.each([
    [undefined, 0, false, true, 'the first for a pair'],
    [1000, 30_000, false, false, 'within the interval'],
    [1000, 61_000, false, true, 'after the interval'],
    [1000, 2000, true, true, 'an error, always'],
  ] as [number | undefined, number, boolean, boolean, string][])('shouldStore(%s, %s, error=%s) = %s (%s)', (last, now, hasError, expected) => {
    expect(shouldStore(last, now, 60, hasError)).toBe(expected);
  });
});
