import type { LogLevelName } from '../config/config.schema.js';
import { maskCredentials } from './mask.js';

/**
 * The logger of code that also runs outside Nest (the enforcer under `bisk run-enforcer`).
 * Lines go to a sink: inside a Nest context the sink is Nest's logger (BiskLogger); in the
 * Nest-free enforcer process it is `consoleSink`, with the same masking and journald format.
 */
export type LogSink = (level: LogLevelName, context: string, message: string) => void;

const LEVELS: LogLevelName[] = ['error', 'warn', 'log', 'debug', 'verbose'];

/** sd-daemon(3) level prefixes: journald files each line under its priority. */
export const JOURNAL_PRIORITY: Record<string, number> = { fatal: 2, error: 3, warn: 4, log: 6, debug: 7, verbose: 7 };

/** One journal entry per event: embedded newlines (stack traces) stay inside it. */
export const journalLine = (level: string, context: string, text: string) => `<${JOURNAL_PRIORITY[level] ?? 6}>${context ? `[${context}] ` : ''}${text.replace(/\n/g, ' ⏎ ')}\n`;

export function consoleSink(threshold: LogLevelName = 'log', journal = Boolean(process.env.JOURNAL_STREAM) && !process.stdout.isTTY): LogSink {
  const max = LEVELS.indexOf(threshold);
  return (level, context, message) => {
    if (LEVELS.indexOf(level) > max) return;
    const text = maskCredentials(message);
    const line = journal ? journalLine(level, context, text) : `${new Date().toISOString()} ${level.toUpperCase().padStart(7)} [${context}] ${text}\n`;
    (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(line);
  };
}

let sink: LogSink = consoleSink();

export function setLogSink(next: LogSink): void {
  sink = next;
}

export class Log {
  constructor(private readonly context: string) {}
  log(message: string): void {
    sink('log', this.context, message);
  }
  warn(message: string): void {
    sink('warn', this.context, message);
  }
  error(message: string): void {
    sink('error', this.context, message);
  }
  debug(message: string): void {
    sink('debug', this.context, message);
  }
}
