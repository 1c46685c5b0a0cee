import { describe, expect, it } from 'vitest';
import { hostName, refuseRequest, type RequestFacts } from './request-guard.js';

const facts = (over: Partial<RequestFacts>): RequestFacts => ({
  method: 'POST', host: '127.0.0.1:8000', origin: undefined, secFetchSite: undefined, contentType: 'application/json', ...over,
});
const local = { tokenMode: false, boundHost: '127.0.0.1' };
const networked = { tokenMode: true, boundHost: '0.0.0.0' };

describe('refuseRequest', () => {
  it.each([
    ['a JSON POST from curl', facts({}), local, null],
    ['a JSON POST with charset', facts({ contentType: 'application/json; charset=utf-8' }), local, null],
    ['a GET without content type', facts({ method: 'GET', contentType: undefined }), local, null],
    ['a cross-site GET (a link)', facts({ method: 'GET', secFetchSite: 'cross-site' }), local, null],
    ['the dashboard’s own POST', facts({ origin: 'http://127.0.0.1:8000', secFetchSite: 'same-origin' }), local, null],
    ['Origin with the default port left out', facts({ host: 'localhost:80', origin: 'http://localhost' }), local, null],
    ['[::1] as Host', facts({ method: 'GET', host: '[::1]:8000' }), local, null],
    ['any Host with a token', facts({ host: 'bisk.example' }), networked, null],
    ['a form POST', facts({ contentType: 'application/x-www-form-urlencoded' }), local, 415],
    ['a text/plain POST', facts({ contentType: 'text/plain' }), local, 415],
    ['a DELETE without content type', facts({ method: 'DELETE', contentType: undefined }), local, 415],
    ['application/jsonp', facts({ contentType: 'application/jsonp' }), local, 415],
    ['Sec-Fetch-Site: cross-site', facts({ secFetchSite: 'cross-site' }), local, 403],
    ['Sec-Fetch-Site: same-site', facts({ secFetchSite: 'same-site' }), networked, 403],
    ['a foreign Origin', facts({ origin: 'http://evil.example' }), local, 403],
    ['Origin: null', facts({ origin: 'null' }), local, 403],
    ['a malformed Origin', facts({ origin: '::' }), local, 403],
    ['a foreign Host without a token', facts({ method: 'GET', host: 'evil.example:8000' }), local, 421],
    ['no Host without a token', facts({ method: 'GET', host: undefined }), local, 421],
    ['a name ending in localhost', facts({ method: 'GET', host: 'localhost.evil.example' }), local, 421],
  ])('%s', (_label, given, options, status) => {
    expect(refuseRequest(given, options)?.statusCode ?? null).toBe(status);
  });

  it.each([
    ['127.0.0.1:8000', '127.0.0.1'],
    ['LOCALHOST', 'localhost'],
    ['[::1]:8000', '::1'],
    ['[::1]', '::1'],
    ['::1', '::1'],
    ['evil.example:80', 'evil.example'],
  ])('hostName(%s) = %s', (host, name) => {
    expect(hostName(host)).toBe(name);
  });
});
