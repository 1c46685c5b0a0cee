import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoggerService } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Test, type TestingModule } from '@nestjs/testing';
import pg from 'pg';
import { CliModule } from '../../src/cli.module.js';
import { AppConfig, loadConfig } from '../../src/config/app-config.js';
import { migrateDatabase } from '../../src/database/migrations.js';
import { lazySql } from '../../src/database/sql.module.js';
import { openSql, SQL_PORT, type Sql } from '../../src/database/sql.js';
import { EnforcerScheduler } from '../../src/enforcer/enforcer.scheduler.js';
import { EnforcerService, type TickResult } from '../../src/enforcer/enforcer.service.js';
import { EnforcerBusyError, EnforcerLock } from '../../src/enforcer/lock.adapter.js';
import { rendezvousOwner } from '../../src/enforcer/ownership.js';
import { ProcessAdapter } from '../../src/enforcer/process.adapter.js';
import { TcpProxy } from '../../test/support/tcp-proxy.js';
import { MemoryHosts, MemoryProcessAdapter, type ProcessChange } from './memory-processes.js';

/**
 * A fleet simulator: N enforcer nodes in this one Node process, each the real EnforcerModule in
 * its own Nest context (the CLI's CliModule, what `bisk run-enforcer` runs) with its own config,
 * lock file, state store, SQL pool and lease, on one real PostgreSQL database. Real ticks, real
 * SQL, real leases and handovers; only runner processes are simulated (MemoryHosts), so a
 * hundred hosts with ten thousand runners fit on one machine. A checker follows every process
 * start and end as it happens: a (camera, profile) alive twice at any instant is recorded as a
 * double.
 *
 * What one process cannot separate: the nodes share one event loop (a tick waits while other
 * nodes' ticks run: durations include that wait) and module-level state of the enforcer's code
 * (ownership.ts keeps one owner table per process; here every node moves it to its own view).
 */

export interface FleetOptions {
  /** A PostgreSQL server the fleet may create (and drop) a database on. */
  serverUrl: string;
  nodes: number;
  cameras: number;
  /** Schedule policies, each with 7 whole-day windows: one per camera (default) or this many, shared round-robin. */
  policies?: number | 'per-camera';
  intervalSeconds?: number;
  leaseSeconds?: number;
  /** The first this-many nodes reach PostgreSQL through a TcpProxy of their own, so `cut()` can black-hole their link. */
  proxied?: number;
  /** More settings for every node (RUNNER_STOP_TIMEOUT_SECONDS, DB_STATEMENT_TIMEOUT_MS …). */
  env?: Record<string, string>;
  /** Print the enforcers' errors and warnings as they happen (they are always counted). */
  verbose?: boolean;
}

/** One simulated host: its config, database link, and (while it runs) its Nest context. */
export interface FleetNode {
  name: string;
  index: number;
  config: AppConfig;
  proxy: TcpProxy | null;
  module: TestingModule | null;
  adapter: MemoryProcessAdapter | null;
  sql: MeteredSql | null;
  /** Counted over every lifetime of the node. */
  meter: SqlMeter;
  cut: boolean;
}

export interface TickRecord {
  node: string;
  /** Date.now() when the tick ended. */
  at: number;
  durationMs: number;
  desired: number;
  started: number;
  stopped: number;
}

export interface Double {
  /** ms since the fleet was created. */
  at: number;
  pair: string;
  nodes: string[];
  /** What the fleet saw at that instant, to explain it (Fleet.explain): the event loop's delay, each node's lease age. */
  context?: DoubleContext;
}

export interface DoubleContext {
  /** Longest event-loop delay over the last lease period: a node's fence timer fires that late. */
  loopDelayMaxMs: number;
  /** Per node of the double: ms since its enforcer last renewed its lease (null: not running). */
  sinceRenewMs: Record<string, number | null>;
}

