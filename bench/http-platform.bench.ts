import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

/**
 * HTTP platform choice, measured: the same Nest app (validation, Swagger, Terminus) on
 * Express and on Fastify, each in its own process, loaded by autocannon from this process.
 * Prints a Markdown table for bench/RESULTS.md.
 */
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 50;
const APP = fileURLToPath(new URL('./platform-app.js', import.meta.url));
const BODY = JSON.stringify({ camera_id: 3, profile_id: 1, pid: 4242, camera_fps: 25, processed_fps: 6, target_fps: 6, detected: 2, matched: 1, latency_ms: 41.5, last_error: '' });

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function measure(platform: 'fastify' | 'express') {
  const port = await freePort();
  const child = fork(APP, [platform, String(port)], { stdio: 'ignore' });
  await new Promise<void>((resolve) => child.on('message', () => resolve()));
  const idleRss = rssMb(child.pid!);
  const run = (opts: autocannon.Options) => autocannon({ connections: CONNECTIONS, duration: DURATION, ...opts });
  // Warm-up, then the measured runs.
  await run({ url: `http://127.0.0.1:${port}/api/runner/heartbeat`, method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY, duration: 2 });
  const post = await run({ url: `http://127.0.0.1:${port}/api/runner/heartbeat`, method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
  const health = await run({ url: `http://127.0.0.1:${port}/health/live` });
  const loadedRss = rssMb(child.pid!);
  child.kill('SIGTERM');
  return { platform, post, health, idleRss, loadedRss };
}

const rows = [];
for (const platform of ['express', 'fastify'] as const) rows.push(await measure(platform));
console.log(`HTTP platform — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0].model}, Node ${process.version}, ${CONNECTIONS} connections, ${DURATION} s per run\n`);
console.log('| platform | heartbeat POST req/s | p50 / p99 ms | non-2xx | /health/live req/s | RSS idle / after MB |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.platform} | ${Math.round(r.post.requests.average)} | ${r.post.latency.p50} / ${r.post.latency.p99} | ${r.post.non2xx} | ${Math.round(r.health.requests.average)} | ${r.idleRss.toFixed(0)} / ${r.loadedRss.toFixed(0)} |`,
  );
}
const [express, fastify] = rows;
console.log(`\nFastify / Express heartbeat throughput: ${(fastify.post.requests.average / express.post.requests.average).toFixed(2)}×`);
