import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startApp } from '../support/app-harness.js';

const TOKEN = 'test-token-0123456789abcdef';

describe('API token (BISK_API_TOKEN set)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startApp('sqlite', { BISK_API_TOKEN: TOKEN, HOST: '0.0.0.0' });
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