/** How often the fleet samples its event loop's delay (for explaining doubles). */
const LOOP_SAMPLE_MS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const pairKey = (cameraId: number, profileId: number) => `${cameraId}:${profileId}`;
const cameraOf = (pair: string) => Number(pair.slice(0, pair.indexOf(':')));

/** Statements and rows one node sent and got back through its SQL port. */
export class SqlMeter {
  statements = 0;
  rows = 0;
  /** Statement text (IN lists folded) → how often. */
  readonly byText = new Map<string, number>();

  note(text: string): void {
    this.statements++;
    const key = text.replace(/\?(, \?)+/g, '?…').replace(/\s+/g, ' ').slice(0, 120);
    this.byText.set(key, (this.byText.get(key) ?? 0) + 1);
  }
}

/**
 * The node's SQL port (the CLI's lazySql), counted, and killable as a dead process's
 * connections are: after kill() every statement, pending ones included, fails at once.
 */
export class MeteredSql implements Sql {
  readonly engine: Sql['engine'];
  readonly instant: Sql['instant'];
  private dead = false;
  /** Statements in flight: failed at once by kill(). (Not a race against one long-lived promise: each race would stay attached to it, result and all.) */
  private readonly pending = new Set<(error: Error) => void>();

  constructor(
    private readonly inner: Sql,
    private readonly meter: SqlMeter,
  ) {
    this.engine = inner.engine;
    this.instant = inner.instant;
  }

  private run<T>(text: string, work: () => Promise<T>, rows: (result: T) => number): Promise<T> {
    if (this.dead) return Promise.reject(new Error('Connection terminated: the process is gone'));
    this.meter.note(text);
    return new Promise<T>((resolve, reject) => {
      this.pending.add(reject);
      work().then(
        (result) => {
          this.pending.delete(reject);
          this.meter.rows += rows(result);
          resolve(result);
        },
        (error: unknown) => {
          this.pending.delete(reject);
          reject(error);
        },
      );
    });
  }

  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]> {
    return this.run(text, () => this.inner.query<T>(text, params), (r) => r.length);
  }

  execute(text: string, params?: unknown[]): Promise<number> {
    return this.run(text, () => this.inner.execute(text, params), () => 0);
  }

  rows(text: string, params?: unknown[]): Promise<unknown[][]> {
    return this.run(text, () => this.inner.rows(text, params), (r) => r.length);
  }

  /** The process died: its connections close, its statements fail. */
  kill(): void {
    if (this.dead) return;
    this.dead = true;
    for (const reject of this.pending) reject(new Error('Connection terminated: the process is gone'));
    this.pending.clear();
    void this.inner.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.dead) return;
    await this.inner.close();
  }
}

/** Counts the enforcers' log lines by level (Nest's Logger is one per process); prints them when verbose. */
export class FleetLogger implements LoggerService {
  readonly counts = { error: 0, warn: 0 };
  /** The last errors, newest last. */
  readonly recentErrors: string[] = [];
  /** Error lines by their text with numbers folded ("tick failed …"), for the report. */
  readonly errorKinds = new Map<string, number>();

  constructor(private readonly echo = false) {}

  log(): void {}
  debug(): void {}
  verbose(): void {}
  fatal(message: unknown): void {
    this.error(message);
  }

  error(message: unknown): void {
    this.counts.error++;
    const text = String(message);
    this.recentErrors.push(text);
    if (this.recentErrors.length > 50) this.recentErrors.shift();
    const kind = text.replace(/\d+/g, 'N').slice(0, 100);
    this.errorKinds.set(kind, (this.errorKinds.get(kind) ?? 0) + 1);
    if (this.echo) process.stderr.write(`[fleet error] ${text}\n`);
  }

  warn(message: unknown): void {
    this.counts.warn++;
    if (this.echo) process.stderr.write(`[fleet warn] ${String(message)}\n`);
  }
}

/**
 * Follows the process table as it changes: per (camera, profile) the live processes and their
 * hosts; a pair alive twice is a double (recorded at the instant it happens); a wanted pair
 * going from alive to not alive is a "down" episode; "settled" is every wanted pair alive
 * exactly once and nothing else alive.
 */
