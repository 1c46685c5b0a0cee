import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

/** What the benchmarks share: paths, percentiles, the machine line, seeding, the process table. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'dist/src/cli.js');
export const RESULTS_DIR = join(ROOT, 'bench/results');

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function pct(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const median = (values: number[]) => pct(values, 50);

export function machine(): string {
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim() ? '+changes' : '';
  return `${new Date().toISOString().slice(0, 10)}, commit ${commit}${dirty}, ${cpus().length} × ${cpus()[0].model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export function saveResult(name: string, data: unknown): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${name}.json`), `${JSON.stringify({ machine: machine(), ...(data as object) }, null, 2)}\n`);
}

export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** Runs a `bisk` command to completion; rejects with its stderr on a non-zero exit. */
export function bisk(args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => (code === 0 ? resolve({ stdout, ms: performance.now() - t0 }) : reject(new Error(`bisk ${args.join(' ')} exited ${code}: ${stderr}`))));
  });
}

/** `cameras` cameras on one always-on policy with one profile, written straight into a migrated SQLite file. */
export function seedAlwaysOn(dbFile: string, cameras: number, rtsp = 'rtsp://10.0.0.1/stream'): void {
  const db = new Database(dbFile);
  db.transaction(() => {
    db.exec(`INSERT INTO stream_profiles (name, extra_args) VALUES ('bench', '{}')`);
    db.exec(`INSERT INTO schedule_policies (name) VALUES ('always')`);
    for (let day = 0; day < 7; day++) db.exec(`INSERT INTO schedule_windows (policy_id, day_of_week, start_time, end_time, profile_id) VALUES (1, ${day}, '00:00:00', '00:00:00', 1)`);
    const camera = db.prepare(`INSERT INTO cameras (name, rtsp_url) VALUES (?, ?)`);
    const link = db.prepare(`INSERT INTO schedule_policy_cameras (policy_id, camera_id) VALUES (1, ?)`);
    for (let i = 1; i <= cameras; i++) link.run(camera.run(`cam-${i}`, rtsp).lastInsertRowid);
  })();
  db.close();
}

/** Resident set size of a process in MB (VmRSS), or NaN when it is gone. */
export function rssMb(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Watches the process table for processes whose command line is exactly `argv` (the dummy
 * runner after its `exec`). Only PIDs not seen before are read, so polling every few ms stays
 * cheap with hundreds of processes.
 */
export class ProcessWatch {
  /** pid → whether it matched, and when it was first seen (a young PID may still exec). */
  private readonly seen = new Map<number, { match: boolean; first: number }>();
  private readonly wanted: string;

  constructor(argv: string[]) {
    this.wanted = `${argv.join('\0')}\0`;
  }

  /** PIDs matching now. */
  scan(): Set<number> {
    const live = new Set<number>();
    const now = performance.now();
    const present = new Set<number>();
    for (const name of readdirSync('/proc')) {
      const code = name.charCodeAt(0);
      if (code < 48 || code > 57) continue;
      const pid = Number(name);
      present.add(pid);
      let entry = this.seen.get(pid);
      // Non-matching PIDs younger than a second are read again: between fork and exec (and in a
      // shell script before its own exec) a process still shows another command line.
      if (entry === undefined || (!entry.match && now - entry.first < 1000)) {
        try {
          const match = readFileSync(`/proc/${pid}/cmdline`, 'utf8') === this.wanted;
          entry = { match, first: entry?.first ?? now };
          this.seen.set(pid, entry);
        } catch {
          continue;
        }
      }
      if (entry.match) live.add(pid);
    }
    for (const pid of this.seen.keys()) if (!present.has(pid)) this.seen.delete(pid);
    return live;
  }

  /** Polls until `test` passes on the matching set; returns when it did (ms since `since`). */
  async until(test: (live: Set<number>) => boolean, since: number, timeoutMs: number, everyMs = 5): Promise<{ ms: number; live: Set<number> }> {
    for (;;) {
      const live = this.scan();
      const now = performance.now();
      if (test(live)) return { ms: now - since, live };
      if (now - since > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms with ${live.size} matching processes`);
      await sleep(everyMs);
    }
  }
}

/** Counts the statements sent through an `Sql` port (wraps its query and rows methods). */
export function countingSql<T extends { query: (...a: any[]) => Promise<unknown>; rows: (...a: any[]) => Promise<unknown> }>(sql: T) {
  let count = 0;
  for (const method of ['query', 'rows'] as const) {
    const original = sql[method].bind(sql);
    sql[method] = ((...args: unknown[]) => {
      count++;
      return original(...args);
    }) as T[typeof method];
  }
  return { reset: () => (count = 0), get count() { return count; } };
}

/**
 * The CLI's own Nest context (what `bisk run-enforcer` runs), for benchmarks that drive the
 * tick directly: the SQL port, the tick and the executor out of the EnforcerModule.
 */
export async function openEnforcerContext(config: import('../src/config/app-config.js').AppConfig) {
  await import('reflect-metadata');
  const [{ NestFactory }, { CliModule }, { SQL_PORT }, { EnforcerService }, { RunnerExecutor }] = await Promise.all([
    import('@nestjs/core'),
    import('../src/cli.module.js'),
    import('../src/database/sql.js'),
    import('../src/enforcer/enforcer.service.js'),
    import('../src/enforcer/runner.executor.js'),
  ]);
  const context = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: ['error', 'warn'] });
  return {
    sql: context.get<import('../src/database/sql.js').Sql>(SQL_PORT),
    service: context.get(EnforcerService),
    executor: context.get(RunnerExecutor),
    close: () => context.close(),
  };
}
