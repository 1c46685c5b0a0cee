import { createHash, timingSafeEqual } from 'node:crypto';

/** Paths that never need the API token: liveness/readiness probes and runner heartbeats (own key). */
export function isPublicPath(path: string): boolean {
  return path === '/health' || path.startsWith('/health/') || /^\/api\/runner\/heartbeat\/?$/.test(path);
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time comparison (hashing first makes the lengths equal, so length leaks nothing). */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

export type AuthResult = { ok: true } | { ok: false; status: 401 | 403; message: string };

/**
 * `Authorization: Bearer <token>`, or HTTP Basic with the token as password (for the
 * dashboard in a browser). Missing credentials → 401; wrong ones → 403.
 */
export function checkAuthorization(header: string | undefined, token: string): AuthResult {
  if (!header) return { ok: false, status: 401, message: 'Authorization required: send "Authorization: Bearer <BISK_API_TOKEN>"' };
  const [scheme, value = ''] = header.trim().split(/\s+/, 2);
  let given: string | undefined;
  if (/^bearer$/i.test(scheme)) given = value;
  else if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    given = decoded.includes(':') ? decoded.slice(decoded.indexOf(':') + 1) : undefined;
  }
  if (given === undefined || given === '') {
    return { ok: false, status: 401, message: 'Unsupported Authorization header: use "Bearer <token>"' };
  }
  return sameSecret(given, token) ? { ok: true } : { ok: false, status: 403, message: 'Invalid API token' };
}
