import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { classifyDbError } from '../database/db-errors.js';
import { EnforcerLease } from './enforcer-lease.entity.js';

export type LeaseResult = { ok: true; lease: EnforcerLease } | { ok: false; current: EnforcerLease };

/** The per-node lease row: taken when free or expired, renewed by its holder, released on stop. */
@Injectable()
export class LeaseRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(EnforcerLease);
  }

  /**
   * Takes or renews the lease for `ttlMs`; fails while another holder's lease is unexpired,
   * unless that holder is `staleHolder` (a process known to be dead).
   */
  async acquire(node: string, holder: string, pid: number, version: string, nowMs: number, ttlMs: number, staleHolder = holder): Promise<LeaseResult> {
    const expiresAt = nowMs + ttlMs;
    const updated = await this.repo
      .createQueryBuilder()
      .update(EnforcerLease)
      .set({ holder, pid, version, renewedAt: nowMs, expiresAt })
      .where('node = :node', { node })
      .andWhere('(holder = :holder OR holder = :staleHolder OR expires_at < :nowMs)', { holder, staleHolder, nowMs })
      .execute();
    if ((updated.affected ?? 0) === 0) {
      const current = await this.repo.findOneBy({ node });
      if (current) return { ok: false, current };
      try {
        await this.repo.insert({ node, holder, pid, version, acquiredAt: nowMs, renewedAt: nowMs, expiresAt });
      } catch (error) {
        if (classifyDbError(error) !== 'unique') throw error;
        return { ok: false, current: (await this.repo.findOneBy({ node }))! };
      }
    }
    const lease = await this.repo.findOneBy({ node });
    return lease && lease.holder === holder ? { ok: true, lease } : { ok: false, current: lease! };
  }

  async release(node: string, holder: string): Promise<void> {
    await this.repo.delete({ node, holder });
  }

  list(): Promise<EnforcerLease[]> {
    return this.repo.find({ order: { node: 'ASC' } });
  }
}
