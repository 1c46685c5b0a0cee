import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = `${ROOT}dist/src/cli.js`;
export const MAIN = `${ROOT}dist/src/main.js`;

/** The process tests run the built entry points exactly as systemd and operators do (`npm test` builds first). */
export function requireBuild(): void {
  if (!existsSync(CLI) || !existsSync(MAIN)) throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
}

/** A clean environment for a child: only what the product reads, plus PATH/HOME. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, TZ: 'UTC', ...extra };
}

export function runCli(args: string[], env: Record<string, string>, cwd = ROOT) {
  const result = spawnSync(process.execPath, [CLI, ...args], { env: childEnv(env), cwd, encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Running {
  child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exit(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startProcess(script: string, args: string[], env: Record<string, string>): Running {
  const child = spawn(process.execPath, [script, ...args], { env: childEnv(env), cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => output,
    async waitFor(pattern, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (child.exitCode !== null) throw new Error(`process exited (${child.exitCode}) before ${pattern}: ${output}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}: ${output}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async exit(timeoutMs = 15_000) {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