export class FleetChecker {
  readonly doubles: Double[] = [];
  /** Process starts and ends seen. */
  changes = 0;
  /** Date.now() when the fleet last became settled (null while it is not). */
  settledAt: number | null = null;
  private readonly live = new Map<string, Map<number, string>>();
  private wanted = new Set<string>();
  /** Pairs that keep the fleet from being settled. */
  private readonly bad = new Set<string>();
  private downs = new Map<string, number>();
  /** Date.now() of each pair's last start or end. */
  readonly changedAt = new Map<string, number>();
  /** While tracing: every start and end per pair, for explaining what a scenario saw. */
  private history: Map<string, { at: number; kind: 'start' | 'end' | 'lost'; host: string }[]> | null = null;

  constructor(
    hosts: MemoryHosts,
    private readonly t0: number,
    /** Adds what the fleet knows about a double's instant (called as it is recorded). */
    private readonly explain: (pair: string, nodes: string[]) => DoubleContext | undefined = () => undefined,
  ) {
    hosts.subscribe((change) => this.on(change));
  }

  private on(change: ProcessChange): void {
    const { proc } = change;
    if (proc.cameraId === null || proc.profileId === null) return;
    this.changes++;
    const pair = pairKey(proc.cameraId, proc.profileId);
    const now = Date.now();
    this.changedAt.set(pair, now);
    if (this.history) {
      const entry = { at: now - this.t0, kind: change.kind === 'start' ? ('start' as const) : change.exit ? ('end' as const) : ('lost' as const), host: proc.host };
      const list = this.history.get(pair);
      if (list) list.push(entry);
      else this.history.set(pair, [entry]);
    }
    let procs = this.live.get(pair);
    if (change.kind === 'start') {
      if (!procs) this.live.set(pair, (procs = new Map()));
      procs.set(proc.pid, proc.host);
      if (procs.size > 1) {
        const nodes = [...procs.values()];
        this.doubles.push({ at: now - this.t0, pair, nodes, context: this.explain(pair, nodes) });
      }
    } else if (procs?.delete(proc.pid)) {
      if (procs.size === 0) {
        this.live.delete(pair);
        if (this.wanted.has(pair)) this.downs.set(pair, (this.downs.get(pair) ?? 0) + 1);
      }
    }
    this.judge(pair, now);
  }

  private judge(pair: string, now: number): void {
    const n = this.live.get(pair)?.size ?? 0;
    const ok = this.wanted.has(pair) ? n === 1 : n === 0;
    const wasSettled = this.bad.size === 0;
    if (ok) this.bad.delete(pair);
    else this.bad.add(pair);
    if (this.bad.size === 0 && !wasSettled) this.settledAt = now;
    else if (this.bad.size > 0) this.settledAt = null;
  }

  /** The pairs that should run from now on. */
  setWanted(pairs: Iterable<string>): void {
    this.wanted = new Set(pairs);
    this.bad.clear();
    for (const pair of this.wanted) if ((this.live.get(pair)?.size ?? 0) !== 1) this.bad.add(pair);
    for (const [pair, procs] of this.live) if (!this.wanted.has(pair) && procs.size > 0) this.bad.add(pair);
    this.settledAt = this.bad.size === 0 ? Date.now() : null;
  }

  get settled(): boolean {
    return this.bad.size === 0;
  }

  /** A few of the pairs keeping the fleet from settling, with where they run. */
  unsettled(max = 5): string[] {
    return [...this.bad].slice(0, max).map((pair) => `${pair} on [${[...(this.live.get(pair)?.values() ?? [])].join(', ')}]${this.wanted.has(pair) ? '' : ' (not wanted)'}`);
  }

  /** Cameras of the pairs keeping the fleet from settling (a few). */
  unsettledCameras(max = 5): number[] {
    return [...this.bad].slice(0, max).map(cameraOf);
  }

