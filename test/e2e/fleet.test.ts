import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Fleet, pairKey } from '../../bench/fleet/fleet.js';
import { rendezvousOwner } from '../../src/enforcer/ownership.js';
import { POSTGRES_URL } from '../support/databases.js';

/**
 * Six real enforcers in this process (the fleet simulator, bench/fleet/), each its own Nest
 * context of the EnforcerModule with its own lease, on one PostgreSQL database; 300 floating
 * cameras; runners in memory. The checker sees every runner start and end as it happens: no
 * (camera, profile) may ever be alive twice, through a node lost, a node cut off, a node joining
 * and a rolling restart.
 */
const NODES = 6;
const CAMERAS = 300;
const INTERVAL_SECONDS = 1;
const LEASE_SECONDS = 3;
const STOP_TIMEOUT_SECONDS = 1;

describe.runIf(POSTGRES_URL)('a fleet of enforcers on PostgreSQL (runners in memory)', () => {
  let fleet: Fleet;
  let names: string[] = [];

  /** Where each camera runs now (pairs alive exactly once). */
  const placement = () => new Map([...fleet.checker.placement()].map(([pair, host]) => [Number(pair.split(':')[0]), host]));

  beforeAll(async () => {
    fleet = await Fleet.create({
      serverUrl: POSTGRES_URL!, nodes: NODES, cameras: CAMERAS, intervalSeconds: INTERVAL_SECONDS, leaseSeconds: LEASE_SECONDS, proxied: 1,
      env: { RUNNER_STOP_TIMEOUT_SECONDS: String(STOP_TIMEOUT_SECONDS) },
    });
  }, 60_000);

  afterAll(async () => {
    await fleet?.close();
  }, 60_000);

  afterEach(() => {
    expect(fleet.checker.doubles).toEqual([]);
  });

  it('places every camera once, on the node rendezvous hashing names among the six', async () => {
    names = await fleet.add(NODES);
    await fleet.startMany(names);
    await fleet.waitSettled({ nodes: names, timeoutMs: 30_000, what: 'every camera placed' });
    const placed = placement();
    expect(placed.size).toBe(CAMERAS);
    for (const camera of fleet.cameraIds) expect(placed.get(camera)).toBe(rendezvousOwner(camera, names));
    for (const node of names) expect(fleet.hosts.count(node)).toBeGreaterThan(0);
  }, 45_000);

  it('runs a lost node’s cameras on the others within lease + 2 intervals, then gives it its share back', async () => {
    const victim = names[2];
    const survivors = names.filter((n) => n !== victim);
    const t0 = Date.now();
    await fleet.kill(victim);
    const ms = await fleet.waitSettled({ nodes: survivors, since: t0, timeoutMs: 20_000, what: `${victim}'s cameras on the survivors` });
    expect(ms).toBeLessThan((LEASE_SECONDS + 2 * INTERVAL_SECONDS) * 1000);
    await fleet.start(victim);
    await fleet.waitSettled({ nodes: names, timeoutMs: 20_000, what: `${victim} back` });
  }, 45_000);

  it('fences a node cut off from the database; its cameras run elsewhere, never beside its own', async () => {
    const victim = names[0];
    expect(fleet.nodes.get(victim)!.proxy).not.toBeNull();
    const others = names.filter((n) => n !== victim);
    const t0 = Date.now();
    fleet.cut(victim);
    const ms = await fleet.waitSettled({ nodes: others, since: t0, timeoutMs: 20_000, what: `${victim}'s cameras elsewhere` });
    expect(fleet.hosts.count(victim)).toBe(0);
    expect(ms).toBeLessThan((LEASE_SECONDS + 2 * INTERVAL_SECONDS + STOP_TIMEOUT_SECONDS) * 1000);
    fleet.restore(victim);
    await fleet.waitSettled({ nodes: names, timeoutMs: 20_000, what: `${victim} back after its link returned` });
  }, 45_000);

  it('moves to a joining node exactly the cameras rendezvous hashing gives it, and no others', async () => {
    const before = placement();
    const [newcomer] = await fleet.join(1);
    names = [...names, newcomer].sort();
    await fleet.waitSettled({ nodes: names, timeoutMs: 20_000, what: `${newcomer} joined` });
    const after = placement();
    const moved = fleet.cameraIds.filter((c) => after.get(c) !== before.get(c));
    const gained = fleet.cameraIds.filter((c) => rendezvousOwner(c, names) === newcomer);
    expect(moved).toEqual(gained);
    expect(moved.length).toBeGreaterThan(0);
    for (const camera of moved) expect(after.get(camera)).toBe(newcomer);
  }, 45_000);

  it('restarts every node in turn (graceful stop, start) with no pair down more than once per restart', async () => {
    fleet.checker.takeDowns();
    fleet.checker.trace();
    for (const node of names) {
      await fleet.stop(node);
      await fleet.start(node);
      await fleet.waitSettled({ nodes: names, timeoutMs: 20_000, what: `settled after restarting ${node}` });
    }
    const downs = fleet.checker.takeDowns();
    const trace = fleet.checker.takeTrace();
    // Each pair's node was restarted once; a rolling restart that touched nothing would be no test.
    expect(downs.size).toBeGreaterThan(CAMERAS / 2);
    // Where a pair went down twice: what ran it, in order ("end n001, start n004, end n004, start n001").
    const bounced = [...downs].filter(([, n]) => n > 1).map(([pair]) => `${pair}: ${(trace.get(pair) ?? []).map((e) => `${e.kind} ${e.host.replace(/^fleet-\d+-/, '')}`).join(', ')}`);
    expect(bounced).toEqual([]);
  }, 90_000);

  it('never had a pair alive twice, over the whole run', () => {
    expect(fleet.checker.changes).toBeGreaterThan(2 * CAMERAS);
    expect(fleet.checker.doubles).toEqual([]);
    expect(fleet.checker.count(pairKey(fleet.cameraIds[0], 1))).toBe(1);
  });
});

if (!POSTGRES_URL) it.skip('a fleet of enforcers on PostgreSQL: set BISK_TEST_POSTGRES_URL to run', () => {});
