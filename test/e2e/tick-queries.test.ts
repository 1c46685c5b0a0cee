import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnforcerRepository } from '../../src/enforcer/enforcer.repository.js';
import { type Harness, startApp } from '../support/app-harness.js';

/** A tick loads the world in a fixed number of queries, however many cameras there are (§5), and the planning tables only when they changed. */
describe('world loading', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startApp('sqlite');
  });
  afterAll(async () => {
    await h?.close();
  });

  async function countQueries(fn: () => Promise<unknown>): Promise<number> {
    const logger = h.dataSource.logger;
    let count = 0;
    const original = logger.logQuery.bind(logger);
    logger.logQuery = (...args: Parameters<typeof logger.logQuery>) => {
      count++;
      return original(...args);
    };
    try {
      await fn();
    } finally {
      logger.logQuery = original;
    }
    return count;
  }

  async function addCameras(n: number, profileId: number) {
    const ids: number[] = [];
    for (let i = 0; i < n; i++) ids.push((await h.request('POST', '/api/cameras', { name: `q-${Date.now()}-${Math.random()}`, rtspUrl: 'rtsp://h/s' })).body.id);
    await h.request('POST', '/api/policies', {
      name: `q-policy-${Math.random()}`,
      cameraIds: ids,
      windows: [0, 1, 2, 3, 4, 5, 6].map((d) => ({ dayOfWeek: d, startTime: '08:00', endTime: '16:00', profileId })),
      exceptions: [{ date: '2026-12-25', mode: 'off' }],
    });
  }

  it('takes the same number of queries for 3 and for 60 cameras', async () => {
    const profile = (await h.request('POST', '/api/profiles', { name: 'q-profile' })).body;
    const repo = h.app.get(EnforcerRepository);
    await addCameras(3, profile.id);
    const small = await countQueries(() => repo.loadWorld('n'));
    await addCameras(57, profile.id);
    const large = await countQueries(() => repo.loadWorld('n'));
    expect(small).toBe(10);
    expect(large).toBe(small);
    // Nothing changed since: the version, this node's runners and the leases only.
    expect(await countQueries(() => repo.loadWorld('n'))).toBe(3);
  });

  it('answers "enforce now" with 503 and how to start an enforcer when none is running', async () => {
    const res = await h.request('POST', '/api/enforcer/enforce');
    expect(res.status).toBe(503);
    expect(res.body.message).toMatch(/No enforcer is running .*systemctl start bisk-enforcer\.service.*bisk run-enforcer/);
  });
});
