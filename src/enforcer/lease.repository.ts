import { Inject, Injectable } from '@nestjs/common';
import { classifyDbError } from '../database/db-errors.js';
import { SQL_PORT, type Sql } from '../database/sql.js';
import type { EnforcerLease } from './enforcer-lease.entity.js';

/** The holder of a lease its enforcer gave up on stopping (LeaseRepository.yield). */
export const YIELDED = 'stopped:';

/** `peers`: other nodes whose lease was unexpired when this one was written (who could take this node's cameras over). */
export type LeaseResult = { ok: true; lease: EnforcerLease; peers: number } | { ok: false; current: EnforcerLease };

/** Counted in the same statement as the write: a renewal also tells the node whether it is alone. */
const LIVE_PEERS = `(SELECT count(*) FROM enforcer_leases o WHERE o.node <> enforcer_leases.node AND o.expires_at > ?) AS live_peers`;

const toLease = (r: Record<string, unknown>): EnforcerLease => ({
  node: String(r.node), holder: String(r.holder), pid: Number(r.pid), version: String(r.version ?? ''),
  acquiredAt: Number(r.acquired_at), renewedAt: Number(r.renewed_at), expiresAt: Number(r.expires_at),
});

/** The per-node lease row: taken when free or expired, renewed by its holder, released on stop. */
@Injectable()
export class LeaseRepository {
  constructor(@Inject(SQL_PORT) private readonly sql: Sql) {}

  get engine(): Sql['engine'] {
    return this.sql.engine;
  }

  /** Other nodes holding an unexpired lease at `nowMs`. */
  async otherLive(node: string, nowMs: number): Promise<EnforcerLease[]> {
    return (await this.sql.query('SELECT * FROM enforcer_leases WHERE node <> ? AND expires_at > ? ORDER BY node', [node, nowMs])).map(toLease);
  }

  private async find(node: string, over: Sql = this.sql): Promise<EnforcerLease | null> {
    const [row] = await over.query('SELECT * FROM enforcer_leases WHERE node = ?', [node]);
    return row ? toLease(row) : null;
  }

  /**
   * Takes or renews the lease for `ttlMs`; fails while another holder's lease is unexpired,
   * unless that holder is `staleHolder` (a process known to be dead). `over`: the connection to
   * write it on (the node's own session, NodePresence.session; by default the pool).
   */
  async acquire(
    node: string, holder: string, pid: number, version: string, nowMs: number, ttlMs: number,
    { staleHolder = holder, over = this.sql }: { staleHolder?: string; over?: Sql } = {},
  ): Promise<LeaseResult> {
    const expiresAt = nowMs + ttlMs;
    const updated = await over.query(
      `UPDATE enforcer_leases SET holder = ?, pid = ?, version = ?, renewed_at = ?, expires_at = ? WHERE node = ? AND (holder = ? OR holder = ? OR expires_at < ? OR holder LIKE '${YIELDED}%') RETURNING *, ${LIVE_PEERS}`,
      [holder, pid, version, nowMs, expiresAt, node, holder, staleHolder, nowMs, nowMs],
    );
    if (updated.length > 0) return { ok: true, lease: toLease(updated[0]), peers: Number(updated[0].live_peers) };
    const current = await this.find(node, over);
    if (current) return { ok: false, current };
    try {
      const [row] = await over.query(
        `INSERT INTO enforcer_leases (node, holder, pid, version, acquired_at, renewed_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *, ${LIVE_PEERS}`,
        [node, holder, pid, version, nowMs, nowMs, expiresAt, nowMs],
      );
      return { ok: true, lease: toLease(row), peers: Number(row.live_peers) };
    } catch (error) {
      if (classifyDbError(error) !== 'unique') throw error;
      return { ok: false, current: (await this.find(node, over))! };
    }
  }

  /**
   * A stopping enforcer yields its lease: any enforcer of this node may take it at once (the same
   * one restarted), while the others go on counting the node live until `untilMs` — so a restart
   * moves none of its cameras, and a node that does not come back has them moved after that.
   */
  async yield(node: string, holder: string, untilMs: number): Promise<void> {
    await this.sql.execute('UPDATE enforcer_leases SET holder = ?, expires_at = ? WHERE node = ? AND holder = ?', [`${YIELDED}${holder}`.slice(0, 200), untilMs, node, holder]);
  }

  async release(node: string, holder: string): Promise<void> {
    await this.sql.execute('DELETE FROM enforcer_leases WHERE node = ? AND holder = ?', [node, holder]);
  }

  async list(): Promise<EnforcerLease[]> {
    return (await this.sql.query('SELECT * FROM enforcer_leases ORDER BY node')).map(toLease);
  }
}
