import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import pg from 'pg';
import { Fleet, pairKey } from './fleet/fleet.js';
import { machine, median, pct, saveResult, sleep } from './support.js';

/**
 * The fleet simulator at scale (needs BENCH_POSTGRES_URL or BISK_TEST_POSTGRES_URL): N real
 * enforcers in this process on one PostgreSQL database, runners simulated in memory
 * (bench/fleet/). Scenarios in order, each checked for doubles (a pair alive on two hosts at
 * once, seen at the instant it happens):
 *  a. start — nodes in waves of BENCH_FLEET_WAVE (each wave once the last has ticked) → every camera placed on its rendezvous owner;
 *  b. steady state — tick durations, statements and rows per second for the whole fleet;
 *  c. one node lost (power) → its cameras running elsewhere, 10 rounds on different nodes;
 *  d. ten nodes lost at once → recovered;
 *  e. one node's database link black-holed → fenced, its cameras elsewhere; link restored;
 *  f. rolling restart (graceful stop + start of every node in turn) → down episodes per pair;
 *  g. ten nodes join → cameras moved against the ideal share;
 *  h. schedule boundaries → thousands of pairs stopping, then starting, on the instant.
 */
const SERVER = process.env.BENCH_POSTGRES_URL ?? process.env.BISK_TEST_POSTGRES_URL;
if (!SERVER) {
  console.error('fleet bench skipped: set BENCH_POSTGRES_URL (or BISK_TEST_POSTGRES_URL) to a PostgreSQL server it may create databases on');
  process.exit(0);
}
const int = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number (got ${process.env[name]})`);
  return value;
};
const NODES = int('BENCH_FLEET_NODES', 100);
const CAMERAS = int('BENCH_FLEET_CAMERAS', 10_000);
const INTERVAL = int('BENCH_FLEET_INTERVAL', 1);
const LEASE = int('BENCH_FLEET_LEASE', 5);
const JOIN = int('BENCH_FLEET_JOIN', 10);
const KILLS = int('BENCH_FLEET_KILLS', 10);
const AT_ONCE = Math.min(int('BENCH_FLEET_KILL_AT_ONCE', 10), Math.max(1, NODES - 1));
const STEADY_SECONDS = int('BENCH_FLEET_STEADY_SECONDS', 30);
/** Nodes started together at the start; the next wave once these have ticked (0: all at once). Hosts boot on their own CPUs; here they share one event loop. */
const WAVE = int('BENCH_FLEET_WAVE', 10);
const POLICIES = process.env.BENCH_FLEET_POLICIES ? int('BENCH_FLEET_POLICIES', 1) : 'per-camera';
/** Only these scenarios (comma-separated names, e.g. start,rollingRestart), for looking into one; start always runs. */
const ONLY = process.env.BENCH_FLEET_ONLY ? new Set(['start', ...process.env.BENCH_FLEET_ONLY.split(',')]) : null;
/** Connections one node may open: its SQL pool (4) and a presence session. */
const CONNECTIONS_PER_NODE = 5;
const STOP_TIMEOUT_SECONDS = 3;

await checkConnections();

const failures: string[] = [];
let skipRest: string | null = null;
const results: Record<string, unknown> = {};
const fleet = await Fleet.create({
  serverUrl: SERVER, nodes: NODES, cameras: CAMERAS, policies: POLICIES, intervalSeconds: INTERVAL, leaseSeconds: LEASE, proxied: 1,
  env: { RUNNER_STOP_TIMEOUT_SECONDS: String(STOP_TIMEOUT_SECONDS) }, verbose: process.env.BENCH_FLEET_VERBOSE === '1',
});
const log = (line: string) => process.stderr.write(`[fleet ${((Date.now() - fleet.t0) / 1000).toFixed(1)} s] ${line}\n`);
const s = (ms: number) => (ms / 1000).toFixed(2);
const all = () => fleet.liveNames();

/** Runs a scenario, records the doubles it caused as a failure. */
async function scenario<T>(name: string, body: () => Promise<T>): Promise<T | null> {
  if (ONLY && !ONLY.has(name)) return null;
  if (skipRest) {
    results[name] = { skipped: skipRest };
    return null;
  }
  const before = fleet.checker.doubles.length;
  log(`${name}…`);
  // The nodes share this event loop: a fence timer that fires late here is a stalled host there.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const lag = () => `event loop delay max ${Math.round(loop.max / 1e6)} ms, p99 ${Math.round(loop.percentile(99) / 1e6)} ms`;
  try {
    const result = await body();
    results[name] = { ...result, eventLoopDelayMaxMs: Math.round(loop.max / 1e6) };
    return result;
  } catch (error) {
    failures.push(`${name}: ${(error as Error).message} (${lag()})`);
    log(`${name} FAILED: ${(error as Error).message} (${lag()})`);
    return null;
  } finally {
    loop.disable();
    const doubles = fleet.checker.doubles.slice(before);
    if (doubles.length > 0) {
      failures.push(`${name}: ${doubles.length} doubles, first ${JSON.stringify(doubles.slice(0, 3))} (${lag()})`);
      log(`${name}: ${doubles.length} DOUBLES`);
    }
  }
}

/** Nodes spread over the fleet: `k` names, every (N / k)-th. */
const spread = (names: string[], k: number, offset = 0) => Array.from({ length: k }, (_, i) => names[(offset + Math.floor((i * names.length) / k)) % names.length]);

/**
 * Per node, its first tick ending after `from` that did something (`did`): how late it began and
 * how long it took. On one shared event loop, nodes acting at the same instant wait for each
 * other: a tick that costs a few ms alone takes seconds of wall time among a hundred.
 */
function nodeTicks(from: number, did: (t: (typeof fleet.ticks)[number]) => boolean) {
  const first = new Map<string, { beganMs: number; durationMs: number }>();
  for (const t of fleet.ticks) if (t.at >= from && did(t) && !first.has(t.node)) first.set(t.node, { beganMs: t.at - t.durationMs - from, durationMs: t.durationMs });
  const began = [...first.values()].map((x) => x.beganMs);
  const took = [...first.values()].map((x) => x.durationMs);
  return { nodes: first.size, beganMs: { median: median(began), max: Math.max(...began) }, tickMs: { median: median(took), max: Math.max(...took) } };
}

async function pgStats() {
  const [row] = await fleet.sql.query<Record<string, string>>('SELECT xact_commit, xact_rollback, tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted FROM pg_stat_database WHERE datname = current_database()');
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
}

try {
  // a. Start: in waves (a wave once the previous one has ticked), or every node at once with BENCH_FLEET_WAVE=0.
  const a = await scenario('start', async () => {
    const names = await fleet.add(NODES);
    const hashStart = performance.now();
    fleet.expectedOwners(names);
    const hashMs = performance.now() - hashStart;
    const t0 = Date.now();
    // A node's start returns after its first tick; placement is watched meanwhile (a double ends the wait).
    let contextsMs = NaN;
    let startError: unknown = null;
    const waves: string[][] = [];
    for (let i = 0; i < names.length; i += WAVE || names.length) waves.push(names.slice(i, i + (WAVE || names.length)));
    const starting = (async () => {
      for (const wave of waves) await fleet.startMany(wave);
    })().then(
      () => (contextsMs = Date.now() - t0),
      (error: unknown) => (startError = error),
    );
    const placedMs = await fleet.waitSettled({ nodes: names, since: t0, timeoutMs: 600_000, what: 'every camera placed' });
    await starting;
    if (startError) throw startError;
    return { nodes: NODES, cameras: CAMERAS, waves: waves.length, contextsMs, placedMs, expectedOwnersMs: Math.round(hashMs) };
  });
  // The rest needs a settled fleet to start from.
  if (!a) skipRest = 'the fleet did not settle after starting';

  // b. Steady state.
  await scenario('steady', async () => {
    await sleep(3000);
    const ticksFrom = fleet.ticks.length;
    const sql0 = fleet.sqlTotals();
    const mix0 = new Map(fleet.statementMix());
    const pg0 = await pgStats();
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const elu0 = performance.eventLoopUtilization();
    const t0 = performance.now();
    await sleep(STEADY_SECONDS * 1000);
    const seconds = (performance.now() - t0) / 1000;
    const elu = performance.eventLoopUtilization(elu0).utilization;
    loop.disable();
    const pg1 = await pgStats();
    const sql1 = fleet.sqlTotals();
    const ticks = fleet.ticks.slice(ticksFrom);
    const durations = ticks.map((t) => t.durationMs);
    const perNode = new Map<string, number[]>();
    for (const t of ticks) perNode.set(t.node, [...(perNode.get(t.node) ?? []), t.durationMs]);
    const nodeMedians = [...perNode.values()].map((d) => median(d));
    const statements = sql1.statements - sql0.statements;
    const rows = sql1.rows - sql0.rows;
    const mix = fleet.statementMix().map(([text, n]) => [text, n - (mix0.get(text) ?? 0)] as const).filter(([, n]) => n > 0).sort((x, y) => y[1] - x[1]).slice(0, 8);
    return {
      seconds: Number(seconds.toFixed(1)),
      ticks: ticks.length,
      ticksPerSecond: Number((ticks.length / seconds).toFixed(1)),
      tickMs: { median: median(durations), p95: pct(durations, 95), max: Math.max(...durations) },
      perNodeMedianMs: { median: median(nodeMedians), max: Math.max(...nodeMedians) },
      statementsPerSecond: Math.round(statements / seconds),
      statementsPerTick: Number((statements / ticks.length).toFixed(1)),
      rowsPerSecond: Math.round(rows / seconds),
      rowsPerTick: Math.round(rows / ticks.length),
      pg: {
        xactPerSecond: Math.round((pg1.xact_commit - pg0.xact_commit) / seconds),
        tupReturnedPerSecond: Math.round((pg1.tup_returned - pg0.tup_returned) / seconds),
        tupFetchedPerSecond: Math.round((pg1.tup_fetched - pg0.tup_fetched) / seconds),
        tupWrittenPerSecond: Math.round((pg1.tup_inserted + pg1.tup_updated + pg1.tup_deleted - pg0.tup_inserted - pg0.tup_updated - pg0.tup_deleted) / seconds),
      },
      eventLoop: { utilization: Number(elu.toFixed(2)), delayP50Ms: Number((loop.percentile(50) / 1e6).toFixed(1)), delayP99Ms: Number((loop.percentile(99) / 1e6).toFixed(1)) },
      statementMix: mix,
      tickFailures: [...fleet.tickFailures.values()].reduce((x, y) => x + y, 0),
    };
  });

  // c. One node lost at a time, on different nodes, brought back between rounds.
  await scenario('killOne', async () => {
    const rounds: { node: string; cameras: number; recoverMs: number; takeOverTicks: ReturnType<typeof nodeTicks>; backMs: number }[] = [];
    const victims = spread(all(), KILLS, 1);
    for (const victim of victims) {
      const everyone = all();
      const survivors = everyone.filter((n) => n !== victim);
      fleet.expectedOwners(survivors);
      const cameras = fleet.hosts.count(victim);
      const t0 = Date.now();
      await fleet.kill(victim);
      const recoverMs = await fleet.waitSettled({ nodes: survivors, since: t0, what: `${victim}'s cameras on the survivors` });
      const takeOverTicks = nodeTicks(t0, (t) => t.started > 0);
      const t1 = Date.now();
      await fleet.start(victim);
      const backMs = await fleet.waitSettled({ nodes: everyone, since: t1, what: `${victim} back` });
      rounds.push({ node: victim, cameras, recoverMs, takeOverTicks, backMs });
      log(`  ${victim} lost (${cameras} cameras) → running elsewhere after ${s(recoverMs)} s (${takeOverTicks.nodes} nodes' take-over ticks began ${takeOverTicks.beganMs.median} / ${takeOverTicks.beganMs.max} ms after, took ${takeOverTicks.tickMs.median} / ${takeOverTicks.tickMs.max} ms); back and settled after ${s(backMs)} s`);
    }
    const times = rounds.map((r) => r.recoverMs);
    return { rounds, p50: median(times), p95: pct(times, 95), max: Math.max(...times) };
  });

  // d. Several nodes lost at once.
  await scenario('killMany', async () => {
    const everyone = all();
    const victims = spread(everyone, AT_ONCE, 2);
    const survivors = everyone.filter((n) => !victims.includes(n));
    fleet.expectedOwners(survivors);
    const cameras = victims.reduce((sum, v) => sum + fleet.hosts.count(v), 0);
    const t0 = Date.now();
    await Promise.all(victims.map((v) => fleet.kill(v)));
    const killedMs = Date.now() - t0;
    const recoverMs = await fleet.waitSettled({ nodes: survivors, since: t0, what: `${AT_ONCE} lost nodes' cameras on the survivors` });
    const takeOverTicks = nodeTicks(t0, (t) => t.started > 0);
    const t1 = Date.now();
    await fleet.startMany(victims);
    const backMs = await fleet.waitSettled({ nodes: everyone, since: t1, what: 'lost nodes back' });
    log(`  ${AT_ONCE} nodes lost (${cameras} cameras; the simulator took ${s(killedMs)} s to kill them) → running elsewhere after ${s(recoverMs)} s (${takeOverTicks.nodes} nodes took cameras over: their ticks began ${takeOverTicks.beganMs.median} / ${takeOverTicks.beganMs.max} ms after the kill, median / max, and took ${takeOverTicks.tickMs.median} / ${takeOverTicks.tickMs.max} ms); back after ${s(backMs)} s`);
    return { nodes: AT_ONCE, cameras, killedMs, recoverMs, takeOverTicks, backMs };
  });

  // e. One node's database link black-holed.
  await scenario('cutOff', async () => {
    const everyone = all();
    const victim = [...fleet.nodes.values()].find((n) => n.proxy && n.module)!.name;
    const others = everyone.filter((n) => n !== victim);
    fleet.expectedOwners(others);
    const cameras = fleet.hosts.count(victim);
    const t0 = Date.now();
    fleet.cut(victim);
    let fencedMs: number | null = null;
    const watchFence = setInterval(() => {
      if (fencedMs === null && fleet.hosts.count(victim) === 0) fencedMs = Date.now() - t0;
    }, 10);
    const elsewhereMs = await fleet.waitSettled({ nodes: others, since: t0, what: `${victim}'s cameras elsewhere while it is cut off` });
    clearInterval(watchFence);
    // The lease as the server has it (a renewal sent before the cut may have landed unanswered): when the others could count it expired.
    const [lease] = await fleet.sql.query<{ expires_at: string }>('SELECT expires_at FROM enforcer_leases WHERE node = ?', [victim]);
    const leaseExpiredMs = lease ? Number(lease.expires_at) - t0 : null;
    const bound = (LEASE + INTERVAL + STOP_TIMEOUT_SECONDS) * 1000;
    if (elsewhereMs > bound) failures.push(`cutOff: cameras elsewhere after ${s(elsewhereMs)} s, more than lease + interval + stop (${s(bound)} s)`);
    const t1 = Date.now();
    fleet.restore(victim);
    const backMs = await fleet.waitSettled({ nodes: everyone, since: t1, what: `${victim} back after its link returned` });
    log(`  ${victim} cut off (${cameras} cameras): fenced after ${fencedMs === null ? '?' : s(fencedMs)} s, lease expired after ${leaseExpiredMs === null ? '?' : s(leaseExpiredMs)} s, cameras elsewhere after ${s(elsewhereMs)} s; link back → settled after ${s(backMs)} s`);
    return { node: victim, cameras, fencedMs, leaseExpiredMs, elsewhereMs, boundMs: bound, backMs };
  });

  // f. Rolling restart: every node in turn, graceful stop then start, the fleet settled before the next.
  await scenario('rollingRestart', async () => {
    const everyone = all();
    fleet.checker.takeDowns();
    fleet.checker.trace();
    const restartedAt: [string, number][] = [];
    const perNode: number[] = [];
    const t0 = Date.now();
    for (const name of everyone) {
      const t = Date.now();
      restartedAt.push([name, t - fleet.t0]);
      await fleet.stop(name);
      await fleet.start(name);
      perNode.push(await fleet.waitSettled({ nodes: everyone, since: t, what: `settled after restarting ${name}` }));
    }
    const totalMs = Date.now() - t0;
    const downs = fleet.checker.takeDowns();
    const trace = fleet.checker.takeTrace();
    /** What happened to a few pairs that went down twice, and when their owner was restarted. */
    const examples = [...downs].filter(([, n]) => n > 1).slice(0, 3).map(([pair, n]) => ({ pair, downs: n, events: trace.get(pair) ?? [] }));
    const histogram: Record<string, number> = {};
    for (const pair of fleet.cameraIds.map((c) => pairKey(c, 1))) {
      const n = downs.get(pair) ?? 0;
      histogram[n] = (histogram[n] ?? 0) + 1;
    }
    const episodes = [...downs.values()].reduce((x, y) => x + y, 0);
    const overOne = [...downs.values()].filter((n) => n > 1).length;
    if (overOne > 0) failures.push(`rollingRestart: ${overOne} pairs went down more than once during one restart of their node`);
    log(`  ${everyone.length} restarts in ${s(totalMs)} s; down episodes ${episodes}; pairs by episodes ${JSON.stringify(histogram)}`);
    return { restarts: everyone.length, totalMs, perNodeMs: { median: median(perNode), p95: pct(perNode, 95), max: Math.max(...perNode) }, episodes, pairsByEpisodes: histogram, pairsOverOne: overOne, restartedAt, examples };
  });

  // g. Nodes join.
  await scenario('join', async () => {
    const before = fleet.checker.placement();
    const everyoneBefore = all();
    const t0 = Date.now();
    const joined = await fleet.join(JOIN);
    const everyone = all();
    const settledMs = await fleet.waitSettled({ nodes: everyone, since: t0, what: `${JOIN} nodes joined` });
    const after = fleet.checker.placement();
    const expected = fleet.expectedOwners(everyone);
    let moved = 0;
    let movedElsewhere = 0;
    for (const [pair, host] of after) {
      if (before.get(pair) === host) continue;
      moved++;
      if (!joined.includes(host)) movedElsewhere++;
    }
    const byHash = fleet.cameraIds.filter((c) => joined.includes(expected.get(c)!)).length;
    const ideal = Math.round((CAMERAS * JOIN) / everyone.length);
    if (movedElsewhere > 0) failures.push(`join: ${movedElsewhere} cameras moved between nodes that were already there`);
    if (moved !== byHash) failures.push(`join: ${moved} cameras moved, the hash gives the newcomers ${byHash}`);
    log(`  ${JOIN} nodes joined ${everyoneBefore.length}: ${moved} cameras moved (hash: ${byHash}, ideal share ${ideal}) in ${s(settledMs)} s`);
    return { joined: JOIN, nodesBefore: everyoneBefore.length, moved, byHash, ideal, movedBetweenOldNodes: movedElsewhere, settledMs };
  });

  // h. Schedule boundaries: a share of cameras stops at B1, another (stopped by the edit) starts at B2.
  await scenario('boundary', async () => {
    const lead = 20_000;
    const now = Date.now();
    const b1 = Math.ceil(now / 1000) * 1000 + lead;
    const b2 = b1 + lead;
    if (new Date(b2 + 30_000).toISOString().slice(0, 10) !== new Date(now).toISOString().slice(0, 10)) return { skipped: 'too close to midnight UTC' };
    const hhmmss = (ms: number) => new Date(ms).toISOString().slice(11, 19);
    const weekday = (new Date(now).getUTCDay() + 6) % 7;
    const links = await fleet.sql.query<{ policy_id: number; camera_id: number }>('SELECT policy_id, camera_id FROM schedule_policy_cameras');
    const stopPolicies = new Set<number>();
    const startPolicies = new Set<number>();
    for (const { policy_id } of links) {
      const k = Number(policy_id) % 10;
      if (k < 3) stopPolicies.add(Number(policy_id));
      else if (k < 6) startPolicies.add(Number(policy_id));
    }
    const stopGroup = new Set(links.filter((l) => stopPolicies.has(Number(l.policy_id))).map((l) => pairKey(Number(l.camera_id), 1)));
    const startGroup = new Set(links.filter((l) => startPolicies.has(Number(l.policy_id))).map((l) => pairKey(Number(l.camera_id), 1)));
    const everyPair = fleet.cameraIds.map((c) => pairKey(c, 1));
    const update = (policies: Set<number>, start: string, end: string) =>
      fleet.sql.execute(`UPDATE schedule_windows SET start_time = ?, end_time = ? WHERE day_of_week = ? AND policy_id = ANY(?::int[])`, [start, end, weekday, [...policies]]);
    const tEdit = Date.now();
    await update(stopPolicies, '00:00:00', hhmmss(b1));
    await update(startPolicies, hhmmss(b2), '00:00:00');
    fleet.checker.setWanted(everyPair.filter((p) => !startGroup.has(p)));
    const editMs = await fleet.waitSettled({ since: tEdit, what: 'the edit seen: the start group stopped' });
    await sleep(b1 - Date.now() - 300);
    const earlyStops = [...stopGroup].filter((p) => fleet.checker.count(p) !== 1).length;
    fleet.checker.setWanted(everyPair.filter((p) => !startGroup.has(p) && !stopGroup.has(p)));
    const stopMs = await fleet.waitSettled({ since: b1, what: `${stopGroup.size} pairs stopped at ${hhmmss(b1)}` });
    await sleep(b2 - Date.now() - 300);
    const earlyStarts = [...startGroup].filter((p) => fleet.checker.count(p) !== 0).length;
    fleet.checker.setWanted(everyPair.filter((p) => !stopGroup.has(p)));
    const startMs = await fleet.waitSettled({ since: b2, what: `${startGroup.size} pairs started at ${hhmmss(b2)}` });
    const stopTicks = nodeTicks(b1, (t) => t.stopped > 0);
    const startTicks = nodeTicks(b2, (t) => t.started > 0);
    if (earlyStops + earlyStarts > 0) failures.push(`boundary: ${earlyStops} pairs stopped and ${earlyStarts} started before their boundary`);
    log(`  edit → ${startGroup.size} pairs stopped after ${s(editMs)} s; boundary → ${stopGroup.size} stopped after ${s(stopMs)} s; boundary → ${startGroup.size} started after ${s(startMs)} s`);
    log(`  boundary ticks: stops began ${stopTicks.beganMs.median} / ${stopTicks.beganMs.max} ms after the instant (median / max over ${stopTicks.nodes} nodes) and took ${stopTicks.tickMs.median} / ${stopTicks.tickMs.max} ms; starts began ${startTicks.beganMs.median} / ${startTicks.beganMs.max} ms after and took ${startTicks.tickMs.median} / ${startTicks.tickMs.max} ms`);
    return { stopping: stopGroup.size, starting: startGroup.size, editMs, stopMs, startMs, earlyStops, earlyStarts, stopTicks, startTicks };
  });
} finally {
  // Counted before closing: killing every node at the end logs errors of its own.
  results.log = { errors: fleet.logger.counts.error, warnings: fleet.logger.counts.warn, errorKinds: [...fleet.logger.errorKinds].sort((x, y) => y[1] - x[1]).slice(0, 10) };
  results.doubles = fleet.checker.doubles.length;
  results.processChanges = fleet.checker.changes;
  log('closing the fleet…');
  await fleet.close();
}