  /** How many processes a pair has now. */
  count(pair: string): number {
    return this.live.get(pair)?.size ?? 0;
  }

  /** Pair → host, for pairs alive exactly once. */
  placement(): Map<string, string> {
    const placed = new Map<string, string>();
    for (const [pair, procs] of this.live) if (procs.size === 1) placed.set(pair, procs.values().next().value!);
    return placed;
  }

  /** Starts recording every pair's starts and ends (afresh); `takeTrace` hands them over and stops. */
  trace(): void {
    this.history = new Map();
  }

  takeTrace(): Map<string, { at: number; kind: 'start' | 'end' | 'lost'; host: string }[]> {
    const history = this.history ?? new Map();
    this.history = null;
    return history;
  }

  /** Down episodes per pair since the last call (and starts counting afresh). */
  takeDowns(): Map<string, number> {
    const downs = this.downs;
    this.downs = new Map();
    return downs;
  }
}

/**
 * Expected owners of floating cameras for a live-node set, by rendezvous hashing
 * (ownership.ts's rendezvousOwner). The first set is hashed in full; later sets are derived from
 * it, as the hash itself allows: cameras of nodes that left are hashed again over the new set,
 * and each camera compares its owner with the nodes that joined only.
 */
export class ExpectedOwners {
  private base: { nodes: Set<string>; owners: Map<number, string> } | null = null;

  constructor(private readonly cameras: number[]) {}

  for(nodes: string[]): Map<number, string> {
    const next = new Set(nodes);
    if (!this.base) {
      const owners = new Map(this.cameras.map((c) => [c, rendezvousOwner(c, nodes)!]));
      this.base = { nodes: next, owners };
      return owners;
    }
    const joined = nodes.filter((n) => !this.base!.nodes.has(n));
    const owners = new Map<number, string>();
    for (const [camera, owner] of this.base.owners) {
      const stays = next.has(owner);
      owners.set(camera, stays ? (joined.length === 0 ? owner : rendezvousOwner(camera, [owner, ...joined])!) : rendezvousOwner(camera, nodes)!);
    }
    return owners;
  }
}

/** The simulated fleet: its database, its nodes, their process table and the checker over it. */
export class Fleet {
  readonly hosts = new MemoryHosts();
  readonly nodes = new Map<string, FleetNode>();
  readonly ticks: TickRecord[] = [];
  readonly tickFailures = new Map<string, number>();
  readonly logger: FleetLogger;
  readonly checker: FleetChecker;
  readonly cameraIds: number[];
  readonly t0 = Date.now();
  private readonly owners: ExpectedOwners;
  private readonly dir = mkdtempSync(join(tmpdir(), 'bisk-fleet-'));
  private nextIndex = 0;
  /** Starts in flight (a first tick can take long): close() lets them finish first. */
  private readonly starting = new Set<Promise<void>>();
  readonly interval: number;
  readonly lease: number;
  /** Event-loop delay samples [Date.now(), delay ms], the last lease period's worth. */
  private readonly loopDelays: [number, number][] = [];
  private loopExpected = Date.now() + LOOP_SAMPLE_MS;
  private readonly loopTimer: NodeJS.Timeout;

  private constructor(
    private readonly options: FleetOptions,
    readonly databaseUrl: string,
    private readonly databaseName: string,
    readonly sql: Sql,
    cameraIds: number[],
  ) {
    this.interval = options.intervalSeconds ?? 1;
    this.lease = options.leaseSeconds ?? 5;
    this.logger = new FleetLogger(options.verbose);
    this.cameraIds = cameraIds;
    this.owners = new ExpectedOwners(cameraIds);
    this.checker = new FleetChecker(this.hosts, this.t0, (_pair, nodes) => this.explain(nodes));
    this.loopTimer = setInterval(() => this.sampleLoop(), LOOP_SAMPLE_MS);
    this.loopTimer.unref();
    this.checker.setWanted(cameraIds.map((c) => pairKey(c, 1)));
    // Every scheduler listens for SIGUSR1 (enforce now): one listener per simulated node.
    process.setMaxListeners(Math.max(process.getMaxListeners(), 4 * options.nodes + 50));
  }

