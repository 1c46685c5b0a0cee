import { rendezvousOwner, runsHere } from '../src/enforcer/ownership.js';
import { machine, median, pct, saveResult } from './support.js';

/**
 * The ownership step of a tick (src/enforcer/ownership.ts), pure: for 10,000 floating cameras,
 * which ones this node runs among N live nodes. "First tick" is the tick right after the
 * live-node set changed (every camera hashed against every node); "steady tick" is every tick
 * after it while the set stays the same (owners looked up); "hashing alone" is what every tick
 * cost before the owner table. Prints Markdown and writes bench/results/ownership.json.
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
  const first: number[] = [];
  const steady: number[] = [];
  const alone: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    // A different set first (another node joined and left), so the next tick starts a new table.
    tick([...nodes, 'node-joined']);
    first.push(time(() => tick(nodes)));
    for (let k = 0; k < 3; k++) steady.push(time(() => tick(nodes)));
    if (r < 5) alone.push(time(hashing));
  }
  return {
    nodes: n, owned: tick(nodes),
    firstTickMs: { median: median(first), p95: pct(first, 95) },
    steadyTickMs: { median: median(steady), p95: pct(steady, 95) },
    hashingAloneMs: { median: median(alone) },
  };
});

const result = { machine: machine(), cameras: CAMERAS, rows };
saveResult('ownership', result);
const ms = (v: number) => `${v.toFixed(2)} ms`;
console.log(`Ownership of ${CAMERAS.toLocaleString('en')} floating cameras per tick, one node — ${result.machine}`);
console.log('| live nodes | cameras owned | hashing every camera (before) | first tick after the set changed | steady tick (median / p95) |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.nodes} | ${r.owned.toLocaleString('en')} | ${ms(r.hashingAloneMs.median)} | ${ms(r.firstTickMs.median)} | ${ms(r.steadyTickMs.median)} / ${ms(r.steadyTickMs.p95)} |`);
