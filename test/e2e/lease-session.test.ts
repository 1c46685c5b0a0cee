import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../../src/common/clock.js';
import { loadConfig } from '../../src/config/app-config.js';
import type { Sql } from '../../src/database/sql.js';
import { LeaseRepository } from '../../src/enforcer/lease.repository.js';
import { EnforcerLock } from '../../src/enforcer/lock.adapter.js';
import { NodePresence } from '../../src/enforcer/presence.js';
import { createMigratedDatabase, type MigratedDatabase, POSTGRES_URL } from '../support/databases.js';

/**
 * A node's lease is written on its own database session (presence.ts), not through the pool the
 * tick uses: a tick keeping every pooled connection busy (a thousand runner rows, a world read
 * again after an edit) must not hold the renewal back until the lease runs out in the others' eyes.
 */
describe.runIf(POSTGRES_URL)('the lease on the node’s own session (PostgreSQL)', () => {
  let db: MigratedDatabase;
  let sql: Sql;

  beforeAll(async () => {
    db = await createMigratedDatabase('postgres');
    sql = db.sql;
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('renews the lease while every pooled connection is busy', async () => {
    const config = loadConfig({ DATABASE_URL: db.url, NODE_NAME: 'busy', TZ: 'UTC' });
    const presence = new NodePresence(config);
    const lock = new EnforcerLock(config, new LeaseRepository(sql), new Clock(), presence);
    try {
      expect(await lock.renewLease(true)).toBe(true);
      expect(presence.session).not.toBeNull();
      // The pool's four connections, each busy for 5 s.
      const busy = Array.from({ length: 4 }, () => sql.query('SELECT pg_sleep(5)'));
      await new Promise((r) => setTimeout(r, 300));
      const began = Date.now();
      expect(await lock.renewLease()).toBe(true);
      // Through the pool it would wait for a connection: more than 4.5 s.
      expect(Date.now() - began).toBeLessThan(3000);
      const [lease] = await Promise.all([
        presence.session!.query<{ holder: string; renewed_at: string }>(`SELECT holder, renewed_at FROM enforcer_leases WHERE node = 'busy'`),
        ...busy,
      ]);
      expect(lease[0].holder).toBe(lock.holder);
      expect(Number(lease[0].renewed_at)).toBe(lock.renewedAtMs);
    } finally {
      await lock.release();
    }
    expect(presence.session).toBeNull();
    expect(await sql.query(`SELECT node FROM enforcer_leases`)).toEqual([]);
  });
});

if (!POSTGRES_URL) it.skip('the lease on the node’s own session: set BISK_TEST_POSTGRES_URL to run', () => {});