  /** Creates a fresh database on the server, migrates and seeds it; no node runs yet. */
  static async create(options: FleetOptions): Promise<Fleet> {
    const name = `bisk_fleet_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: options.serverUrl, connectionTimeoutMillis: 5000 });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    const url = new URL(options.serverUrl);
    url.pathname = `/${name}`;
    const config = loadConfig({ DATABASE_URL: url.toString() });
    let sql: Sql | null = null;
    try {
      await migrateDatabase(config.database);
      sql = await openSql(config.database);
      const cameraIds = await seed(sql, options.cameras, options.policies ?? 'per-camera');
      return new Fleet(options, url.toString(), name, sql, cameraIds);
    } catch (error) {
      await sql?.close();
      await dropDatabase(options.serverUrl, name);
      throw error;
    }
  }

  /** How late this sampling timer fired: the delay every node's timers (fence included) see now. */
  private sampleLoop(): void {
    const now = Date.now();
    this.loopDelays.push([now, Math.max(0, now - this.loopExpected)]);
    this.loopExpected = now + LOOP_SAMPLE_MS;
    while (this.loopDelays.length > 0 && this.loopDelays[0][0] < now - this.lease * 1000) this.loopDelays.shift();
  }

  /** The event loop's longest delay over the last lease period, and each node's lease age (from its EnforcerLock). */
  explain(nodes: string[]): DoubleContext {
    const now = Date.now();
    const pending = Math.max(0, now - this.loopExpected);
    const loopDelayMaxMs = Math.max(pending, ...this.loopDelays.map(([, d]) => d));
    const sinceRenewMs: Record<string, number | null> = {};
    for (const name of new Set(nodes)) {
      const lock = this.nodes.get(name)?.module?.get(EnforcerLock, { strict: false }) as unknown as { renewedAt?: number } | undefined;
      sinceRenewMs[name] = lock?.renewedAt ? now - lock.renewedAt : null;
    }
    return { loopDelayMaxMs, sinceRenewMs };
  }

  /** Node names that run now and can reach the database (what the hash should spread cameras over). */
  liveNames(): string[] {
    return [...this.nodes.values()].filter((n) => n.module !== null && !n.cut).map((n) => n.name).sort();
  }

  /** Expected owner of every camera over `nodes` (default: the live ones). */
  expectedOwners(nodes = this.liveNames()): Map<number, string> {
    return this.owners.for(nodes);
  }

  private async addNode(): Promise<FleetNode> {
    const index = this.nextIndex++;
    const name = `fleet-${process.pid}-n${String(index).padStart(3, '0')}`;
    let proxy: TcpProxy | null = null;
    let url = this.databaseUrl;
    if (index < (this.options.proxied ?? 0)) {
      const target = new URL(this.databaseUrl);
      proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
      const via = new URL(this.databaseUrl);
      via.hostname = '127.0.0.1';
      via.port = String(await proxy.start());
      url = via.toString();
    }
    const home = join(this.dir, name);
    const config = loadConfig({
      DATABASE_URL: url,
      NODE_NAME: name,
      TZ: 'UTC',
      ENFORCER_LOCK_FILE: join(home, 'enforcer.lock'),
      BISK_DATA_DIR: home,
      RUNNER_LOG_DIR: join(home, 'logs'),
      SNAPSHOT_DIR: join(home, 'snapshots'),
      ENFORCER_INTERVAL_SECONDS: String(this.interval),
      ENFORCER_LEASE_SECONDS: String(this.lease),
      RUNNER_COMMAND: '/bin/true',
      LOG_LEVEL: 'error',
      REDIS_URL: '',
      ...this.options.env,
    });
    const node: FleetNode = { name, index, config, proxy, module: null, adapter: null, sql: null, meter: new SqlMeter(), cut: false };
    this.nodes.set(name, node);
    return node;
  }

  /** Makes `k` more nodes (not started); returns their names. Default: the configured number. */
  async add(k = this.options.nodes): Promise<string[]> {
    const names: string[] = [];
    for (let i = 0; i < k; i++) names.push((await this.addNode()).name);
    return names;
  }

  /** Starts these nodes all at once. */
  async startMany(names: string[]): Promise<void> {
    await Promise.all(names.map((name) => this.start(name)));
  }

  /** `k` more nodes join (started at once); returns their names. */
  async join(k: number): Promise<string[]> {
    const names = await this.add(k);
    await this.startMany(names);
    return names;
  }

  private node(name: string): FleetNode {
    const node = this.nodes.get(name);
    if (!node) throw new Error(`no node ${name}`);
    return node;
  }

  /**
   * Starts a node's enforcer: a fresh Nest context of the CLI module with the in-memory process
   * adapter (Nest's testing module replaces ProcessAdapter inside EnforcerModule) and the
   * metered SQL port. A node whose previous enforcer died with its lease unexpired waits for
   * that lease to run out, as a host coming back does.
   */
  async start(name: string, waitForLeaseMs = (this.lease + 10) * 1000): Promise<void> {
    const starting = this.startNode(name, waitForLeaseMs);
    this.starting.add(starting);
    try {
      await starting;
    } finally {
      this.starting.delete(starting);
    }
  }

  private async startNode(name: string, waitForLeaseMs: number): Promise<void> {
    const node = this.node(name);
    if (node.module) return;
    const adapter = new MemoryProcessAdapter(this.hosts, name);
    const module = await Test.createTestingModule({ imports: [CliModule.forRoot(node.config)] })
      .setLogger(this.logger)
      .overrideProvider(ProcessAdapter)
      .useValue(adapter)
      .overrideProvider(SQL_PORT)
      .useFactory({ factory: (config: AppConfig) => (node.sql = new MeteredSql(lazySql(config), node.meter)), inject: [AppConfig] })
      .compile();
    await module.init();
    this.recordTicks(node, module.get(EnforcerService));
    const scheduler = module.get(EnforcerScheduler);
    const deadline = Date.now() + waitForLeaseMs;
    for (;;) {
      try {
        await scheduler.start();
        break;
      } catch (error) {
        if (!(error instanceof EnforcerBusyError) || Date.now() > deadline) {
          node.sql?.kill();
          await module.close();
          throw error;
        }
        await sleep(200);
      }
    }
    node.module = module;
    node.adapter = adapter;
  }

  private recordTicks(node: FleetNode, service: EnforcerService): void {
    const tick = service.tick.bind(service);
    service.tick = async (): Promise<TickResult> => {
      try {
        const result = await tick();
        this.ticks.push({ node: node.name, at: Date.now(), durationMs: result.durationMs, desired: result.desired, started: result.started, stopped: result.stopped });
        return result;
      } catch (error) {
        this.tickFailures.set(node.name, (this.tickFailures.get(node.name) ?? 0) + 1);
        throw error;
      }
    };
  }

  /**
   * The host dies (power): its runners vanish without a word, its database connections close
   * as a dead process's do (and its presence session, where the enforcer has one), its timers
   * stop, and its context is closed with nothing left to stop gracefully: no lease released.
   */
  async kill(name: string): Promise<void> {
    const node = this.node(name);
    const module = node.module;
    if (!module) return;
    node.module = null;
    this.hosts.crashHost(name);
    node.sql?.kill();
    for (const presence of findProviders(module, 'NodePresence') as { ensure?: () => Promise<void>; close?: () => unknown }[]) {
      // A dead process opens nothing again: a tick still on its way here must not reopen the session (and write the lease on it).
      presence.ensure = async () => {
        throw new Error('Connection terminated: the process is gone');
      };
      void Promise.resolve(presence.close?.()).catch(() => undefined);
    }
    stopTimers(module.get(SchedulerRegistry));
    await module.close();
    node.sql = null;
    node.adapter = null;
  }

  /** A graceful stop (SIGTERM under systemd): the tick finishes, runners are stopped, the lease released. */
  async stop(name: string): Promise<void> {
    const node = this.node(name);
    const module = node.module;
    if (!module) return;
    await module.get(EnforcerScheduler).stop();
    node.module = null;
    await module.close();
    node.sql = null;
    node.adapter = null;
  }

  /** The node's database link becomes a black hole: packets are dropped, nothing is refused. */
  cut(name: string): void {
    const node = this.node(name);
    if (!node.proxy) throw new Error(`node ${name} has no proxy (FleetOptions.proxied)`);
    node.proxy.hold();
    node.cut = true;
  }

  /** The link carries traffic again; what waited is delivered. */
  restore(name: string): void {
    const node = this.node(name);
    node.proxy?.release();
    node.cut = false;
  }

  /**
   * Waits until the fleet is settled (every wanted pair alive exactly once) and, with `nodes`,
   * every camera on its rendezvous owner over those nodes. Returns ms from `since` to the
   * instant it became so (from the process table's own changes, not the polling). A double
   * while waiting ends the wait at once: a fleet that runs pairs twice is not going to settle.
   */
  async waitSettled({ nodes, since = Date.now(), timeoutMs = 120_000, what = 'fleet settled' }: { nodes?: string[]; since?: number; timeoutMs?: number; what?: string } = {}): Promise<number> {
    const expected = nodes ? this.expectedOwners(nodes) : null;
    const deadline = Date.now() + timeoutMs;
    const doubles = this.checker.doubles.length;
    for (;;) {
      if (this.checker.settled && (!expected || this.placedOn(expected))) return Math.max(0, (this.checker.settledAt ?? Date.now()) - since);
      if (this.checker.doubles.length > doubles) {
        const first = this.checker.doubles[doubles];
        throw new Error(`pairs ran twice while waiting for ${what}: ${first.pair} on ${first.nodes.join(' and ')} at ${(first.at / 1000).toFixed(1)} s (${this.checker.doubles.length - doubles} so far)`);
      }
      if (Date.now() > deadline) {
        const misplaced = expected ? [...this.checker.placement()].filter(([pair, host]) => expected.get(cameraOf(pair)) !== host).length : 0;
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${this.checker.unsettled().join('; ') || 'settled'}${misplaced ? `; ${misplaced} pairs not on their owner` : ''}; their runner rows: ${await this.rowsOf(this.checker.unsettledCameras())}`);
      }
      await sleep(20);
    }
  }

  /** The runner rows of these cameras as the database has them now (to explain a fleet that does not settle). */
  private async rowsOf(cameras: number[]): Promise<string> {
    if (cameras.length === 0) return 'none';
    try {
      const rows = await this.sql.query<Record<string, unknown>>(
        `SELECT camera_id, node, status, pid, crash_count, last_exit_at, left(last_error, 80) AS last_error FROM runners WHERE camera_id = ANY(?::int[]) ORDER BY camera_id, id`,
        [cameras],
      );
      return rows.map((r) => JSON.stringify(r)).join(' ') || 'none';
    } catch (error) {
      return `(not read: ${(error as Error).message})`;
    }
  }

  /** Whether every running pair runs on the owner `expected` gives its camera. */
  placedOn(expected: Map<number, string>): boolean {
    for (const [pair, host] of this.checker.placement()) if (expected.get(cameraOf(pair)) !== host) return false;
    return true;
  }

  /** Statements and rows of every node so far. */
  sqlTotals(): { statements: number; rows: number } {
    let statements = 0;
    let rows = 0;
    for (const n of this.nodes.values()) {
      statements += n.meter.statements;
      rows += n.meter.rows;
    }
    return { statements, rows };
  }

  /** Statement texts by count over every node. */
  statementMix(): [string, number][] {
    const all = new Map<string, number>();
    for (const n of this.nodes.values()) for (const [text, count] of n.meter.byText) all.set(text, (all.get(text) ?? 0) + count);
    return [...all].sort((a, b) => b[1] - a[1]);
  }

  /** Kills every node (no graceful stops: quick), closes the proxies, drops the database. */
  async close(): Promise<void> {
    clearInterval(this.loopTimer);
    await Promise.all([...this.starting].map((p) => p.catch(() => undefined)));
    await Promise.all([...this.nodes.keys()].map((name) => this.kill(name).catch(() => undefined)));
    for (const node of this.nodes.values()) {
      node.proxy?.release();
      await node.proxy?.close();
    }
    await this.sql.close().catch(() => undefined);
    // A node's session may still be reconnecting for a moment after its context closed: try again before giving up.
    for (let attempt = 1; ; attempt++) {
      try {
        await dropDatabase(this.options.serverUrl, this.databaseName);
        break;
      } catch (error) {
        if (attempt === 5) {
          process.stderr.write(`fleet: could not drop database ${this.databaseName}: ${(error as Error).message}\n`);
          break;
        }
        await sleep(500);
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Every timer of a context's SchedulerRegistry (intervals, timeouts, cron jobs) deleted: a dead process's timers never fire. */
function stopTimers(registry: SchedulerRegistry): void {
  for (const name of registry.getIntervals()) registry.deleteInterval(name);
  for (const name of registry.getTimeouts()) registry.deleteTimeout(name);
  for (const name of registry.getCronJobs().keys()) registry.deleteCronJob(name);
}

/**
 * Provider instances whose class is named `className`, in any module of the context: a way to
 * reach a provider the enforcer may or may not have yet (the presence session) without
 * importing its file. Reads Nest's container, which is not public API: nothing found on a
 * change there.
 */
export function findProviders(module: TestingModule, className: string): unknown[] {
  const found: unknown[] = [];
  try {
    const container = (module as unknown as { container: { getModules(): Map<string, { providers: Map<unknown, { instance: unknown }> }> } }).container;
    for (const m of container.getModules().values()) {
      for (const wrapper of m.providers.values()) {
        const instance = wrapper.instance as { constructor?: { name?: string } } | null;
        if (instance?.constructor?.name === className && !found.includes(instance)) found.push(instance);
      }
    }
  } catch {
    // the container's shape changed: nothing found
  }
  return found;
}

/**
 * `cameras` floating cameras, one profile, and policies with 7 whole-day windows each: one
 * policy per camera (70,000 windows at 10,000 cameras), or `policies` shared round-robin.
 * Returns the camera ids.
 */
async function seed(sql: Sql, cameras: number, policies: number | 'per-camera'): Promise<number[]> {
  const policyCount = policies === 'per-camera' ? cameras : Math.max(1, Math.min(policies, cameras));
  await sql.query(`INSERT INTO stream_profiles (name, extra_args) VALUES ('fleet', '{}')`);
  const ids = (await sql.query<{ id: number }>(`INSERT INTO cameras (name, rtsp_url) SELECT 'cam-' || g, 'rtsp://10.0.0.1/stream' FROM generate_series(1, ?::int) g RETURNING id`, [cameras])).map((r) => Number(r.id)).sort((a, b) => a - b);
  await sql.query(`INSERT INTO schedule_policies (name) SELECT 'policy-' || g FROM generate_series(1, ?::int) g`, [policyCount]);
  await sql.query(`INSERT INTO schedule_windows (policy_id, day_of_week, start_time, end_time, profile_id) SELECT p.id, d, '00:00:00', '00:00:00', 1 FROM schedule_policies p CROSS JOIN generate_series(0, 6) d`);
  await sql.query(
    `INSERT INTO schedule_policy_cameras (policy_id, camera_id)
     SELECT p.id, c.id FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM cameras) c
     JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM schedule_policies) p ON p.n = c.n % ?`,
    [policyCount],
  );
  return ids;
}

async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
