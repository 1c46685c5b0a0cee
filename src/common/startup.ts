import { ConfigError, EXIT_CONFIG } from '../config/config.error.js';
import { maskCredentials } from './mask.js';

/**
 * Turns a start-up failure into one line on stderr and an exit code systemd can act on:
 * 78 for configuration, 1 for anything else. Operators get what is wrong, not a stack.
 */
export function describeStartupError(error: unknown): { line: string; code: number } {
  if (error instanceof ConfigError) return { line: error.message, code: EXIT_CONFIG };
  const e = error as NodeJS.ErrnoException & { address?: string; port?: number };
  if (e?.code === 'EADDRINUSE') {
    return { line: `Cannot listen on ${e.address ?? ''}:${e.port ?? ''}: the address is already in use (another bisk HTTP app?)`, code: 1 };
  }
  if (e?.code === 'EACCES' && e.syscall === 'listen') {
    return { line: `Cannot listen on ${e.address ?? ''}:${e.port ?? ''}: permission denied (ports below 1024 need privileges)`, code: 1 };
  }
  if (e?.code === 'ECONNREFUSED' || e?.code === 'ENOTFOUND' || /database|sqlite|postgres|connect/i.test(e?.message ?? '')) {
    return { line: `Cannot open the database: ${maskCredentials(e?.message ?? String(error))}`, code: 1 };
  }
  return { line: `Start-up failed: ${maskCredentials(e?.message ?? String(error))}`, code: 1 };
}

export function exitOnStartupError(error: unknown): never {
  const { line, code } = describeStartupError(error);
  process.stderr.write(`${line}\n`);
  process.exit(code);
}
