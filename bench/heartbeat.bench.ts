import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';

/**
 * Runner heartbeats against the built HTTP app on the embedded database: 500 distinct runners
 * (realistic payloads, rotating), 50 connections, 10 s, after a warm-up. Target on the 2-core
 * machine: ≥ 5,000 heartbeats/s, p99 ≤ 25 ms, no non-2xx. Prints Markdown for bench/RESULTS.md.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNNERS = 500;
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const KEY = 'bench-heartbeat-key';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const dir = mkdtempSync(join(tmpdir(), 'bisk-hb-bench-'));
const dbFile = join(dir, 'bisk.sqlite');
const port = await freePort();
const env = { ...process.env, DATABASE_URL: dbFile, PORT: String(port), RUNNER_HEARTBEAT_KEY: KEY, HB_LOG_EVERY_SEC: '60', LOG_LEVEL: 'warn' };

// Migrate and seed through the product's own CLI and schema, then start the app.
const migrate = spawn(process.execPath, [join(ROOT, 'dist/src/cli.js'), 'migrate'], { env, stdio: 'ignore' });
await new Promise((r) => migrate.on('exit', r));
const db = new Database(dbFile);
db.exec(`INSERT INTO stream_profiles (name, extra_args) VALUES ('bench', '{}')`);
const insert = db.transaction(() => {
  for (let i = 1; i <= RUNNERS; i++) {
    db.prepare(`INSERT INTO cameras (name, rtsp_url) VALUES (?, ?)`).run(`cam-${i}`, `rtsp://10.0.${Math.floor(i / 250)}.${i % 250}/s`);
    db.prepare(`INSERT INTO runners (camera_id, profile_id, node, pid, status) VALUES (?, 1, 'bench', ?, 'running')`).run(i, 10000 + i);
  }
});
insert();
db.close();

const app = spawn(process.execPath, [join(ROOT, 'dist/src/main.js')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
for (;;) {
  const up = await fetch(`http://127.0.0.1:${port}/health/live`).then((r) => r.ok, () => false);
  if (up) break;
  await new Promise((r) => setTimeout(r, 100));
}

const requests = Array.from({ length: RUNNERS }, (_, i) => ({
  method: 'POST' as const,
  path: '/api/runner/heartbeat/',
  headers: { 'content-type': 'application/json', 'x-bisk-key': KEY },
  body: JSON.stringify({
    camera_id: i + 1, profile_id: 1, pid: 10001 + i, camera_fps: 25, processed_fps: 5.9 + (i % 3) / 10, target_fps: 6,
    detected: i % 4, matched: i % 2, latency_ms: 38.5 + (i % 7), last_error: '', snapshot_every: 3, min_face_px: 40,
  }),
}));
const run = (duration: number) => autocannon({ url: `http://127.0.0.1:${port}`, connections: 50, duration, requests });
await run(2);
const result = await run(DURATION);
const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${app.pid}/status`, 'utf8'))![1]) / 1024;
app.kill('SIGTERM');
await new Promise((r) => app.on('exit', r));
rmSync(dir, { recursive: true, force: true });

console.log(`Runner heartbeats — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0].model}, Node ${process.version}, SQLite, ${RUNNERS} runners, 50 connections, ${DURATION} s\n`);
console.log('| heartbeats/s | p50 ms | p99 ms | max ms | non-2xx | errors | app RSS after MB |');
console.log('|---|---|---|---|---|---|---|');
console.log(`| ${Math.round(result.requests.average)} | ${result.latency.p50} | ${result.latency.p99} | ${result.latency.max} | ${result.non2xx} | ${result.errors} | ${rss.toFixed(0)} |`);
