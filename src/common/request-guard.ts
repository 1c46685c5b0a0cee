import { isLoopbackHost } from '../config/app-config.js';

/** Methods that change state: only JSON from this app's own origin may use them. */
export const STATE_CHANGING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface RequestRefusal {
  statusCode: 403 | 415 | 421;
  error: string;
  message: string;
}

export interface RequestFacts {
  method: string;
  host: string | undefined;
  origin: string | undefined;
  secFetchSite: string | undefined;
  contentType: string | undefined;
}

/** `Content-Type: application/json`, parameters (charset) allowed. */
export const isJsonContentType = (type: string | undefined) => /^application\/json\s*(;|$)/i.test(type ?? '');

/** The host name of a Host header (`127.0.0.1:8000`, `[::1]:8000`, `localhost`), lower case, without port or brackets. */
export function hostName(host: string): string {
  const value = host.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(1, value.indexOf(']') > 0 ? value.indexOf(']') : undefined);
  const colon = value.lastIndexOf(':');
  return colon >= 0 && value.indexOf(':') === colon ? value.slice(0, colon) : value;
}

/** `host[:port]` as a URL would normalise it (default port dropped), or null when it is not one. */
function normalisedAuthority(value: string): string | null {
  try {
    return new URL(`http://${value}`).host;
  } catch {
    return null;
  }
}

/**
 * The rules every request passes before authentication, routing and body parsing:
 *
 * - **Host** (no-token mode only): the API is then served on loopback alone, and a browser page
 *   whose name was re-bound to 127.0.0.1 (DNS rebinding) sends its own name as Host. Only
 *   `localhost`, loopback addresses and the bound HOST are answered; anything else is 421
 *   Misdirected Request — the request reached a server that does not serve that name, which
 *   is a statement about where it was sent, not about who sent it.
 * - **Same origin** (state-changing methods): a browser marks a request from another page with
 *   `Sec-Fetch-Site: cross-site`/`same-site` and an `Origin` that is not this app's; such a
 *   request is refused with 403. Clients that are not browsers (curl, runners) send neither.
 * - **JSON only** (state-changing methods): `Content-Type: application/json` even without a body.
 *   An HTML form can only send urlencoded, multipart or text/plain, and a page's fetch cannot
 *   send application/json to another origin without a CORS preflight this app never grants.
 */
export function refuseRequest(facts: RequestFacts, options: { tokenMode: boolean; boundHost: string }): RequestRefusal | null {
  if (!options.tokenMode) {
    const name = facts.host === undefined ? undefined : hostName(facts.host);
    const served = name !== undefined && (isLoopbackHost(name) || name === options.boundHost.toLowerCase());
    if (!served) {
      return {
        statusCode: 421,
        error: 'Misdirected Request',
        message: `Host "${(facts.host ?? '').slice(0, 80)}" is not served: without BISK_API_TOKEN this app answers only for localhost, 127.0.0.1 and [::1]`,
      };
    }
  }
  if (!STATE_CHANGING_METHODS.has(facts.method)) return null;
  const site = facts.secFetchSite?.toLowerCase();
  if (site === 'cross-site' || site === 'same-site') {
    return { statusCode: 403, error: 'Forbidden', message: `Cross-site request refused (Sec-Fetch-Site: ${site}): changes are accepted only from this app's own pages or from API clients` };
  }
  if (facts.origin !== undefined) {
    const own = facts.host === undefined ? null : normalisedAuthority(facts.host);
    let origin: string | null = null;
    try {
      origin = facts.origin === 'null' ? null : new URL(facts.origin).host;
    } catch {
      origin = null;
    }
    if (own === null || origin !== own) {
      return {
        statusCode: 403,
        error: 'Forbidden',
        message: `Cross-site request refused: Origin "${facts.origin.slice(0, 80)}" is not this app's own (${facts.host ?? 'no Host'})`,
      };
    }
  }
  if (!isJsonContentType(facts.contentType)) {
    return {
      statusCode: 415,
      error: 'Unsupported Media Type',
      message: `Send Content-Type: application/json with every ${[...STATE_CHANGING_METHODS].join(', ')}, even without a body (got "${(facts.contentType ?? '').slice(0, 60) || 'none'}")`,
    };
  }
  return null;
}
