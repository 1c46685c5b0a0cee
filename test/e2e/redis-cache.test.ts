import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Breadcrumbs } from '../../src/enforcer/breadcrumbs.js';
import { type Harness, startApp } from '../support/app-harness.js';

const REDIS_URL = process.env.BISK_TEST_REDIS_URL?.trim() || undefined;
const withRedis = REDIS_URL ? describe : describe.skip;

// With REDIS_URL the breadcrumbs go through Redis, so an HTTP app on another host (here: another
// app with its own database file) sees the enforcer. Runs when BISK_TEST_REDIS_URL is set (CI sets it).
withRedis('breadcrumbs through Redis', () => {
  let a: Harness;
  let b: Harness;
  beforeAll(async () => {
    a = await startApp('sqlite', { REDIS_URL: REDIS_URL! });
    b = await startApp('sqlite', { REDIS_URL: REDIS_URL! });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('are written by one process and read by another', async () => {
    const stamp = new Date().toISOString();
    await a.app.get(Breadcrumbs).write({ lastRun: stamp, lastOk: stamp, runningPid: 4242, intervalSeconds: 15, node: 'redis-test' });
    const seen = await b.app.get(Breadcrumbs).read();
    expect(seen).toMatchObject({ lastRun: stamp, lastOk: stamp, runningPid: 4242, intervalSeconds: 15, node: 'redis-test' });
    const status = (await b.request('GET', '/api/enforcer/status')).body.enforcer;
    expect(status).toMatchObject({ runningPid: 4242, alive: true });
    await a.app.get(Breadcrumbs).clearRunning();
    expect((await b.app.get(Breadcrumbs).read()).runningPid).toBeNull();
  });
});
