import { Inject, Injectable } from '@nestjs/common';
import { SQL_PORT, type Sql } from '../database/sql.js';

/** The stored heartbeat rows as the CLI sees them (no ORM): pruning old history. */
@Injectable()
export class HeartbeatHistory {
  constructor(@Inject(SQL_PORT) private readonly sql: Sql) {}

  /** Deletes heartbeat rows older than `before`; returns how many. */
  prune(before: Date): Promise<number> {
    return this.sql.execute('DELETE FROM runner_heartbeats WHERE ts < ?', [this.sql.instant(before)]);
  }
}
