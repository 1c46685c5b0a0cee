/**
 * Credential masking for stream URLs (§5): `rtsp://user:secret@host/x` → `rtsp://user:***@host/x`.
 * Applied to every response and every log line, so a password typed into a camera's URL
 * never reaches a browser, a journal or a bug report.
 */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:@/]*):([^\s@/]*)@/gi;
const SECRET_PARAMS = /([?&](?:password|passwd|pwd|pass|token|key|auth|secret)=)[^&\s#]*/gi;

export const MASK = '***';

export function maskCredentials(text: string): string {
  return text
    .replace(USERINFO, (_m, scheme: string, user: string) => `${scheme}${user}:${MASK}@`)
    .replace(SECRET_PARAMS, `$1${MASK}`);
}

/** True when the URL carries any secret that masking would hide. */
export function hasCredentials(text: string): boolean {
  USERINFO.lastIndex = 0;
  SECRET_PARAMS.lastIndex = 0;
  const found = USERINFO.test(text) || SECRET_PARAMS.test(text);
  USERINFO.lastIndex = 0;
  SECRET_PARAMS.lastIndex = 0;
  return found;
}

/**
 * A client that read a camera (masked) and sends the URL back unchanged must not
 * overwrite the stored password with "***": when the incoming URL is exactly the masked
 * form of the stored one, keep the stored one.
 */
export function keepStoredSecret(incoming: string, stored: string): string {
  return incoming.includes(MASK) && maskCredentials(stored) === incoming ? stored : incoming;
}

