import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Clock } from '../../src/common/clock.js';
import { loadConfig } from '../../src/config/app-config.js';
import type { Sql } from '../../src/database/sql.js';
import { EnforcerMetrics } from '../../src/enforcer/enforcer.metrics.js';
import { EnforcerRepository, type NewEvent } from '../../src/enforcer/enforcer.repository.js';
import { Handover } from '../../src/enforcer/handover.js';
import { ProcessAdapter } from '../../src/enforcer/process.adapter.js';
import { RunnerExecutor } from '../../src/enforcer/runner.executor.js';
import { RunnerObserver } from '../../src/enforcer/runner.observer.js';
import { TrackedRunners } from '../../src/enforcer/tracked-runners.js';
import { createMigratedDatabase, type MigratedDatabase, POSTGRES_URL } from '../support/databases.js';

const engines = POSTGRES_URL ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

/**
 * A start whose process was never recorded: the claim (status starting) was written, then the
 * database stopped answering — the write of the pid failed, and so did the one that should have
 * marked the start failed. Nothing runs, but the row holds the pair (uq_runners_active_pair) for
 * every node: once the camera belongs to another node, that node would wait for it forever. The
 * node's next tick lets go of it.
 */
describe.each(engines)('a claim left without a process (%s)', (engine) => {
  let db: MigratedDatabase;
  let sql: Sql;
  const now = new Date();

  beforeEach(async () => {
    db = await createMigratedDatabase(engine);
    sql = db.sql;
    await sql.execute(`INSERT INTO stream_profiles (name, extra_args) VALUES ('p', '{}')`);
    await sql.execute(`INSERT INTO cameras (name, rtsp_url) VALUES ('cam', 'rtsp://h/s')`);
  });
  afterEach(async () => {
    await db?.drop();
  });

  function observer(tracked = new TrackedRunners()) {
    const config = loadConfig({ DATABASE_URL: db.url, NODE_NAME: 'a', TZ: 'UTC' });
    const repo = new EnforcerRepository(sql);
    const processes = new ProcessAdapter();
    const executor = new RunnerExecutor(config, repo, processes, tracked, new Clock(), new EnforcerMetrics());
    return { observer: new RunnerObserver(config, repo, processes, tracked, new Handover(config, repo, processes, tracked), executor), repo };
  }

  async function claim(node: string, status: string) {
    const [row] = await sql.query<{ id: number }>(`INSERT INTO runners (camera_id, profile_id, node, status, spec_hash, crash_count) VALUES (1, 1, ?, ?, 'h', 2) RETURNING id`, [node, status]);
    return Number(row.id);
  }

  it.each(['starting', 'running', 'stopping'])('releases its own %s row that records no process, so another node can claim the pair', async (status) => {
    const id = await claim('a', status);
    const { observer: o, repo } = observer();
    // Another node cannot claim the pair while the row holds it.
    await expect(claim('b', 'starting')).rejects.toThrow();
    const [row] = (await repo.loadWorld('a')).runners;
    const events: NewEvent[] = [];
    const seen = await o.reconcile(row, now, events);
    expect(seen).toMatchObject({ alive: false, status: 'failed' });
    const [after] = await sql.query<{ status: string; pid: number | null; crash_count: number; last_error: string }>('SELECT status, pid, crash_count, last_error FROM runners WHERE id = ?', [id]);
    expect({ ...after, crash_count: Number(after.crash_count) }).toEqual({ status: 'failed', pid: null, crash_count: 2, last_error: expect.stringMatching(/start was never recorded/) });
    expect(events.map((e) => e.message)).toEqual([`runner ${id} (${status}): its start was never recorded (the database did not answer): nothing runs, the pair is released`]);
    // The pair is free now.
    expect(await claim('b', 'starting')).toBeGreaterThan(id);
  });

  it('leaves a row alone whose start this process has under way (tracked)', async () => {
    const id = await claim('a', 'starting');
    const tracked = new TrackedRunners();
    tracked.set({ runnerId: id, cameraId: 1, profileId: 1, pid: 4242, startTime: '1', startedAt: now.getTime(), crashCount: 2, restartCount: 0, logFile: '/dev/null', stopping: false, started: null });
    const { observer: o, repo } = observer(tracked);
    const [row] = (await repo.loadWorld('a')).runners;
    const events: NewEvent[] = [];
    await o.reconcile(row, now, events);
    const [after] = await sql.query<{ status: string }>('SELECT status FROM runners WHERE id = ?', [id]);
    expect(after.status).toBe('starting');
    expect(events).toEqual([]);
  });

  it('leaves a finished row alone (exited rows hold nothing)', async () => {
    const id = await claim('a', 'exited');
    const { observer: o, repo } = observer();
    const [row] = (await repo.loadWorld('a')).runners;
    const events: NewEvent[] = [];
    await o.reconcile(row, now, events);
    const [after] = await sql.query<{ status: string; last_error: string | null }>('SELECT status, last_error FROM runners WHERE id = ?', [id]);
    expect(after).toEqual({ status: 'exited', last_error: '' });
    expect(events).toEqual([]);
  });
});
