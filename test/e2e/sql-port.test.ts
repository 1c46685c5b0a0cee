import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/app-config.js';
import { classifyDbError } from '../../src/database/db-errors.js';
import { migrateDatabase } from '../../src/database/migrations.js';
import { openSql, type Sql } from '../../src/database/sql.js';
import { EnforcerReadModel } from '../../src/enforcer/enforcer.read-model.js';
import { EnforcerRepository } from '../../src/enforcer/enforcer.repository.js';
import { LeaseRepository } from '../../src/enforcer/lease.repository.js';
import { createDatabase, POSTGRES_URL, type TestDatabase } from '../support/databases.js';

/**
 * The enforcer's own SQL (what `bisk run-enforcer` runs without TypeORM) against real
 * databases: values written by it read back the same on both engines, and the lease is exclusive.
 */
const engines = ['sqlite', ...(POSTGRES_URL ? ['postgres' as const] : [])] as const;

describe.each(engines)('enforcer SQL port on %s', (engine) => {
  let db: TestDatabase;
  let sql: Sql;
  beforeAll(async () => {
    db = await createDatabase(engine);
    await migrateDatabase(loadConfig({ DATABASE_URL: db.url }).database);
    sql = await openSql(loadConfig({ DATABASE_URL: db.url }).database);
    await sql.query(`INSERT INTO cameras (name, rtsp_url) VALUES ('c1', 'rtsp://h/s')`);
    await sql.query(`INSERT INTO stream_profiles (name, extra_args) VALUES ('p1', '{"-vf": "scale=640:-1"}')`);
  });
  afterAll(async () => {
    await sql?.close();
    await db?.drop();
  });

  it('round-trips runner rows: instants, JSON, nulls and numbers', async () => {
    const repo = new EnforcerRepository(sql);
    const created = await repo.createRunner({ cameraId: 1, profileId: 1, node: 'n1', status: 'starting', specHash: 'h1' });
    expect(created).toMatchObject({ cameraId: 1, profileId: 1, node: 'n1', status: 'starting', pid: null, crashCount: 0, effectiveArgs: null });
    const startedAt = new Date('2026-11-29T10:15:30.123Z');
    await repo.updateRunner(created.id, { pid: 4242, processStartTime: '777', status: 'running', startedAt, effectiveArgs: ['ffmpeg', '-i', 'rtsp://***@h/s'], targetFps: 2.5, lastError: '' });
    const row = (await repo.findRunner(created.id))!;
    expect(row.startedAt?.toISOString()).toBe(startedAt.toISOString());
    expect(row).toMatchObject({ pid: 4242, processStartTime: '777', status: 'running', effectiveArgs: ['ffmpeg', '-i', 'rtsp://***@h/s'], targetFps: 2.5 });
    expect((await repo.findLiveRunners('n1')).map((r) => r.id)).toEqual([created.id]);
    expect(await repo.findLiveRunners('other')).toEqual([]);
    await expect(repo.updateRunner(created.id, { camera: undefined } as never)).rejects.toThrow(/no writable column for camera/);
    const world = await repo.loadWorld('n1');
    expect(world.profiles[0].extraArgs).toEqual({ '-vf': 'scale=640:-1' });
    expect(world.runners).toHaveLength(1);
  });

  it('lets only one row per pair be starting, running or stopping, across nodes', async () => {
    const repo = new EnforcerRepository(sql);
    const unique = (error: unknown) => classifyDbError(error) === 'unique';
    const [mine] = await repo.findLiveRunners('n1');
    await expect(repo.createRunner({ cameraId: 1, profileId: 1, node: 'n2', status: 'starting', specHash: 'h' })).rejects.toSatisfy(unique);
    const other = await repo.createRunner({ cameraId: 1, profileId: 1, node: 'n2', status: 'exited', specHash: 'h' });
    await expect(repo.updateRunner(other.id, { status: 'starting' })).rejects.toSatisfy(unique);
    await repo.updateRunner(mine.id, { status: 'exited', pid: null });
    await repo.updateRunner(other.id, { status: 'starting' });
    expect((await repo.findRunner(other.id))?.status).toBe('starting');
    await repo.updateRunner(other.id, { status: 'exited' });
    await repo.updateRunner(mine.id, { status: 'running', pid: 4242 });
  });

  it('writes events in chunks and pages them with a total', async () => {
    const repo = new EnforcerRepository(sql);
    const at = new Date('2026-11-29T11:00:00.000Z');
    await repo.addEvents('n1', Array.from({ length: 1201 }, (_, i) => ({ kind: 'crash' as const, cameraId: 1, profileId: 1, message: `e${i} «ünïcode» '"` })), at);
    const readModel = new EnforcerReadModel(sql);
    const [page, total] = await readModel.findEvents(5, 0, { kind: 'crash' });
    expect(total).toBe(1201);
    expect(page[0]).toMatchObject({ message: `e1200 «ünïcode» '"`, node: 'n1' });
    expect(page[0].ts.toISOString()).toBe(at.toISOString());
    expect((await readModel.restartsSince(new Date(at.getTime() - 1000))).get('1:1')).toBe(1201);
    expect((await readModel.restartsSince(new Date(at.getTime() + 1000))).size).toBe(0);
  });

  it('gives the lease to one holder until it expires or is released', async () => {
    const leases = new LeaseRepository(sql);
    const now = Date.now();
    expect((await leases.acquire('n1', 'a', 1, 'v', now, 30_000)).ok).toBe(true);
    const refused = await leases.acquire('n1', 'b', 2, 'v', now + 1000, 30_000);
    expect(refused).toMatchObject({ ok: false, current: { holder: 'a', pid: 1, expiresAt: now + 30_000 } });
    expect((await leases.acquire('n1', 'a', 1, 'v', now + 2000, 30_000)).ok).toBe(true);
    expect((await leases.acquire('n1', 'b', 2, 'v', now + 40_000, 30_000)).ok).toBe(true);
    await leases.release('n1', 'b');
    expect(await leases.list()).toEqual([]);
  });

  it('counts, with each lease write, the other nodes whose lease is unexpired', async () => {
    const leases = new LeaseRepository(sql);
    const now = Date.now();
    expect(await leases.acquire('p1', 'a', 1, 'v', now, 30_000)).toMatchObject({ ok: true, peers: 0 }); // taken (insert)
    expect(await leases.acquire('p2', 'b', 2, 'v', now, 10_000)).toMatchObject({ ok: true, peers: 1 });
    expect(await leases.acquire('p1', 'a', 1, 'v', now + 1000, 30_000)).toMatchObject({ ok: true, peers: 1 }); // renewed (update)
    // p2's lease has run out by then: alone again.
    expect(await leases.acquire('p1', 'a', 1, 'v', now + 20_000, 30_000)).toMatchObject({ ok: true, peers: 0 });
    await leases.release('p1', 'a');
    await leases.release('p2', 'b');
  });
});

if (!POSTGRES_URL) it.skip('enforcer SQL port on postgres: set BISK_TEST_POSTGRES_URL to run', () => {});