saveResult('fleet', { nodes: NODES, cameras: CAMERAS, policies: POLICIES, interval: INTERVAL, lease: LEASE, failures, ...results });
report();
if (failures.length > 0) {
  console.error(`\nfleet bench: ${failures.length} failure(s):\n- ${failures.join('\n- ')}`);
  process.exit(1);
}

function report(): void {
  const skipped = Object.entries(results).filter(([, v]) => typeof v === 'object' && v !== null && 'skipped' in v);
  const r = Object.fromEntries(Object.entries(results).filter(([name]) => !skipped.some(([n]) => n === name))) as Record<string, any>;
  console.log(`Fleet simulator — ${machine()}, PostgreSQL; ${NODES} enforcer nodes in one process, ${CAMERAS.toLocaleString('en')} floating cameras (${POLICIES === 'per-camera' ? 'one policy each' : `${POLICIES} policies`}, 7 whole-day windows per policy), runners in memory; interval ${INTERVAL} s, lease ${LEASE} s\n`);
  if (r.start) {
    console.log('| start: contexts up s | every camera placed s |');
    console.log('|---|---|');
    console.log(`| ${s(r.start.contextsMs)} | ${s(r.start.placedMs)} |\n`);
  }
  if (r.steady) {
    const b = r.steady;
    console.log(`Steady state, ${b.seconds} s (tick durations include waiting for the shared event loop: utilization ${b.eventLoop.utilization}, delay p99 ${b.eventLoop.delayP99Ms} ms):\n`);
    console.log('| ticks/s | tick median ms | tick p95 ms | tick max ms | statements/s (SQL port) | statements/tick | rows/tick (returned) | xact/s (pg_stat_database) | tuples read/s (server) |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    console.log(`| ${b.ticksPerSecond} | ${b.tickMs.median} | ${b.tickMs.p95} | ${b.tickMs.max} | ${b.statementsPerSecond.toLocaleString('en')} | ${b.statementsPerTick} | ${b.rowsPerTick.toLocaleString('en')} | ${b.pg.xactPerSecond.toLocaleString('en')} | ${(b.pg.tupReturnedPerSecond + b.pg.tupFetchedPerSecond).toLocaleString('en')} |\n`);
  }
  const recover = [
    r.killOne && ['one node lost (×' + r.killOne.rounds.length + ')', `${s(r.killOne.p50)} / ${s(r.killOne.p95)} / ${s(r.killOne.max)}`],
    r.killMany && [`${r.killMany.nodes} nodes lost at once (${r.killMany.cameras} cameras)`, s(r.killMany.recoverMs)],
    r.cutOff && [`one node cut off (fenced after ${r.cutOff.fencedMs === null ? '?' : s(r.cutOff.fencedMs)} s)`, s(r.cutOff.elsewhereMs)],
  ].filter(Boolean) as string[][];
  if (recover.length > 0) {
    console.log('| failure | cameras running elsewhere after s (p50 / p95 / max) |');
    console.log('|---|---|');
    for (const [what, value] of recover) console.log(`| ${what} | ${value} |`);
    console.log('');
  }
  if (r.rollingRestart) {
    const f = r.rollingRestart;
    console.log('| rolling restart: restarts | total s | per node median s | down episodes | pairs down 0 / 1 / 2+ times |');
    console.log('|---|---|---|---|---|');
    const over = Object.entries(f.pairsByEpisodes as Record<string, number>).filter(([k]) => Number(k) >= 2).reduce((sum, [, v]) => sum + v, 0);
    console.log(`| ${f.restarts} | ${s(f.totalMs)} | ${s(f.perNodeMs.median)} | ${f.episodes} | ${f.pairsByEpisodes['0'] ?? 0} / ${f.pairsByEpisodes['1'] ?? 0} / ${over} |\n`);
  }
  if (r.join) {
    console.log('| nodes join | cameras moved | by the hash | ideal share | moved between old nodes | settled s |');
    console.log('|---|---|---|---|---|---|');
    console.log(`| ${r.join.nodesBefore} + ${r.join.joined} | ${r.join.moved} | ${r.join.byHash} | ${r.join.ideal} | ${r.join.movedBetweenOldNodes} | ${s(r.join.settledMs)} |\n`);
  }
  if (r.boundary) {
    console.log('| boundary | pairs | all done after s |');
    console.log('|---|---|---|');
    console.log(`| edit (stops the start group) | ${r.boundary.starting} | ${s(r.boundary.editMs)} |`);
    console.log(`| window end | ${r.boundary.stopping} | ${s(r.boundary.stopMs)} |`);
    console.log(`| window start | ${r.boundary.starting} | ${s(r.boundary.startMs)} |\n`);
  }
  for (const [name, v] of skipped) console.log(`${name}: skipped (${(v as { skipped: string }).skipped})`);
  console.log(`Doubles: ${r.doubles}. Enforcer log: ${r.log.errors} errors, ${r.log.warnings} warnings.`);
}

/** Exits with what to do when PostgreSQL cannot take the connections this many nodes open. */
async function checkConnections(): Promise<void> {
  const admin = new pg.Client({ connectionString: SERVER, connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    const setting = async (name: string) => Number((await admin.query(`SELECT setting FROM pg_settings WHERE name = $1`, [name])).rows[0]?.setting ?? 0);
    const max = await setting('max_connections');
    const reserved = (await setting('superuser_reserved_connections')) + (await setting('reserved_connections'));
    const inUse = Number((await admin.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE backend_type = 'client backend'`)).rows[0].n);
    const nodes = NODES + JOIN;
    const need = nodes * CONNECTIONS_PER_NODE + 4;
    const available = max - reserved - inUse;
    if (need > available) {
      console.error(
        `fleet bench: PostgreSQL allows ${max} connections (${reserved} reserved, ${inUse} in use now), and ${nodes} nodes (BENCH_FLEET_NODES=${NODES} + BENCH_FLEET_JOIN=${JOIN}) may open ${need} ` +
          `(${CONNECTIONS_PER_NODE} each: a pool of 4 and a presence session). Raise it as a superuser — ALTER SYSTEM SET max_connections = ${Math.ceil((need + reserved + inUse + 20) / 50) * 50}; — ` +
          'and restart PostgreSQL (e.g. systemctl restart postgresql), or run fewer nodes.',
      );
      process.exit(1);
    }
  } finally {
    await admin.end();
  }
}
