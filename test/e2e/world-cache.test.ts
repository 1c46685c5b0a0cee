import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/config/app-config.js';
import { migrateDatabase } from '../../src/database/migrations.js';
import { openSql, type Sql } from '../../src/database/sql.js';
import { EnforcerRepository } from '../../src/enforcer/enforcer.repository.js';
import { createDatabase, POSTGRES_URL, type TestDatabase } from '../support/databases.js';

const engines = POSTGRES_URL ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

/** A Sql port that counts statements and remembers which tables they read. */
function counting(sql: Sql) {
  const seen: string[] = [];
  const note = (text: string) => seen.push(text);
  const wrapped: Sql = {
    ...sql,
    query: (text, params) => (note(text), sql.query(text, params)),
    execute: (text, params) => (note(text), sql.execute(text, params)),
    rows: (text, params) => (note(text), sql.rows(text, params)),
  };
  return { sql: wrapped, seen, reset: () => seen.splice(0) };
}

/**
 * Fleet scale (§9): a tick re-reads cameras and schedules only when a write changed them. Any
 * writer counts — the API, the enforcer, an operator's SQL — through the WorldVersion triggers.
 */
describe.each(engines)('the planning tables, read again only when changed (%s)', (engine) => {
  let db: TestDatabase;
  let sql: Sql;
  let counter: ReturnType<typeof counting>;
  let repo: EnforcerRepository;

  beforeAll(async () => {
    db = await createDatabase(engine);
    await migrateDatabase(parseDatabaseUrl(db.url));
    sql = await openSql(parseDatabaseUrl(db.url));
    await sql.execute(`INSERT INTO stream_profiles (name, extra_args) VALUES ('p', '{}')`);
    await sql.execute(`INSERT INTO schedule_policies (name) VALUES ('always')`);
    await sql.execute(`INSERT INTO cameras (name, rtsp_url) VALUES ('a', 'rtsp://h/a'), ('b', 'rtsp://h/b')`);
    await sql.execute(`INSERT INTO schedule_policy_cameras (policy_id, camera_id) VALUES (1, 1), (1, 2)`);
    await sql.execute(`INSERT INTO schedule_windows (policy_id, day_of_week, start_time, end_time, profile_id) VALUES (1, 1, '08:00:00', '16:00:00', 1)`);
    counter = counting(sql);
    repo = new EnforcerRepository(counter.sql);
  });
  afterAll(async () => {
    await sql?.close();
    await db?.drop();
  });

  const readsPlanning = () => counter.seen.some((text) => /FROM cameras\b/.test(text));

  async function load() {
    counter.reset();
    return repo.loadWorld('n1');
  }

  it('reads everything once, then three statements per tick while nothing changes', async () => {
    const first = await load();
    expect(first.cameras.map((c) => c.name)).toEqual(['a', 'b']);
    expect(counter.seen).toHaveLength(10);
    for (let i = 0; i < 3; i++) {
      const again = await load();
      expect(counter.seen).toHaveLength(3);
      expect(readsPlanning()).toBe(false);
      expect(again.cameras).toBe(first.cameras);
    }
    // Runner rows and leases are read every time: they are not planning tables.
    await sql.execute(`INSERT INTO enforcer_leases (node, holder, pid, version, acquired_at, renewed_at, expires_at) VALUES ('n2', 'h', 1, '', 0, 0, 99)`);
    await sql.execute(`INSERT INTO runners (camera_id, profile_id, node, status, spec_hash) VALUES (1, 1, 'n1', 'exited', '')`);
    const withRows = await load();
    expect(readsPlanning()).toBe(false);
    expect(withRows.leases.map((l) => l.node)).toEqual(['n2']);
    expect(withRows.runners.map((r) => r.cameraId)).toEqual([1]);
  });

  // Each planning table, changed by plain SQL (as an operator or another app would): the next load sees it.
  const changes: [string, string, (w: Awaited<ReturnType<EnforcerRepository['loadWorld']>>) => unknown, unknown][] = [
    ['a camera renamed', `UPDATE cameras SET name = 'renamed' WHERE id = 1`, (w) => w.cameras.find((c) => c.id === 1)?.name, 'renamed'],
    ['a profile edited', `UPDATE stream_profiles SET fps = 7 WHERE id = 1`, (w) => w.profiles[0].fps, 7],
    ['a policy disabled', `UPDATE schedule_policies SET is_enabled = false WHERE id = 1`, (w) => w.policies[0].isEnabled, false],
    ['a window added', `INSERT INTO schedule_windows (policy_id, day_of_week, start_time, end_time, profile_id) VALUES (1, 2, '09:00:00', '10:00:00', 1)`, (w) => w.windows.length, 2],
    ['an exception added', `INSERT INTO schedule_exceptions (policy_id, date, mode) VALUES (1, '2026-12-25', 'off')`, (w) => w.exceptions.length, 1],
    ['a camera unlinked', `DELETE FROM schedule_policy_cameras WHERE camera_id = 2`, (w) => w.links.map((l) => l.cameraId), [1]],
    ['a resource cap set', `UPDATE resource_settings SET max_fps = 3 WHERE camera_id IS NULL`, (w) => w.resources.find((r) => r.cameraId === null)?.maxFps, 3],
    ['a camera deleted (its links go with it)', `DELETE FROM cameras WHERE id = 1`, (w) => [w.cameras.length, w.links.length], [1, 0]],
  ];
  it.each(changes)('%s: the next load reads the tables again and sees it', async (_what, statement, pick, expected) => {
    await load();
    await load();
    expect(readsPlanning()).toBe(false);
    await sql.execute(statement);
    const world = await load();
    expect(readsPlanning()).toBe(true);
    expect(pick(world)).toEqual(expected);
  });

  // PostgreSQL only (SQLite has one writer at a time and no TRUNCATE): registered for it alone.
  if (engine !== 'postgres') return;

  it('sees a change only once it is committed, and keeps nothing older than the version it read', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await sql.execute(`INSERT INTO cameras (name, rtsp_url) VALUES ('c', 'rtsp://h/c')`);
      await load();
      await client.query('BEGIN');
      await client.query(`UPDATE cameras SET name = 'pending' WHERE name = 'c'`);
      const during = await load();
      expect(readsPlanning()).toBe(false);
      expect(during.cameras.some((c) => c.name === 'pending')).toBe(false);
      await client.query('COMMIT');
      const after = await load();
      expect(readsPlanning()).toBe(true);
      expect(after.cameras.some((c) => c.name === 'pending')).toBe(true);
      await client.query(`TRUNCATE schedule_exceptions`);
      const truncated = await load();
      expect(readsPlanning()).toBe(true);
      expect(truncated.exceptions).toEqual([]);
    } finally {
      await client.end();
    }
  });

  it('reads this node’s runner rows and other nodes’ rows for given cameras through indexes, never the fleet’s whole runners table', async () => {
    // 60 nodes × 100 cameras' rows, statistics fresh: the planner's choice is what a fleet gets.
    await sql.execute(`INSERT INTO cameras (name, rtsp_url) SELECT 'fleet-' || g, 'rtsp://h/s' FROM generate_series(1, 6000) g`);
    await sql.execute(`INSERT INTO runners (camera_id, profile_id, node, status, spec_hash, pid) SELECT id, 1, 'node-' || (id % 60), 'running', '', id FROM cameras WHERE name LIKE 'fleet-%'`);
    await sql.execute('ANALYZE runners');
    const captured = counting(sql);
    const watched = new EnforcerRepository(captured.sql);
    await watched.loadWorld('node-7');
    await watched.foreignRunners('node-7', [1, 2, 3, 4, 5]);
    const runnerStatements = captured.seen.filter((text) => /FROM runners\b/.test(text));
    expect(runnerStatements).toHaveLength(2);
    for (const text of runnerStatements) {
      const params = text.includes('camera_id IN') ? ['node-7', 1, 2, 3, 4, 5] : ['node-7'];
      const plan = (await sql.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, params)).map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).not.toMatch(/Seq Scan on runners/);
      expect(plan).toMatch(/Index/);
    }
  });

  it('lets writers of different planning tables cross without a deadlock (the counter is their last lock)', async () => {
    const [a, b] = [new pg.Client({ connectionString: db.url }), new pg.Client({ connectionString: db.url })];
    await Promise.all([a.connect(), b.connect()]);
    try {
      const [camera] = (await a.query(`SELECT id FROM cameras ORDER BY id LIMIT 1`)).rows;
      await a.query('BEGIN');
      await b.query('BEGIN');
      await a.query(`UPDATE schedule_windows SET start_time = '07:00:00'`);
      await b.query(`UPDATE cameras SET name = 'by-b' WHERE id = $1`, [camera.id]);
      // a now waits for b's camera row; b's commit must not wait for anything a holds.
      const aDone = a.query(`UPDATE cameras SET name = 'by-a' WHERE id = $1`, [camera.id]);
      await b.query('COMMIT');
      await aDone;
      await a.query('COMMIT');
      const world = await load();
      expect(world.cameras.find((c) => c.id === camera.id)?.name).toBe('by-a');
      expect(world.windows.every((w) => w.startTime === '07:00:00')).toBe(true);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });
});
