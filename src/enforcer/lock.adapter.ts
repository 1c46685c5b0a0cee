import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { VERSION } from '../version.js';
import { FileLock, LockFileRefusedError, lockHeldMessage } from './file-lock.js';
import { LeaseRepository } from './lease.repository.js';
import { NodePresence } from './presence.js';
import { isSameProcess, readStat } from './proc.js';

/** Refusal to start because another enforcer is in charge; the message is what operators see. */
export class EnforcerBusyError extends Error {
  override readonly name = 'EnforcerBusyError';
}

/** How long after its last renewal a lease counts as lost for acting on: the fence fires then (§9). */
export function fenceAfterMs(config: AppConfig): number {
  const ttlMs = config.enforcer.leaseSeconds * 1000;
  return Math.max(ttlMs - config.enforcer.intervalSeconds * 1000, ttlMs / 2);
}

/** A lease holder "host:pid:starttime:random" on this host whose process no longer exists. */
export function holderIsDeadHere(holder: string): boolean {
  const [host, pid, startTime] = holder.split(':');
  if (host !== hostname() || !/^\d+$/.test(pid ?? '')) return false;
  return !isSameProcess(Number(pid), startTime && startTime !== '0' ? startTime : null);
}

/**
 * The enforcer's right to act, behind one class: the single-instance file lock (§5) and this
 * node's lease in the database (§9). Every scheduled handler asks `held` first.
 */
@Injectable()
export class EnforcerLock {
  private readonly logger = new Logger('Enforcer');
  /** host:pid:kernel start time:random — enough to tell, on this host, whether the holder still lives. */
  readonly holder = `${hostname()}:${process.pid}:${readStat(process.pid)?.startTime ?? '0'}:${randomBytes(4).toString('hex')}`;
  private file: FileLock | null = null;
  private leased = false;
  /** When the lease was last renewed (this process's clock). */
  private renewedAt = 0;
  /** Other live leases seen by the last renewal. */
  private peersAtRenewal = 0;
  /** The renewal on its way, if any. */
  private renewing: Promise<boolean> | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly leases: LeaseRepository,
    private readonly clock: Clock,
    private readonly presence: NodePresence,
  ) {}

  get node(): string {
    return this.config.enforcer.nodeName;
  }

  /** This process holds the file lock and the node's lease: it may act. */
  get held(): boolean {
    return this.file?.held === true && this.leased;
  }

  /** Held, and renewed less than the fence's time ago: what a start needs (a tick may outlast it). */
  get fresh(): boolean {
    return this.held && this.sinceRenewMs < fenceAfterMs(this.config);
  }

  /** When this process last renewed the lease (its clock's ms; 0: never). */
  get renewedAtMs(): number {
    return this.renewedAt;
  }

  /**
   * Other nodes holding an unexpired lease when this one was last written: counted by the
   * renewal itself, so it is news even while a long tick has not looked at the fleet since.
   */
  get peers(): number {
    return this.peersAtRenewal;
  }

  /** Milliseconds since the lease was last renewed by this process. */
  get sinceRenewMs(): number {
    return this.clock.now().getTime() - this.renewedAt;
  }

  /** The file lock alone (the tick renews the lease itself). */
  get lockHeld(): boolean {
    return this.file?.held === true;
  }

  /**
   * Takes the file lock, or throws EnforcerBusyError with the operators' message (another holder,
   * or a lock file that is a symbolic link or someone else's). `hint` is appended to it.
   */
  takeLock(path = this.config.enforcer.lockFile, hint = ''): void {
    if (this.file?.held) return;
    const lock = new FileLock(path);
    let result: ReturnType<FileLock['tryAcquire']>;
    try {
      result = lock.tryAcquire();
    } catch (error) {
      if (error instanceof LockFileRefusedError) throw new EnforcerBusyError(error.message);
      throw error;
    }
    if (!result.ok) throw new EnforcerBusyError(`${lockHeldMessage(path, result.holderPid)}${hint}`);
    this.file = lock;
  }

  /**
   * Takes (first = true: or refuses with EnforcerBusyError) or renews the node's lease.
   * Returns whether it is held now. A renewal asked for while one is on its way (the tick's own
   * and the long-tick keeper's, EnforcerScheduler.keepLease) shares it: one statement, not two.
   */
  renewLease(first = false): Promise<boolean> {
    if (first) return this.writeLease(true);
    this.renewing ??= this.writeLease(false).finally(() => (this.renewing = null));
    return this.renewing;
  }

  private async writeLease(first: boolean): Promise<boolean> {
    const node = this.node;
    const ttl = this.config.enforcer.leaseSeconds * 1000;
    // The node's own session first: a lease is renewed only while it is open (presence.ts).
    await this.presence.ensure();
    const now = this.clock.now().getTime();
    if (first && this.leases.engine === 'sqlite') {
      // Several nodes coordinate through PostgreSQL; an embedded SQLite file belongs to one host.
      const [other] = await this.leases.otherLive(node, now);
      if (other) {
        throw new EnforcerBusyError(
          `Several nodes need PostgreSQL: node ${other.node} (${other.holder}) already runs an enforcer on this SQLite database, its lease runs until ${new Date(other.expiresAt).toISOString()}. Give every enforcer on one SQLite database the same NODE_NAME, or put the database on PostgreSQL (DATABASE_URL=postgres://…) to run several hosts.`,
        );
      }
    }
    // On the node's own session when it has one: never queued behind the tick's statements in the pool.
    const over = this.presence.session ?? undefined;
    let result = await this.leases.acquire(node, this.holder, process.pid, VERSION, now, ttl, { over });
    if (!result.ok && holderIsDeadHere(result.current.holder)) {
      // Its holder was on this host and is gone (SIGKILL, crash): no need to wait for the lease to expire.
      this.logger.warn(`taking over the lease of node ${node} from ${result.current.holder}, which is no longer running`);
      result = await this.leases.acquire(node, this.holder, process.pid, VERSION, now, ttl, { staleHolder: result.current.holder, over });
    }
    if (!result.ok) {
      const message = `Another enforcer holds the lease for node ${node}: ${result.current.holder} (pid=${result.current.pid}) until ${new Date(result.current.expiresAt).toISOString()}`;
      if (first) throw new EnforcerBusyError(message);
      if (this.leased) this.logger.error(`${message}; this enforcer stops acting`);
      this.leased = false;
      return false;
    }
    this.leased = true;
    this.renewedAt = now;
    this.peersAtRenewal = result.peers;
    return true;
  }

  /**
   * Lease first, then the node's session, then the file lock: what a stopping enforcer lets go of.
   * With `keepMs`, the lease is yielded rather than deleted: the other nodes count this node live
   * for that long (a restart moves nothing), and its next enforcer takes the lease at once.
   */
  async release(keepMs = 0): Promise<void> {
    // A renewal still on its way (the long-tick keeper's) would land after the yield and take
    // the lease back for this process — which is about to close its session: the others would
    // then see the node gone and move its cameras during a restart.
    await this.renewing?.catch(() => undefined);
    if (this.leased) {
      const done = keepMs > 0 ? this.leases.yield(this.node, this.holder, this.clock.now().getTime() + keepMs) : this.leases.release(this.node, this.holder);
      await done.catch(() => undefined);
    }
    this.leased = false;
    await this.presence.close();
    this.file?.release();
    this.file = null;
  }
}
