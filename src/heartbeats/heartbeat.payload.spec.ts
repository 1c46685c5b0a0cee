import { describe, expect, it } from 'vitest';
import { admitHistoryRow, ERROR_ROWS_PER_MINUTE, type HistoryGate, holdNonZero, parseHeartbeat } from './heartbeat.payload.js';

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
    [{ camera_id: 'front', profile_id: 1 }, 'camera_id', 'camera_id must be a whole number from 1 to 2147483647 (got "front")'],
    [{ camera_id: 1.5, profile_id: 1 }, 'camera_id', 'camera_id must be a whole number from 1 to 2147483647'],
    [{ camera_id: 2147483648, profile_id: 1 }, 'camera_id', 'camera_id must be a whole number from 1 to 2147483647 (got 2147483648)'],
    [{ camera_id: 1e308, profile_id: 1 }, 'camera_id', 'camera_id must be a whole number from 1 to 2147483647'],
    [{ camera_id: 1, profile_id: 1, detected: 1e20 }, 'detected', 'detected must be a whole number from 0 to 2147483647 (got 100000000000000000000)'],
    [{ camera_id: 1, profile_id: 1, pid: 4294967296 }, 'pid', 'pid must be a whole number from 1 to 2147483647'],
    [{ camera_id: 1, profile_id: 1, snapshot_every: 2147483648 }, 'snapshot_every', 'snapshot_every must be a whole number from 0 to 2147483647'],
    [{ camera_id: 1, profile_id: 1, min_face_px: '99999999999' }, 'min_face_px', 'min_face_px must be a whole number from 0 to 2147483647'],
    [{ camera_id: 1, profile_id: 1, camera_fps: 'fast' }, 'camera_fps', 'camera_fps must be a number ≥ 0 (got "fast")'],
    [{ camera_id: 1, profile_id: 1, detected: -1 }, 'detected', 'detected must be a whole number from 0 to 2147483647'],
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

  // Replays heartbeats for one pair (time in seconds, error text) through the gate: which were kept.
  const replay = (beats: [number, string][], everySeconds = 60) => {
    let gate: HistoryGate | undefined;
    return beats.map(([at, error]) => {
      const result = admitHistoryRow(gate, at * 1000, everySeconds, error);
      gate = result.gate;
      return result.store;
    });
  };

  it.each([
    ['the first for a pair, then one per interval', [[0, ''], [30, ''], [61, ''], [90, '']], [true, false, true, false]],
    ['an error as soon as it appears, not again while it repeats', [[0, ''], [1, 'timeout'], [2, 'timeout'], [3, 'timeout'], [62, 'timeout']], [true, true, false, false, true]],
    ['a changed error text', [[0, 'auth failed'], [1, 'timeout'], [2, 'auth failed']], [true, true, true]],
    ['an error coming back after a recovery', [[0, 'timeout'], [1, ''], [2, 'timeout']], [true, false, true]],
  ] as [string, [number, string][], boolean[]][])('keeps %s', (_label, beats, expected) => {
    expect(replay(beats)).toEqual(expected);
  });

  it('keeps at most ERROR_ROWS_PER_MINUTE error rows per pair and minute, however often the text changes', () => {
    const flood = Array.from({ length: 1000 }, (_, i) => [i * 0.05, `error ${i}`] as [number, string]);
    expect(replay(flood).filter(Boolean)).toHaveLength(ERROR_ROWS_PER_MINUTE);
    const nextMinute = [...flood, [60, 'error a'], [60.1, 'error b']] as [number, string][];
    expect(replay(nextMinute).slice(-2)).toEqual([true, true]);
  });
});
