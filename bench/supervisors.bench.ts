import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bisk, CLI, machine, median, pct, ProcessWatch, ROOT, rssMb, saveResult, seedAlwaysOn, sleep } from './support.js';

/**
 * The part this product shares with supervisord and PM2 — keeping N programs alive — measured
 * on the same work: N copies of a dummy runner that becomes `sleep 86401`.
 *  1. cold start: from launching the supervisor until all N programs run (process table);
 *  2. restart after an outside kill: SIGKILL of one original program at a time, latency until
 *     its replacement runs, p50/p95;
 *  3. memory: RSS of the supervising process, idle (no programs) and with N programs.
 * Peers are installed for the run only: supervisord from Debian's `supervisor` package, PM2
 * from npm into a temporary prefix. Prints Markdown and writes bench/results/supervisors.json.
 */
const N = Number(process.env.BENCH_PROGRAMS ?? 200);
const KILLS = Number(process.env.BENCH_KILLS ?? 50);
/** Programs must have run this long before they are killed (a stable minute for the enforcer's back-off). */
const SETTLE_MS = Number(process.env.BENCH_SETTLE_SECONDS ?? 62) * 1000;
const RUNNER = join(ROOT, 'bench/fixtures/idle-runner.sh');
const PM2_PREFIX = process.env.BENCH_PM2_PREFIX ?? join(tmpdir(), 'bisk-bench-pm2');
const watch = new ProcessWatch(['sleep', '86401']);

interface Running {
  /** The supervising process(es) whose memory is reported. */
  pids(): number[];
  stop(): Promise<void>;
}

interface Supervisor {
  name: string;
  version: string;
  /** Writes its configuration (and database) for `programs` programs; `start` launches it. */
  prepare(programs: number, dir: string): Promise<() => Running>;
}

const exited = (child: ChildProcess) => new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));

const enforcer: Supervisor = {
  name: 'bisk run-enforcer',
  version: JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version,
  async prepare(programs, dir) {
    const env = {
      ...process.env, DATABASE_URL: join(dir, 'bisk.sqlite'), ENFORCER_LOCK_FILE: join(dir, 'enforcer.lock'), BISK_DATA_DIR: dir,
      RUNNER_COMMAND: RUNNER, RUNNER_LOG_DIR: join(dir, 'logs'), NODE_NAME: 'bench', ENFORCER_INTERVAL_SECONDS: '15', LOG_LEVEL: 'warn',
    };
    await bisk(['migrate'], env);
    seedAlwaysOn(join(dir, 'bisk.sqlite'), programs);
    return () => {
      const child = spawn(process.execPath, [CLI, 'run-enforcer'], { env, stdio: 'ignore' });
      return {
        pids: () => [child.pid!],
        stop: async () => {
          child.kill('SIGTERM');
          await exited(child);
        },
      };
    };
  },
};

