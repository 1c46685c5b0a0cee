import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startApp } from '../support/app-harness.js';

const TOKEN = 'test-token-0123456789abcdef';

describe('API token (BISK_API_TOKEN set)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startApp('sqlite', { BISK_API_TOKEN: TOKEN, HOST: '0.0.0.0', RUNNER_HEARTBEAT_KEY: 'hb-key-0123456789' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each([
    ['GET', '/api/cameras'],
    ['POST', '/api/cameras'],
    ['GET', '/api/profiles'],
    ['GET', '/api/policies'],
    ['GET', '/api/resource-settings/global'],
    ['GET', '/docs'],
    ['GET', '/docs/openapi.json'],
  ])('%s %s without credentials → 401 with a hint', async (method, url) => {
    const res = await h.request(method, url, method === 'POST' ? { name: 'x', rtspUrl: 'y' } : undefined);
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/Authorization: Bearer/);
    // One challenge per header: Chromium offers its Basic login only for a Basic challenge of its own.
    expect(res.headers['www-authenticate']).toEqual(['Bearer realm="bisk"', 'Basic realm="bisk"']);
  });

  it('refuses a wrong token with 403 and writes nothing', async () => {
    const res = await h.request('POST', '/api/cameras', { name: 'intruder', rtspUrl: 'x' }, { authorization: 'Bearer wrong-token-0000000000' });
    expect(res.status).toBe(403);
    const [row] = await h.dataSource.query(`SELECT COUNT(*) AS n FROM cameras`);
    expect(Number(row.n)).toBe(0);
  });

  it('accepts the bearer token, and Basic auth with the token as password', async () => {
    const created = await h.request('POST', '/api/cameras', { name: 'Gate', rtspUrl: 'x' }, { authorization: `Bearer ${TOKEN}` });
    expect(created.status).toBe(201);
    const basic = `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`;
    const list = await h.request('GET', '/api/cameras', undefined, { authorization: basic });
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(1);
  });

  it('leaves health probes and the runner heartbeat path open', async () => {
    expect([200, 503]).toContain((await h.request('GET', '/health')).status);
    expect((await h.request('GET', '/health/live')).status).toBe(200);
    // No route yet, but the token check must not be what answers.
    expect((await h.request('POST', '/api/runner/heartbeat/', {})).status).not.toBe(401);
  });
});

/**
 * What a web page can make a browser send: forms (urlencoded, text/plain, empty), fetches with an
 * Origin, requests under a re-bound name (DNS rebinding). None may change anything.
 */
