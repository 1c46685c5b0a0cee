import { MAX_INT32 } from '../common/pagination.js';
import type { FieldError } from '../common/validation.js';

/** A runner heartbeat as the original runners send it (§4), normalised. */
export interface Heartbeat {
  cameraId: number;
  profileId: number;
  pid: number | null;
  cameraFps: number | null;
  processedFps: number | null;
  targetFps: number | null;
  detected: number | null;
  matched: number | null;
  latencyMs: number | null;
  lastError: string | null;
  snapshotEvery: number | null;
  minFacePx: number | null;
  key: string | null;
}

export type ParsedHeartbeat = { ok: true; heartbeat: Heartbeat } | { ok: false; errors: FieldError[] };

const MAX_ERROR_LENGTH = 2000;

/**
 * Reads the payload with its alternative names (camera_id or camera, profile_id or profile,
 * camera_fps or fps) and numbers given as numbers or numeric strings; unknown fields are
 * ignored so existing runners keep working. Hand-written rather than a class-validator DTO
 * because this is the hottest path in the product.
 */
export function parseHeartbeat(body: unknown): ParsedHeartbeat {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, errors: [{ field: '(body)', messages: ['Body must be a JSON object'] }] };
  }
  const b = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  const number = (names: string[], opts: { integer?: boolean; min?: number; required?: boolean }): number | null => {
    const name = names.find((n) => b[n] !== undefined && b[n] !== null && b[n] !== '');
    if (!name) {
      if (opts.required) errors.push({ field: names[0], messages: [`${names.join(' or ')} is required`] });
      return null;
    }
    const raw = b[name];
    const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : NaN;
    // Whole numbers are stored in 32-bit integer columns: a larger one is refused here, not by the database later.
    const max = opts.integer ? MAX_INT32 : undefined;
    if (!Number.isFinite(value) || (opts.integer && !Number.isInteger(value)) || (opts.min !== undefined && value < opts.min) || (max !== undefined && value > max)) {
      const kind = opts.integer ? 'a whole number' : 'a number';
      const range = max !== undefined ? ` from ${opts.min ?? 0} to ${max}` : opts.min !== undefined ? ` ≥ ${opts.min}` : '';
      errors.push({ field: name, messages: [`${name} must be ${kind}${range} (got ${String(JSON.stringify(raw) ?? raw).slice(0, 40)})`] });
      return null;
    }
    return value;
  };
  const text = (name: string): string | null => {
    const raw = b[name];
    if (raw === undefined || raw === null) return null;
    if (typeof raw !== 'string') {
      errors.push({ field: name, messages: [`${name} must be a string`] });
      return null;
    }
    return raw.slice(0, MAX_ERROR_LENGTH);
  };
  const heartbeat: Heartbeat = {
    cameraId: number(['camera_id', 'camera'], { integer: true, min: 1, required: true })!,
    profileId: number(['profile_id', 'profile'], { integer: true, min: 1, required: true })!,
    pid: number(['pid'], { integer: true, min: 1 }),
    cameraFps: number(['camera_fps', 'fps'], { min: 0 }),
    processedFps: number(['processed_fps'], { min: 0 }),
    targetFps: number(['target_fps'], { min: 0 }),
    detected: number(['detected'], { integer: true, min: 0 }),
    matched: number(['matched'], { integer: true, min: 0 }),
    latencyMs: number(['latency_ms'], { min: 0 }),
    lastError: text('last_error'),
    snapshotEvery: number(['snapshot_every'], { integer: true, min: 0 }),
    minFacePx: number(['min_face_px'], { integer: true, min: 0 }),
    key: text('hb_key'),
  };
  return errors.length > 0 ? { ok: false, errors } : { ok: true, heartbeat };
}

/** fps values hold their last non-zero reading through drop-outs (a 0 is a gap, not a measurement). */
export const holdNonZero = (incoming: number | null, previous: number | null) => (incoming !== null && incoming > 0 ? incoming : previous);

/** At most this many history rows carrying an error per pair and minute, however often the text changes. */
export const ERROR_ROWS_PER_MINUTE = 6;

/** What the history sampling remembers about a pair. */
export interface HistoryGate {
  /** When the last row for the pair was kept. */
  storedAt?: number;
  /** The error text of the last heartbeat seen ('' for none). */
  lastError: string;
  /** Start of the current minute-long window, and the error rows kept in it. */
  windowStartedAt: number;
  errorRows: number;
}

/**
 * Whether to keep a heartbeat row, and the pair's gate afterwards. A row is kept for the first
 * heartbeat of a pair and then at most once per `everySeconds`; an error is kept as soon as its
 * text differs from the previous heartbeat's, but never more than ERROR_ROWS_PER_MINUTE error
 * rows per pair and minute — a runner (or anyone) sending a new text with every heartbeat
 * cannot grow the table faster than that.
 */
export function admitHistoryRow(gate: HistoryGate | undefined, nowMs: number, everySeconds: number, error: string): { store: boolean; gate: HistoryGate } {
  let next: HistoryGate = gate ?? { lastError: '', windowStartedAt: nowMs, errorRows: 0 };
  if (nowMs - next.windowStartedAt >= 60_000) next = { ...next, windowStartedAt: nowMs, errorRows: 0 };
  const due = next.storedAt === undefined || nowMs - next.storedAt >= everySeconds * 1000;
  const changed = error !== '' && error !== next.lastError;
  const store = error === '' ? due : (due || changed) && next.errorRows < ERROR_ROWS_PER_MINUTE;
  next = { ...next, lastError: error };
  if (store) next = { ...next, storedAt: nowMs, errorRows: next.errorRows + (error === '' ? 0 : 1) };
  return { store, gate: next };
}
