/**
 * Credential masking (§5), one function for every place a secret could be shown: API
 * responses, events, log lines, a runner's last words. `rtsp://user:secret@host/x` →
 * `rtsp://user:***@host/x`, secret parameters (`?password=…`, `;token=…`) → `***`, the
 * heartbeat key and API token wherever their values appear, `--hb_key VALUE` → `--hb_key ***`.
 */

/**
 * scheme://userinfo@ — the user info runs to the LAST `@` before the host (ffmpeg and URL
 * parsers split there), so a password with a literal `@` is masked whole, not up to its `@`.
 * A password may hold spaces (ffmpeg sends them as typed): after `user:` anything but a line
 * break, `/`, `?` or `#` up to that `@` counts as password; a user name without `:` has none.
 */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/?#@]*:[^\r\n/?#]{0,256}|[^\s/?#]*)@/gi;
const SECRET_NAMES = 'password|passwd|pwd|pw|pass|api[_-]?key|access[_-]?token|auth[_-]?token|token|key|auth|secret|hb_key|signature|sig';
/** `?name=value`, `&name=value` and the RTSP `;name=value` form; the value runs to the next separator. */
const SECRET_PARAMS = new RegExp(`([?&;](?:${SECRET_NAMES})=)[^&;#\\s]*`, 'gi');
/** Secret options on a command line or in a header as a runner might print them. */
const SECRET_OPTIONS = /((?:--hb[_-]key|--password|--token|x-bisk-key:|authorization:)[ =]\s*(?:(?:bearer|basic)\s+)?)(?!\*\*\*|(?:bearer|basic)\b)\S+/gi;

export const MASK = '***';

/** Secret values known to this process (heartbeat key, API token): masked wherever they appear. */
const knownSecrets = new Set<string>();

/** Remembers a secret value so that every masked text hides it; values under 6 characters are too common to replace. */
export function rememberSecret(value: string | undefined): void {
  if (value && value.length >= 6) knownSecrets.add(value);
}

function maskUserInfo(scheme: string, userInfo: string): string {
  const colon = userInfo.indexOf(':');
  // No literal colon: the whole user info may be a token or percent-encoded "user:password".
  if (colon < 0) return userInfo === '' ? `${scheme}@` : `${scheme}${MASK}@`;
  return `${scheme}${userInfo.slice(0, colon)}:${MASK}@`;
}

export function maskCredentials(text: string): string {
  let masked = text
    .replace(USERINFO, (_m, scheme: string, userInfo: string) => maskUserInfo(scheme, userInfo))
    .replace(SECRET_PARAMS, `$1${MASK}`)
    .replace(SECRET_OPTIONS, `$1${MASK}`);
  for (const secret of knownSecrets) if (masked.includes(secret)) masked = masked.split(secret).join(MASK);
  return masked;
}

/** True when the URL carries any secret that masking would hide. */
export function hasCredentials(text: string): boolean {
  return maskCredentials(text) !== text;
}

/**
 * The URL without its secrets, for places other users can read (a process's argv): user info
 * dropped, secret parameters shown as `***`. The runner gets the real URL through its environment.
 */
export function withoutCredentials(url: string): string {
  return url.replace(USERINFO, (_m, scheme: string) => scheme).replace(SECRET_PARAMS, `$1${MASK}`);
}

/**
 * A client that read a camera (masked) and sends the URL back unchanged must not
 * overwrite the stored password with "***": when the incoming URL is exactly the masked
 * form of the stored one, keep the stored one.
 */
export function keepStoredSecret(incoming: string, stored: string): string {
  return incoming.includes(MASK) && maskCredentials(stored) === incoming ? stored : incoming;
}
