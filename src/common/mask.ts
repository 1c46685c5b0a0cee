/**
 * Credential masking (§5), one function for every place a secret could be shown: API
 * responses, events, log lines, a runner's last words. `rtsp://user:secret@host/x` →
 * `rtsp://user:***@host/x`, secret parameters (`?password=…`, `;token=…`) → `***`, the
 * heartbeat key and API token wherever their values appear, `--hb_key VALUE` → `--hb_key ***`.
 */

/**
 * scheme://userinfo@ — the user info runs to the LAST `@` before the host (ffmpeg and URL
 * parsers split there), so a password with a literal `@` is masked whole, not up to its `@`.
 * Three forms, tried in this order:
 * - `user:` then anything but whitespace up to the last `@` before the first whitespace: a
 *   password typed with a raw `/`, `?` or `#` (which ffmpeg cannot use, but which error lines
 *   and old rows may hold) is still hidden. The price: a URL with a `:` and, later in the same
 *   word, an `@` in its path or query (`http://cam:80/x?by=a@b`) is masked up to that `@`.
 * - `user:` then a password with spaces (ffmpeg sends them as typed): anything but a line
 *   break, `/`, `?` or `#` up to the last `@`.
 * - user info without `:`: a token or percent-encoded `user:password`, masked whole.
 */
const USERINFO_SOURCE = String.raw`([a-z][a-z0-9+.-]*:\/\/)([^\s:@]{0,256}:\S{0,256}|[^\s:/?#@]*:[^\r\n/?#]{0,256}|[^\s/?#]*)@`;
const USERINFO = new RegExp(String.raw`\b${USERINFO_SOURCE}`, 'gi');
/** The same rule at the start of a stored stream URL: groups scheme and user info. */
const USERINFO_AT_START = new RegExp(`^${USERINFO_SOURCE}`, 'i');
const SECRET_NAMES = 'password|passwd|pwd|pw|pass|api[_-]?key|access[_-]?token|auth[_-]?token|token|key|auth|secret|hb_key|signature|sig';
/** `?name=value`, `&name=value` and the RTSP `;name=value` form; the value runs to the next separator. */
const SECRET_PARAMS = new RegExp(`([?&;](?:${SECRET_NAMES})=)[^&;#\\s]*`, 'gi');
/** The same with the separator, the name and the value apart. */
const SECRET_PARAM_VALUES = new RegExp(`([?&;])(${SECRET_NAMES})=([^&;#\\s]*)`, 'gi');
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

/** What a stream URL becomes when it is stored: the URL to write, or why it is refused. */
export type StoredUrl = { url: string } | { refused: string };

/** User info as masking splits it: `user:password` → both; without `:` the whole is secret. */
function splitUserInfo(userInfo: string): { user: string | null; secret: string } {
  const colon = userInfo.indexOf(':');
  return colon < 0 ? { user: null, secret: userInfo } : { user: userInfo.slice(0, colon), secret: userInfo.slice(colon + 1) };
}

/** Each secret parameter's values in order of appearance, by name as written. */
function secretParams(url: string): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const [, , name, value] of url.matchAll(SECRET_PARAM_VALUES)) values.set(name, [...(values.get(name) ?? []), value]);
  return values;
}

/**
 * A client that read a camera gets its URL masked (`rtsp://user:***@host/x`, `?password=***`)
 * and may send it back edited. Every secret sent as exactly `***` is put back from the stored
 * URL (`stored`; null on create), so host, port, path and other parameters can change while the
 * password stays: the password when the user name is the same, a secret parameter by its name
 * and position. A `***` that cannot stand for a stored secret (new camera, another user name, no
 * password stored) is refused rather than stored as the password.
 */
export function restoreMaskedSecrets(incoming: string, stored: string | null): StoredUrl {
  if (!incoming.includes(MASK)) return { url: incoming };
  if (stored !== null && maskCredentials(stored) === incoming) return { url: stored };

  const storedParams = secretParams(stored ?? '');
  const seen = new Map<string, number>();
  let unresolvedParam: string | null = null;
  let url = incoming.replace(SECRET_PARAM_VALUES, (whole, separator: string, name: string, value: string) => {
    const index = seen.get(name) ?? 0;
    seen.set(name, index + 1);
    if (value !== MASK) return whole;
    const kept = storedParams.get(name)?.[index];
    if (kept === undefined || kept === MASK) {
      unresolvedParam ??= name;
      return whole;
    }
    return `${separator}${name}=${kept}`;
  });
  if (unresolvedParam !== null) {
    return {
      refused: stored === null
        ? `has the masked value ${unresolvedParam}=${MASK}: type the real value, not ${MASK}`
        : `keeps the masked value ${unresolvedParam}=${MASK} but the stored URL has no ${unresolvedParam} to keep: type the value`,
    };
  }

  const maskedPassword: StoredUrl = stored === null
    ? { refused: `has the masked password ${MASK}: type the real password, not ${MASK}` }
    : { refused: `keeps the masked password ${MASK} but the user name changed (or no password is stored): type the password` };
  const sent = USERINFO_AT_START.exec(url);
  if (sent && splitUserInfo(sent[2]).secret === MASK) {
    const { user } = splitUserInfo(sent[2]);
    const before = stored === null ? null : USERINFO_AT_START.exec(stored);
    const kept = before ? splitUserInfo(before[2]) : null;
    if (!kept || kept.user !== user || kept.secret === MASK) return maskedPassword;
    url = `${sent[1]}${user === null ? '' : `${user}:`}${kept.secret}${url.slice(sent[0].length - 1)}`;
  }
  // `rtsp://admin:***@cam/a@b` is split by masking at the last `@`, by ffmpeg before the first `/`.
  if (ffmpegPassword(url) === MASK) return maskedPassword;
  return { url };
}

/** The password as ffmpeg reads it: the host ends at the first `/`, `?` or `#`, the user info at the last `@` before that. */
function ffmpegPassword(url: string): string | null {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  if (!scheme) return null;
  const authority = url.slice(scheme[0].length).split(/[/?#]/, 1)[0];
  const at = authority.lastIndexOf('@');
  return at < 0 ? null : splitUserInfo(authority.slice(0, at)).secret;
}

/**
 * ffmpeg ends a URL's host at the first `/`, `?` or `#`, so a password holding one raw
 * (`rtsp://admin:pa/ss@cam/x`) is read as host `admin`, port `pa`: the camera never answers,
 * and the error line carries the password. Returns that character, or null. `host:port/…@…`
 * (digits after the `:`) and `user:pw@host/…@…` are a path with an `@`, not a password.
 */
export function rawCharacterInPassword(url: string): string | null {
  const found = USERINFO_AT_START.exec(url);
  if (!found) return null;
  const userInfo = found[2];
  const hostEnds = userInfo.search(/[/?#]/);
  const colon = userInfo.indexOf(':');
  if (hostEnds < 0 || colon < 0 || hostEnds < colon || userInfo.startsWith('[')) return null;
  if (userInfo.slice(0, hostEnds).includes('@') || /^\d+$/.test(userInfo.slice(colon + 1, hostEnds))) return null;
  return userInfo[hostEnds];
}
