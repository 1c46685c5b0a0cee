import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import type { LogLevelName } from '../config/config.schema.js';
import { maskCredentials } from './mask.js';

const LEVELS: LogLevelName[] = ['error', 'warn', 'log', 'debug', 'verbose'];

/** sd-daemon(3) level prefixes: journald files each line under its priority. */
const JOURNAL_PRIORITY: Record<string, number> = { fatal: 2, error: 3, warn: 4, log: 6, debug: 7, verbose: 7 };

/** One journal entry per event: embedded newlines (stack traces) stay inside it. */
export const journalLine = (level: string, context: string, text: string) => `<${JOURNAL_PRIORITY[level] ?? 6}>${context ? `[${context}] ` : ''}${text.replace(/\n/g, ' ⏎ ')}\n`;

const BOOT_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory']);

const mask = (value: unknown) => (typeof value === 'string' ? maskCredentials(value) : value);

/**
 * The product's one logger: every host (HTTP app, CLI context, demo) passes it to Nest at
 * start, and all code logs through Nest's `Logger`. Nest's console logger with stream-URL credentials masked in every line and no colour off a
 * TTY. Under systemd (journald attached to stdout/stderr) each line is `<priority>[Context]
 * message`: journald adds time, host and PID itself and files the line under its level.
 */
export class BiskLogger extends ConsoleLogger {
  constructor(
    level: LogLevelName = 'log',
    private readonly journal = Boolean(process.env.JOURNAL_STREAM) && !process.stdout.isTTY,
  ) {
    super({
      logLevels: ['fatal', ...LEVELS.slice(0, LEVELS.indexOf(level) + 1)] as LogLevel[],
      colors: Boolean(process.stdout.isTTY),
    });
  }

  protected override formatMessage(
    logLevel: LogLevel, message: unknown, pidMessage: string, formattedLogLevel: string, contextMessage: string, timestampDiff: string,
  ): string {
    if (!this.journal) return super.formatMessage(logLevel, message, pidMessage, formattedLogLevel, contextMessage, timestampDiff);
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    return journalLine(logLevel, '', `${contextMessage}${text}`);
  }
  override log(message: unknown, ...rest: unknown[]) {
    // Nest's per-module and per-route start-up lines are noise in a journal: debug level.
    if (rest.length === 1 && typeof rest[0] === 'string' && BOOT_CONTEXTS.has(rest[0])) {
      super.debug(mask(message), ...rest);
      return;
    }
    super.log(mask(message), ...rest.map(mask));
  }
  override error(message: unknown, ...rest: unknown[]) {
    super.error(mask(message), ...rest.map(mask));
  }
  override warn(message: unknown, ...rest: unknown[]) {
    super.warn(mask(message), ...rest.map(mask));
  }
  override debug(message: unknown, ...rest: unknown[]) {
    super.debug(mask(message), ...rest.map(mask));
  }
  override verbose(message: unknown, ...rest: unknown[]) {
    super.verbose(mask(message), ...rest.map(mask));
  }
  override fatal(message: unknown, ...rest: unknown[]) {
    super.fatal(mask(message), ...rest.map(mask));
  }
}