const supervisord: Supervisor = {
  name: 'supervisord',
  version: spawnSync('supervisord', ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? 'missing',
  async prepare(programs, dir) {
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const lines = [
      '[supervisord]', 'nodaemon=true', `logfile=${join(dir, 'supervisord.log')}`, `pidfile=${join(dir, 'supervisord.pid')}`, `childlogdir=${join(dir, 'logs')}`, 'loglevel=warn', '',
      '[unix_http_server]', `file=${join(dir, 'supervisor.sock')}`, '',
      '[rpcinterface:supervisor]', 'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface', '',
    ];
    for (let i = 1; i <= programs; i++) {
      // startsecs=0: "running" as soon as it is spawned, like the other two.
      lines.push(`[program:r${i}]`, `command=${RUNNER}`, 'autostart=true', 'autorestart=true', 'startsecs=0', 'startretries=1000000', 'redirect_stderr=true', `stdout_logfile=${join(dir, 'logs', `r${i}.log`)}`, '');
    }
    writeFileSync(join(dir, 'supervisord.conf'), lines.join('\n'));
    return () => {
      const child = spawn('supervisord', ['-c', join(dir, 'supervisord.conf')], { stdio: 'ignore' });
      return {
        pids: () => [child.pid!],
        stop: async () => {
          child.kill('SIGTERM');
          await exited(child);
        },
      };
    };
  },
};

function pm2Bin(): string {
  const bin = join(PM2_PREFIX, 'node_modules/.bin/pm2');
  if (!existsSync(bin)) {
    mkdirSync(PM2_PREFIX, { recursive: true });
    const r = spawnSync('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', PM2_PREFIX, 'pm2@7'], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('could not install pm2 for the benchmark');
  }
  return bin;
}

const pm2: Supervisor = {
  name: 'PM2 (daemon)',
  get version() {
    return JSON.parse(readFileSync(join(PM2_PREFIX, 'node_modules/pm2/package.json'), 'utf8')).version;
  },
  async prepare(programs, dir) {
    const bin = pm2Bin();
    const env = { ...process.env, PM2_HOME: join(dir, 'pm2'), PM2_DISABLE_VERSION_CHECK: 'true' };
    const apps = Array.from({ length: programs }, (_, i) => ({
      name: `r${i + 1}`, script: RUNNER, interpreter: 'none', autorestart: true, max_restarts: 1_000_000, min_uptime: 0,
      out_file: join(dir, 'logs', `r${i + 1}.log`), error_file: join(dir, 'logs', `r${i + 1}.log`),
    }));
    writeFileSync(join(dir, 'ecosystem.config.cjs'), `module.exports = ${JSON.stringify({ apps })};\n`);
    const run = (args: string[]) => new Promise<void>((resolve) => spawn(bin, args, { env, stdio: 'ignore' }).once('exit', () => resolve()));
    const pidFile = join(dir, 'pm2', 'pm2.pid');
    return () => {
      // `pm2 start` starts the daemon and hands it the apps; `pm2 ping` only starts the daemon.
      void run(programs > 0 ? ['start', join(dir, 'ecosystem.config.cjs')] : ['ping']);
      return {
        pids: () => (existsSync(pidFile) ? [Number(readFileSync(pidFile, 'utf8'))] : []),
        stop: () => run(['kill']),
      };
    };
  },
};

async function settleToZero(): Promise<void> {
  try {
    await watch.until((live) => live.size === 0, performance.now(), 30_000, 50);
  } catch {
    for (const pid of watch.scan()) process.kill(pid, 'SIGKILL');
  }
}

async function measure(s: Supervisor) {
  await settleToZero();
  // 3a. Idle memory: the supervisor with nothing to supervise.
  let dir = mkdtempSync(join(tmpdir(), 'bisk-sup-bench-'));
  let running = (await s.prepare(0, dir))();
  // Sampled at 5 s (just started) and at 30 s (settled: V8's memory reducer has run in the Node daemons).
  await sleep(5000);
  const idleEarlyRss = running.pids().reduce((sum, pid) => sum + rssMb(pid), 0);
  await sleep(25_000);
  const idleRss = running.pids().reduce((sum, pid) => sum + rssMb(pid), 0);
  await running.stop();
  rmSync(dir, { recursive: true, force: true });

  // 1. Cold start of N programs.
  dir = mkdtempSync(join(tmpdir(), 'bisk-sup-bench-'));
  const start = await s.prepare(N, dir);
  const t0 = performance.now();
  running = start();
  const launchedAt = performance.now();
  const cold = await watch.until((live) => live.size >= N, t0, 120_000);
  const coldMs = cold.ms;
  process.stderr.write(`${s.name}: ${N} running after ${coldMs.toFixed(0)} ms; settling ${SETTLE_MS / 1000} s\n`);
  await sleep(Math.max(0, SETTLE_MS - (performance.now() - launchedAt)));
  const loadedRss = running.pids().reduce((sum, pid) => sum + rssMb(pid), 0);

  // 2. Restart after an outside kill: one original program at a time.
  const known = new Set(watch.scan());
  const originals = [...known].sort(() => Math.random() - 0.5).slice(0, KILLS);
  const latencies: number[] = [];
  for (const victim of originals) {
    const k0 = performance.now();
    process.kill(victim, 'SIGKILL');
    const back = await watch.until((live) => !live.has(victim) && [...live].some((pid) => !known.has(pid)) && live.size >= N, k0, 30_000, 2);
    latencies.push(back.ms);
    for (const pid of back.live) known.add(pid);
    await sleep(100);
  }
  const afterRss = running.pids().reduce((sum, pid) => sum + rssMb(pid), 0);
  await running.stop();
  await settleToZero();
  rmSync(dir, { recursive: true, force: true });
  return {
    name: s.name, version: s.version, programs: N, coldStartMs: Math.round(coldMs),
    restart: { n: latencies.length, p50: median(latencies), p95: pct(latencies, 95), max: Math.max(...latencies), all: latencies.map((l) => Math.round(l * 10) / 10) },
    rssMb: { idleAt5s: Math.round(idleEarlyRss * 10) / 10, idle: Math.round(idleRss * 10) / 10, loaded: Math.round(loadedRss * 10) / 10, afterKills: Math.round(afterRss * 10) / 10 },
  };
}

const only = process.env.BENCH_SUPERVISORS?.split(',');
const supervisors = [enforcer, supervisord, pm2].filter((s) => !only || only.some((o) => s.name.toLowerCase().includes(o.toLowerCase())));
const results = [];
for (const s of supervisors) results.push(await measure(s));
saveResult('supervisors', { programs: N, kills: KILLS, results });

const base = results.find((r) => r.name === enforcer.name);
const ratio = (v: number, b?: number) => (b ? `${(v / b).toFixed(2)}×` : '');
console.log(`Supervisors — ${machine()}\n`);
console.log(`${N} programs (dummy runner → \`sleep 86401\`), ${KILLS} outside SIGKILLs after a ${SETTLE_MS / 1000} s settle:\n`);
console.log(`| supervisor | version | cold start ms | vs bisk | restart p50 / p95 / max ms | RSS idle MB (at 5 s → 30 s) | RSS with ${N} MB |`);
console.log('|---|---|---|---|---|---|---|');
for (const r of results) {
  console.log(
    `| ${r.name} | ${r.version.split('\n')[0]} | ${r.coldStartMs} | ${ratio(r.coldStartMs, base?.coldStartMs)} | ${r.restart.p50.toFixed(1)} / ${r.restart.p95.toFixed(1)} / ${r.restart.max.toFixed(1)} | ${r.rssMb.idleAt5s} → ${r.rssMb.idle} | ${r.rssMb.loaded} (${r.rssMb.afterKills} after kills) |`,
  );
}
