import { rendezvousOwner, runsHere } from '../src/enforcer/ownership.js';
import { machine, median, pct, saveResult } from './support.js';

/**
 * The ownership step of a tick (src/enforcer/ownership.ts), pure: for 10,000 floating cameras,
 * which ones this node runs among N live nodes. "New set" is the tick right after the live-node
 * set changed to a wholly new one (the table starts over: every camera hashed against every
 * node); "one node joins", "one node leaves" and "ten nodes join" are the tick right after that
 * change from N live nodes (the table follows it); "steady tick" is every tick while the set stays
 * the same (owners looked up); "hashing alone" is what every tick would cost without the table.
 * Prints Markdown and writes bench/results/ownership.json.
 */
const CAMERAS = Number(process.env.BENCH_CAMERAS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const cameras = Array.from({ length: CAMERAS }, (_, i) => ({ id: i + 1, node: null }));

const time = (fn: () => unknown) => {
  const began = performance.now();
  fn();
  return performance.now() - began;
};

const rows = [3, 10, 100].map((n) => {
  const nodes = Array.from({ length: n }, (_, i) => `node-${String(i + 1).padStart(3, '0')}`);
  const self = nodes[0];
  const tick = (set: string[]) => cameras.filter((c) => runsHere(c, self, set)).length;
  const hashing = () => cameras.filter((c) => rendezvousOwner(c.id, nodes) === self).length;
  const others = nodes.map((name) => `other-${name}`);
  const joinOne = () => [...nodes, 'node-joined'];
  const leaveOne = () => nodes.slice(0, -1);
  const joinTen = () => [...nodes, ...Array.from({ length: 10 }, (_, i) => `node-joined-${i}`)];
  const first: number[] = [];
  const steady: number[] = [];
  const alone: number[] = [];
  const joinedOne: number[] = [];
  const leftOne: number[] = [];
  const joinedTen: number[] = [];
  // Each change is measured from the N-node set, every camera known; a fresh array each time, as liveNodes gives.
  const from = (change: () => string[]) => {
    tick([...nodes]);
    return time(() => tick(change()));
  };
  for (let r = 0; r < RUNS; r++) {
    // A wholly different set first, so the next tick starts a new table.
    tick(others);
    first.push(time(() => tick(nodes)));
    for (let k = 0; k < 3; k++) steady.push(time(() => tick(nodes)));
    joinedOne.push(from(joinOne));
    leftOne.push(from(leaveOne));
    joinedTen.push(from(joinTen));
    if (r < 5) alone.push(time(hashing));
  }
  const stats = (v: number[]) => ({ median: median(v), p95: pct(v, 95) });
  return {
    nodes: n, owned: tick(nodes),
    firstTickMs: stats(first),
    steadyTickMs: stats(steady),
    oneJoinsMs: stats(joinedOne),
    oneLeavesMs: stats(leftOne),
    tenJoinMs: stats(joinedTen),
    hashingAloneMs: { median: median(alone) },
  };
});

const result = { machine: machine(), cameras: CAMERAS, rows };
saveResult('ownership', result);
const ms = (v: number) => `${v.toFixed(2)} ms`;
console.log(`Ownership of ${CAMERAS.toLocaleString('en')} floating cameras per tick, one node — ${result.machine}`);
console.log('| live nodes | cameras owned | hashing every camera (no table) | first tick, new set | one node joins | one node leaves | ten nodes join | steady tick (median / p95) |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  const changes = [r.firstTickMs, r.oneJoinsMs, r.oneLeavesMs, r.tenJoinMs].map((t) => ms(t.median)).join(' | ');
  console.log(`| ${r.nodes} | ${r.owned.toLocaleString('en')} | ${ms(r.hashingAloneMs.median)} | ${changes} | ${ms(r.steadyTickMs.median)} / ${ms(r.steadyTickMs.p95)} |`);
}
console.log('(median of the first tick after each change, from the N-node set with every camera known)');
