import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/app-config.js';
import type { Sql } from '../../src/database/sql.js';
import { computeDesired } from '../../src/enforcer/desired.js';
import { EnforcerRepository, type NewEvent } from '../../src/enforcer/enforcer.repository.js';
import { Handover } from '../../src/enforcer/handover.js';
import { ProcessAdapter } from '../../src/enforcer/process.adapter.js';
import { TrackedRunners } from '../../src/enforcer/tracked-runners.js';
import { createMigratedDatabase, type MigratedDatabase, POSTGRES_URL } from '../support/databases.js';

const engines = POSTGRES_URL ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

/**
 * Several hosts (§9): a node takes over the row another node left (lease expired, runner silent)
 * only while that row is still as it read it. A node that was only stalled — a frozen process, a
 * late answer — may have written its row in between; it keeps its pair.
 */
describe.each(engines)('taking over another node’s runner row (%s)', (engine) => {
  let db: MigratedDatabase;
  let sql: Sql;
  let rowId: number;
  const now = new Date();

  beforeEach(async () => {
    db = await createMigratedDatabase(engine);
    sql = db.sql;
    await sql.execute(`INSERT INTO stream_profiles (name, extra_args) VALUES ('p', '{}')`);
    await sql.execute(`INSERT INTO schedule_policies (name) VALUES ('always')`);
    for (let d = 0; d < 7; d++) await sql.execute(`INSERT INTO schedule_windows (policy_id, day_of_week, start_time, end_time, profile_id) VALUES (1, ?, '00:00:00', '00:00:00', 1)`, [d]);
    await sql.execute(`INSERT INTO cameras (name, rtsp_url) VALUES ('cam', 'rtsp://h/s')`);
    await sql.execute(`INSERT INTO schedule_policy_cameras (policy_id, camera_id) VALUES (1, 1)`);
    // Node "old" ran the pair; its lease ran out a while ago and its runner never heartbeated.
    await sql.execute(`INSERT INTO enforcer_leases (node, holder, pid, version, acquired_at, renewed_at, expires_at) VALUES ('old', 'h', 1, '', 0, 0, ?)`, [now.getTime() - 60_000]);
    const [row] = await sql.query<{ id: number }>(`INSERT INTO runners (camera_id, profile_id, node, status, spec_hash, pid) VALUES (1, 1, 'old', 'running', '', 4242) RETURNING id`);
    rowId = Number(row.id);
  });
  afterEach(async () => {
    await db?.drop();
  });

  async function gate(repo: EnforcerRepository, afterWorld: () => Promise<void> = async () => {}) {
    const config = loadConfig({ DATABASE_URL: db.url, NODE_NAME: 'new', TZ: 'UTC' });
    const handover = new Handover(config, repo, new ProcessAdapter(), new TrackedRunners());
    const world = await repo.loadWorld('new');
    await afterWorld();
    const events: NewEvent[] = [];
    const result = await handover.gate(computeDesired(world, now, 'UTC', 'new'), [], now, events);
    const [row] = await sql.query<{ status: string; pid: number | null }>('SELECT status, pid FROM runners WHERE id = ?', [rowId]);
    return { ...result, events: events.map((e) => e.message), row: { status: row.status, pid: row.pid === null ? null : Number(row.pid) } };
  }

  it('takes the row over when nobody wrote it since it was read', async () => {
    const result = await gate(new EnforcerRepository(sql));
    expect(result.waiting).toBe(0);
    expect(result.specs.map((d) => d.spec.cameraId)).toEqual([1]);
    expect(result.row).toEqual({ status: 'exited', pid: null });
    expect(result.events).toEqual([expect.stringMatching(/^taken over from node old: its lease expired at .* and its runner is silent$/)]);
  });

  it('leaves it, and waits, when its node wrote it between the read and the take-over', async () => {
    const repo = new EnforcerRepository(sql);
    const racing = Object.create(repo) as EnforcerRepository;
    racing.foreignRunners = async (node, cameraIds) => {
      const rows = await repo.foreignRunners(node, cameraIds);
      // Node "old" wakes up, renews and records the process it started meanwhile.
      await sql.execute(`UPDATE runners SET pid = 5151 WHERE id = ?`, [rowId]);
      return rows;
    };
    const result = await gate(racing);
    expect(result.waiting).toBe(1);
    expect(result.specs).toEqual([]);
    expect(result.row).toEqual({ status: 'running', pid: 5151 });
    expect(result.events).toEqual(['not taken over: node old wrote its row or renewed its lease meanwhile']);
  });

  it('waits for a node that joined after the tick read the leases (its rows are newer than that view)', async () => {
    const result = await gate(new EnforcerRepository(sql), async () => {
      // Node "late" takes its lease, then the pair from "old" (as a take-over would), after this tick's world was read.
      await sql.execute(`INSERT INTO enforcer_leases (node, holder, pid, version, acquired_at, renewed_at, expires_at) VALUES ('late', 'h2', 2, '', ?, ?, ?)`, [now.getTime(), now.getTime(), now.getTime() + 60_000]);
      await sql.execute(`UPDATE runners SET status = 'exited', pid = NULL WHERE id = ?`, [rowId]);
      await sql.execute(`INSERT INTO runners (camera_id, profile_id, node, status, spec_hash, pid) VALUES (1, 1, 'late', 'running', '', 6161)`);
    });
    expect(result.waiting).toBe(1);
    expect(result.specs).toEqual([]);
    expect(result.events).toEqual(['waiting for node late to stop it (pid 6161 there)']);
    const [late] = await sql.query<{ status: string; pid: number }>(`SELECT status, pid FROM runners WHERE node = 'late'`);
    expect({ status: late.status, pid: Number(late.pid) }).toEqual({ status: 'running', pid: 6161 });
  });

  it('leaves it, and waits, when its node renewed its lease between the read and the take-over', async () => {
    const repo = new EnforcerRepository(sql);
    const racing = Object.create(repo) as EnforcerRepository;
    racing.leases = async () => {
      const leases = await repo.leases();
      // Node "old" was only stalled: it renews its lease (its runner untouched, its row as read).
      await sql.execute(`UPDATE enforcer_leases SET expires_at = ? WHERE node = 'old'`, [now.getTime() + 60_000]);
      return leases;
    };
    const result = await gate(racing);
    expect(result.waiting).toBe(1);
    expect(result.specs).toEqual([]);
    expect(result.row).toEqual({ status: 'running', pid: 4242 });
    expect(result.events).toEqual(['not taken over: node old wrote its row or renewed its lease meanwhile']);
  });
});
