import { Injectable, Logger } from '@nestjs/common';
import type pg from 'pg';
import { AppConfig } from '../config/app-config.js';
import { postgresLimits } from '../database/sql.js';

/**
 * Telling a crashed node from a slow one (§9), on PostgreSQL: every enforcer keeps one session of
 * its own open for as long as it runs, named after its node (`application_name` = `bisk-node
 * <node>`). A process that dies — SIGKILL, a crash, a host losing power with the link still up to
 * the server — has its socket closed by the kernel, and the server ends its session at once. The
 * other nodes see the session gone within PEER_WATCH_MS and take its floating cameras over then,
 * instead of when its lease expires.
 *
 * What keeps that safe:
 * - A node counts as gone only when a session of its current lease holder was seen during this
 *   run of the server and is not there any more (NodeSessions). A restart of PostgreSQL ends every
 *   session at once — never read as deaths; a node of an older version that opens no such
 *   session, or one whose session has not been seen yet, is judged by its lease as before.
 * - The lease is renewed only while this session is open (EnforcerLock.renewLease opens it
 *   first), so a live node with its session gone cannot keep its lease looking fresh.
 * - A node whose own session is closed while the server keeps running (an administrator's
 *   pg_terminate_backend, a middlebox resetting the connection) stops its floating runners at
 *   once (`onLost`): the others may be taking them over already. One that is only cut off, its
 *   session still open on the server, is handled by the lease and self-fencing as before.
 *
 * SQLite has one host: nothing here runs on it.
 */
export const PEER_WATCH_MS = 500;

/** The session name of a node's presence (PostgreSQL keeps 63 bytes of it). */
export const presenceName = (node: string) => Buffer.from(`bisk-node ${node}`).subarray(0, 63).toString();

/** Codes with which the server itself says it is going away (shutdown, crash, starting up): a restart, not a lost node. */
const SERVER_GOING = new Set(['57P01', '57P02', '57P03']);

/** Seen-present sessions per node, so that only a session known to have existed can be missed. */
export class NodeSessions {
  /** node → `${holder}@${serverStart}` of a session seen open. */
  private readonly seen = new Map<string, string>();

  /**
   * Whether each lease's node is gone: its holder's session was seen open during this run of the
   * server (`serverStart`) and is not open now.
   */
  judge(leases: { node: string; holder: string; present: boolean }[], serverStart: number): Set<string> {
    const gone = new Set<string>();
    for (const lease of leases) {
      const key = `${lease.holder}@${serverStart}`;
      if (lease.present) this.seen.set(lease.node, key);
      else if (this.seen.get(lease.node) === key) gone.add(lease.node);
    }
    return gone;
  }
}

@Injectable()
export class NodePresence {
  private readonly logger = new Logger('Enforcer');
  private client: pg.Client | null = null;
  private opening: Promise<void> | null = null;
  /** Until ensure() is called, and again after close(): the session is not wanted (never reopened when lost). */
  private closed = true;
  /** pg_postmaster_start_time() as this process last saw it, epoch ms. */
  private serverStart: number | null = null;
  private lostListener: (reason: string) => void = () => {};

  constructor(private readonly config: AppConfig) {}

  get enabled(): boolean {
    return this.config.database.engine === 'postgres';
  }

  get open(): boolean {
    return this.client !== null;
  }

  /** Called when this node's session was ended by the server while the server kept running. */
  onLost(listener: (reason: string) => void): void {
    this.lostListener = listener;
  }

  /** Opens the session unless it is open (the first lease, or after it was lost); throws when the server cannot be reached. */
  async ensure(): Promise<void> {
    if (!this.enabled) return;
    this.closed = false;
    if (this.client) return;
    this.opening ??= this.connect().finally(() => {
      this.opening = null;
    });
    await this.opening;
  }

  private async connect(): Promise<void> {
    const settings = this.config.database;
    if (settings.engine !== 'postgres') return;
    const { default: pgModule } = await import('pg');
    const client = new pgModule.Client({ connectionString: settings.url, ...postgresLimits({ statementTimeoutMs: this.config.statementTimeoutMs }) });
    let failure: string | null = null;
    // The server's own notice comes first (57P01 …), then the connection's end: keep the first.
    client.on('error', (error: Error & { code?: string }) => {
      failure ??= error.code ?? error.message;
    });
    try {
      await client.connect();
      // Set after connecting: a connection string's own application_name must not rename it.
      await client.query('SELECT set_config($1, $2, false)', ['application_name', presenceName(this.config.enforcer.nodeName)]);
      // A server-wide idle_session_timeout (PostgreSQL 14+) must not end this idle session.
      await client.query('SET idle_session_timeout = 0').catch(() => undefined);
      const { rows } = await client.query<{ started: string }>('SELECT (extract(epoch FROM pg_postmaster_start_time()) * 1000)::bigint AS started');
      this.serverStart = Number(rows[0].started);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    client.once('end', () => {
      if (this.client !== client) return;
      this.client = null;
      if (!this.closed) void this.lost(failure);
    });
    this.client = client;
  }

  /**
   * The session ended without this process closing it. Reopened at once; if the server is the
   * same run (not a restart), the others may already count this node as gone: `onLost`.
   */
  private async lost(code: string | null): Promise<void> {
    const before = this.serverStart;
    try {
      await this.ensure();
    } catch (error) {
      // The server cannot be reached: if it is going away itself, the leases wait for it; a link
      // reset by something in between may have ended the session on the server, so step back now.
      if (code !== null && SERVER_GOING.has(code)) {
        this.logger.warn(`node session lost (${code}): the database is restarting; the lease decides as usual`);
        return;
      }
      this.lostListener(`node ${this.config.enforcer.nodeName}'s database session was lost (${code ?? 'connection closed'}) and cannot be reopened (${(error as Error).message})`);
      return;
    }
    if (this.serverStart === before) {
      this.lostListener(`node ${this.config.enforcer.nodeName}'s database session was ended by the server (${code ?? 'connection closed'}) while the server kept running; the other nodes may be taking its cameras over`);
    } else {
      this.logger.warn('node session reopened after a database restart');
    }
  }

  /**
   * Ends the session: an enforcer letting go of its lease (EnforcerLock.release), after its
   * runners are stopped and its lease row is gone — never before, or the others would start its
   * cameras beside its runners. Not reopened until the next ensure().
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.opening?.catch(() => undefined);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}
