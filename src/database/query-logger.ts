import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/** `INSERT on "schedule_windows"`: what kind of statement and which table, never its values. */
export function describeStatement(query: string): string {
  const verb = /^\s*(\w+)/.exec(query)?.[1]?.toUpperCase() ?? 'statement';
  const table = /\b(?:from|into|update)\s+("[^"]{1,64}"|[\w.]{1,64})/i.exec(query)?.[1];
  return table ? `${verb} on ${table}` : verb;
}

const oneLine = (text: string, max: number) => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
};

/**
 * TypeORM's log, through the product's logger. A failed query is one short error line — what
 * kind of statement on which table, and the driver's message — never the SQL text with its
 * parameters: those are values from requests (stream passwords among them) and a generated
 * statement can run to many kilobytes. The statement's beginning, still without parameters,
 * is kept at debug level for diagnosis.
 */
export class QueryLogger implements TypeOrmLogger {
  private readonly logger = new Logger('Database');

  logQuery(): void {}

  logQueryError(error: string | Error, query: string): void {
    const message = error instanceof Error ? error.message : String(error);
    this.logger.error(`query failed (${describeStatement(query)}): ${oneLine(message, 300)}`);
    this.logger.debug(`failed statement (no parameters): ${oneLine(query, 500)}`);
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn(`slow query (${describeStatement(query)}): ${time} ms`);
  }

  logSchemaBuild(message: string): void {
    this.logger.debug(message);
  }

  logMigration(message: string): void {
    this.logger.debug(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    const text = oneLine(String(message), 300);
    if (level === 'warn') this.logger.warn(text);
    else this.logger.debug(text);
  }
}