describe('requests from browsers and other sites', () => {
  let h: Harness;
  let cameraId: number;
  const JSON_TYPE = { 'content-type': 'application/json' };
  const paused = async () => (await h.request('GET', `/api/cameras/${cameraId}`)).body.paused;
  const resume = (headers: Record<string, string>, body?: string) =>
    h.app.inject({ method: 'POST', url: `/api/cameras/${cameraId}/resume`, headers, payload: body });

  beforeAll(async () => {
    h = await startApp('sqlite');
    cameraId = (await h.request('POST', '/api/cameras', { name: 'csrf-cam', rtspUrl: 'rtsp://h/s' })).body.id;
  });
  afterAll(async () => {
    await h?.close();
  });
  const pause = async () => {
    expect((await h.request('POST', `/api/cameras/${cameraId}/pause`, { minutes: 30 })).status).toBe(200);
    expect(await paused()).toBe(true);
  };

  it.each([
    ['an empty urlencoded form', { 'content-type': 'application/x-www-form-urlencoded' }, ''],
    ['an urlencoded form with a field', { 'content-type': 'application/x-www-form-urlencoded' }, 'a=1'],
    ['an empty text/plain form', { 'content-type': 'text/plain' }, ''],
    ['a text/plain body that is JSON', { 'content-type': 'text/plain' }, '{}'],
    ['a multipart form', { 'content-type': 'multipart/form-data; boundary=x' }, '--x--'],
    ['no content type and no body', {}, undefined],
  ])('refuses %s with 415 and changes nothing', async (_label, headers, body) => {
    await pause();
    const res = await resume(headers as Record<string, string>, body);
    expect(res.statusCode).toBe(415);
    expect(res.json().message).toMatch(/Send Content-Type: application\/json with every POST, PUT, PATCH, DELETE, even without a body/);
    expect(await paused()).toBe(true);
  });

  it('refuses DELETE without the JSON content type (nothing deleted), accepts it with', async () => {
    const id = (await h.request('POST', '/api/cameras', { name: 'csrf-delete', rtspUrl: 'rtsp://h/s' })).body.id;
    const bare = await h.app.inject({ method: 'DELETE', url: `/api/cameras/${id}` });
    expect(bare.statusCode).toBe(415);
    expect((await h.request('GET', `/api/cameras/${id}`)).status).toBe(200);
    expect((await h.app.inject({ method: 'DELETE', url: `/api/cameras/${id}`, headers: JSON_TYPE })).statusCode).toBe(204);
  });

  it.each([
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }, /Cross-site request refused \(Sec-Fetch-Site: cross-site\)/],
    ['Sec-Fetch-Site: same-site (another port of this host)', { 'sec-fetch-site': 'same-site' }, /Cross-site request refused \(Sec-Fetch-Site: same-site\)/],
    ['a foreign Origin', { origin: 'http://evil.example' }, /Origin "http:\/\/evil.example" is not this app's own/],
    ['an Origin on another port', { origin: 'http://localhost:9999' }, /Origin "http:\/\/localhost:9999" is not this app's own/],
    ['Origin: null (sandboxed frame, file://)', { origin: 'null' }, /Origin "null" is not this app's own/],
  ])('refuses a JSON change with %s (403) and changes nothing', async (_label, headers, message) => {
    await pause();
    const res = await resume({ ...JSON_TYPE, ...(headers as Record<string, string>) }, '{}');
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toMatch(message);
    expect(await paused()).toBe(true);
  });

  it('accepts a change from its own origin (the dashboard), with an empty body or {}', async () => {
    await pause();
    expect((await resume({ ...JSON_TYPE, origin: 'http://localhost', 'sec-fetch-site': 'same-origin' }, '{}')).statusCode).toBe(200);
    expect(await paused()).toBe(false);
    await pause();
    expect((await resume(JSON_TYPE)).statusCode).toBe(200);
    expect(await paused()).toBe(false);
  });

  it('lets a cross-site page link to a read (GET is not a change)', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/cameras', headers: { 'sec-fetch-site': 'cross-site' } });
    expect(res.statusCode).toBe(200);
  });

  it.each([
    ['localhost:8000', 200],
    ['127.0.0.1:8000', 200],
    ['127.0.0.1', 200],
    ['[::1]:8000', 200],
    ['evil.example:8000', 421],
    ['evil.example', 421],
    ['192.168.1.10:8000', 421],
    ['localhost.evil.example', 421],
  ])('without a token, Host %s → %i', async (host, status) => {
    for (const url of ['/api/cameras', '/health/live', '/dash/system/']) {
      const res = await h.app.inject({ method: 'GET', url, headers: { host } });
      expect(res.statusCode, url).toBe(status);
      if (status === 421) expect(res.json().message).toMatch(/is not served: without BISK_API_TOKEN this app answers only for localhost, 127.0.0.1 and \[::1\]/);
    }
  });

  it('refuses a change under a re-bound name (DNS rebinding) before it reaches the route', async () => {
    await pause();
    const res = await resume({ ...JSON_TYPE, host: 'rebind.evil.example:8000', origin: 'http://rebind.evil.example:8000' }, '{}');
    expect(res.statusCode).toBe(421);
    expect(await paused()).toBe(true);
  });
});

describe('requests from other sites with BISK_API_TOKEN set', () => {
  let h: Harness;
  const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  beforeAll(async () => {
    h = await startApp('sqlite', { BISK_API_TOKEN: TOKEN, HOST: '0.0.0.0', RUNNER_HEARTBEAT_KEY: 'hb-key-0123456789' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('serves any Host name (it listens on the network), but still refuses a cross-site change even with valid credentials', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/api/cameras', headers: { host: 'bisk.example:8000', authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(200);
    // A browser holding the Basic login sends it with any form a page posts: the Origin gives it away.
    const basic = `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`;
    const res = await h.app.inject({ method: 'POST', url: '/api/cameras', headers: { ...auth, authorization: basic, host: 'bisk.example:8000', origin: 'http://evil.example' }, payload: JSON.stringify({ name: 'x', rtspUrl: 'y' }) });
    expect(res.statusCode).toBe(403);
    expect(Number((await h.dataSource.query('SELECT COUNT(*) AS n FROM cameras'))[0].n)).toBe(0);
    const own = await h.app.inject({ method: 'POST', url: '/api/cameras', headers: { ...auth, host: 'bisk.example:8000', origin: 'https://bisk.example:8000' }, payload: JSON.stringify({ name: 'x', rtspUrl: 'y' }) });
    expect(own.statusCode).toBe(201);
  });
});
