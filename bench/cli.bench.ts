import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bisk, machine, median, pct, saveResult } from './support.js';

/**
 * CLI start: wall time of `bisk enforce --dry-run`, `bisk status` and `bisk --help` on an empty
 * SQLite database (migrated first), 9 runs each after one warm-up run. Target ≤ 1 s.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const dir = mkdtempSync(join(tmpdir(), 'bisk-cli-bench-'));
const env = { ...process.env, DATABASE_URL: join(dir, 'bisk.sqlite'), BISK_DATA_DIR: dir, ENFORCER_LOCK_FILE: join(dir, 'lock'), NODE_NAME: 'bench' };
await bisk(['migrate'], env);
const commands = [['enforce', '--dry-run'], ['status'], ['stop-runners'], ['--help']];
const results = [];
for (const args of commands) {
  await bisk(args, env);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push((await bisk(args, env)).ms);
  results.push({ command: `bisk ${args.join(' ')}`, median: median(times), p95: pct(times, 95) });
}
rmSync(dir, { recursive: true, force: true });
saveResult('cli', { runs: RUNS, results });
console.log(`CLI start — ${machine()}, empty SQLite database, ${RUNS} runs each\n`);
console.log('| command | median ms | p95 ms |');
console.log('|---|---|---|');
for (const r of results) console.log(`| \`${r.command}\` | ${r.median.toFixed(0)} | ${r.p95.toFixed(0)} |`);
