import { Injectable, Logger } from '@nestjs/common';
import type pg from 'pg';
import { AppConfig } from '../config/app-config.js';
import { postgresLimits, postgresSql, type Queryable, type Sql } from '../database/sql.js';

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

/**
 * How many nodes of a fleet look at the others' sessions in each PEER_WATCH_MS, on average. A node
 * that sees a change tells every node at once (NOTIFY on PEER_CHANNEL), so the fleet needs only
 * a few watchers at a time, not all of them: each node watches every PEER_WATCH_MS × nodes /
 * PEER_WATCHERS (jittered, at least every PEER_WATCH_MS) — the fleet's watch statements per second
 * stay constant as it grows (100 nodes: 8/s, not 200/s, each reading every session of the server).
 */
export const PEER_WATCHERS = 4;

/** The channel on which a node that saw the live-node set change tells the others (LISTENed on the node's own session). */
export const PEER_CHANNEL = 'bisk_nodes';

/** NOTIFY payloads must stay under 8,000 bytes. */
const PEER_PAYLOAD_MAX = 7_900;

/** A peer's announcement, or null when it carries none (or one this version cannot read): then tick. */
export function parseChange(payload: string | undefined): { nodes: string[]; affected: string[] } | null {
  try {
    const value = JSON.parse(payload ?? '') as { nodes?: unknown; affected?: unknown };
    const names = (v: unknown) => Array.isArray(v) && v.every((n) => typeof n === 'string');
    return names(value.nodes) && names(value.affected) ? { nodes: value.nodes as string[], affected: value.affected as string[] } : null;
  } catch {
    return null;
  }
}

/** Milliseconds until a node of a `nodes`-node fleet looks at the others' sessions again; `jitter` in [0, 1) spreads the watchers. */
export function peerWatchGapMs(nodes: number, jitter: number): number {
  const mean = PEER_WATCH_MS * Math.max(1, nodes / PEER_WATCHERS);
  return mean <= PEER_WATCH_MS ? PEER_WATCH_MS : Math.round(mean * (0.5 + jitter));
}

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
  private sessionSql: Sql | null = null;
  private opening: Promise<void> | null = null;
  /** Until ensure() is called, and again after close(): the session is not wanted (never reopened when lost). */
  private closed = true;
  /** pg_postmaster_start_time() as this process last saw it, epoch ms. */
  private serverStart: number | null = null;
  private lostListener: (reason: string) => void = () => {};
  private peersListener: (change: { nodes: string[]; affected: string[] } | null) => void = () => {};

  constructor(private readonly config: AppConfig) {}

  get enabled(): boolean {
    return this.config.database.engine === 'postgres';
  }

  get open(): boolean {
    return this.client !== null;
  }

  /**
   * The node's own session as an SQL port, while it is open: the lease is written through it
   * (EnforcerLock), so a renewal never waits behind the tick's statements for one of the pool's
   * few connections — under load that wait was what let leases run out on busy but healthy nodes.
   */
  get session(): Sql | null {
    return this.sessionSql;
  }

  /**
   * Called when another node says the live nodes changed (a NOTIFY on PEER_CHANNEL), with what
   * it saw — or null when it did not say (then every node should tick).
   */
  onPeersChanged(listener: (change: { nodes: string[]; affected: string[] } | null) => void): void {
    this.peersListener = listener;
  }

  /**
   * Tells every other node's session that the live nodes changed: the set now, and the nodes whose
   * floating cameras move (they tick at once; the others only take note). Over NOTIFY's payload
   * limit the list is left out and every node ticks. Nothing when the session is not open.
   */
  async announce(nodes: string[], affected: string[]): Promise<void> {
    const full = JSON.stringify({ nodes, affected });
    const payload = Buffer.byteLength(full) < PEER_PAYLOAD_MAX ? full : '';
    await this.client?.query('SELECT pg_notify($1, $2)', [PEER_CHANNEL, payload]);
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
      // The other nodes' "the live set changed" (not this session's own).
      client.on('notification', (message) => {
        if (message.channel === PEER_CHANNEL && message.processId !== (client as unknown as { processID?: number }).processID) this.peersListener(parseChange(message.payload));
      });
      await client.query(`LISTEN ${PEER_CHANNEL}`);
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
      this.sessionSql = null;
      if (!this.closed) void this.lost(failure);
    });
    this.client = client;
    this.sessionSql = postgresSql(client as unknown as Queryable, { statementTimeoutMs: this.config.statementTimeoutMs });
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
    this.sessionSql = null;
    await client?.end().catch(() => undefined);
  }
}
