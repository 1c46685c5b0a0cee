import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQL_PORT, type Sql } from '../../src/database/sql.js';
import { type Harness, startApp } from '../support/app-harness.js';
import { POSTGRES_URL } from '../support/databases.js';

const engines = POSTGRES_URL ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

/**
 * Console pages over more rows than a page shows. A runner's heartbeat chart over a dense
 * history: 1-s heartbeats for almost 6 hours (21,300 rows, more than any fixed row cap a page
 * could fetch), the newest 10 minutes at another fps; it must reach the newest heartbeat and
 * show each point as the mean of its span. And 20,000 events: the pages that filter them by kind
 * (the events page, the system page's restart tally) must find them through an index, never by
 * reading the whole log (bench/console.bench.ts measures the same at 100,000).
 */
describe.each(engines)('console at scale on %s', (engine) => {
  let h: Harness;
  let runner = 0;
  const SECONDS = 21_300;

  beforeAll(async () => {
    h = await startApp(engine, { NODE_NAME: `console-chart-${engine}-${process.pid}` });
    const sql = h.app.get<Sql>(SQL_PORT);
    const profile = (await h.request('POST', '/api/profiles', { name: 'dense', extraArgs: {} })).body.id;
    const camera = (await h.request('POST', '/api/cameras', { name: 'Dense', rtspUrl: 'rtsp://10.0.0.9/s' })).body.id;
    const [row] = await sql.query<{ id: number }>(
      'INSERT INTO runners (camera_id, profile_id, node, status, pid, last_heartbeat_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
      [camera, profile, 'elsewhere', 'running', 999999, sql.instant(new Date())],
    );
    runner = Number(row.id);
    // One a second from 1 min ago back; processed fps 5, the newest 10 minutes 9.
    const newest = Date.now() - 60_000;
    for (let first = 0; first < SECONDS; first += 500) {
      const ages = Array.from({ length: Math.min(500, SECONDS - first) }, (_, i) => first + i);
      await sql.execute(
        `INSERT INTO runner_heartbeats (camera_id, profile_id, pid, ts, camera_fps, processed_fps, target_fps) VALUES ${ages.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        ages.flatMap((age) => [camera, profile, 999999, sql.instant(new Date(newest - age * 1000)), 25, age < 600 ? 9 : 5, 6]),
      );
    }
  });
  beforeAll(async () => {
    const sql = h.app.get<Sql>(SQL_PORT);
    const numbers = engine === 'postgres' ? 'generate_series(1, 20000) AS s(i)' : '(WITH RECURSIVE q(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM q WHERE i < 20000) SELECT i FROM q) AS s';
    await sql.execute(
      `INSERT INTO enforcer_events (ts, node, kind, camera_id, profile_id, pid, message)
       SELECT ?, 'elsewhere', CASE WHEN i % 20 = 3 THEN 'crash' WHEN i % 500 = 0 THEN 'handover' WHEN i % 2 = 0 THEN 'start' ELSE 'stop' END, 1 + i % 200, 1, i, 'm' FROM ${numbers}`,
      [sql.instant(new Date(Date.now() - 7_200_000))],
    );
    if (engine === 'postgres') await sql.execute('ANALYZE enforcer_events');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('counts every heartbeat of the window and reaches the newest, one mean per point', async () => {
    const res = await h.request('GET', `/dash/runners/${runner}?hours=6`);
    expect(res.status, res.raw.slice(0, 300)).toBe(200);
    expect(res.raw).toContain(`${SECONDS} heartbeat(s)`);
    const titles = [...res.raw.matchAll(/<circle class="pt-b"[^>]*><title>([^<]*)<\/title>/g)].map((m) => m[1]);
    // 6 h in 240 spans of 90 s: every span holds heartbeats, each drawn as one point.
    expect(titles.length).toBeGreaterThanOrEqual(230);
    expect(titles.length).toBeLessThanOrEqual(240);
    expect(titles[0]).toMatch(/: 5\.00$/);
    expect(titles.at(-1)).toMatch(/: 9\.00$/);
    expect(titles.filter((t) => /: 9\.00$/.test(t)).length).toBeGreaterThanOrEqual(6);
    const camera = [...res.raw.matchAll(/<circle class="pt-a"[^>]*><title>([^<]*)<\/title>/g)].map((m) => m[1]);
    expect(camera.every((t) => t.endsWith(': 25.00'))).toBe(true);
  });

  it('reads events by kind along an index, on the events page and in the restart tally', async () => {
    const dataSource = h.app.get<DataSource>(getDataSourceToken());
    const statements: { text: string; params: unknown[] }[] = [];
    const original = dataSource.logger.logQuery;
    dataSource.logger.logQuery = (text: string, params?: unknown[]) => void statements.push({ text, params: params ?? [] });
    try {
      for (const url of ['/dash/events/?kind=crash', '/dash/events/?kind=handover&offset=20', '/dash/system/']) expect((await h.request('GET', url)).status, url).toBe(200);
    } finally {
      dataSource.logger.logQuery = original;
    }
    const onEvents = statements.filter((s) => /^\s*SELECT\b/i.test(s.text) && /\bkind (=|IN)/.test(s.text) && /FROM enforcer_events/.test(s.text));
    expect(onEvents.length).toBe(5); // per events page its rows and its count; the tally
    for (const statement of onEvents) {
      if (engine === 'sqlite') {
        const plan = ((await dataSource.query(`EXPLAIN QUERY PLAN ${statement.text}`, statement.params)) as { detail: string }[]).map((r) => r.detail).join('\n');
        expect(plan, statement.text).toMatch(/SEARCH (enforcer_events|e) USING (COVERING )?INDEX ix_enforcer_events_kind_(id|ts) \(kind=\?/);
        expect(plan, statement.text).not.toMatch(/SCAN (enforcer_events|e)\b/);
      } else {
        const plan = ((await dataSource.query(`EXPLAIN ${statement.text}`, statement.params)) as Record<string, string>[]).map((r) => r['QUERY PLAN']).join('\n');
        expect(plan, statement.text).not.toMatch(/Seq Scan on enforcer_events/);
      }
    }
  });
});
