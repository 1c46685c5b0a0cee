import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, type EntityTarget, In, type ObjectLiteral, type Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { EntityRepository } from '../database/entity.repository.js';
import { ScheduleException } from './schedule-exception.entity.js';
import { SchedulePolicy } from './schedule-policy.entity.js';
import { ScheduleWindow } from './schedule-window.entity.js';

export type WindowValues = Pick<ScheduleWindow, 'dayOfWeek' | 'startTime' | 'endTime' | 'profileId'>;
export type ExceptionValues = Pick<ScheduleException, 'date' | 'mode' | 'startTime' | 'endTime' | 'profileId'>;

export interface PolicyChanges {
  values: Partial<Pick<SchedulePolicy, 'name' | 'isEnabled' | 'notes'>>;
  cameraIds?: number[];
  windows?: WindowValues[];
  exceptions?: ExceptionValues[];
}

/** A policy with its children, loaded in a fixed number of queries. */
export interface PolicyTree {
  policy: SchedulePolicy;
  cameraIds: number[];
  windows: ScheduleWindow[];
  exceptions: ScheduleException[];
}

const LINK_TABLE = 'schedule_policy_cameras';
/** Rows per INSERT: 500 × 7 columns stays far below either engine's bound-parameter limit. */
const INSERT_CHUNK = 500;

@Injectable()
export class PoliciesRepository extends EntityRepository<SchedulePolicy> {
  constructor(
    @InjectRepository(SchedulePolicy) repo: Repository<SchedulePolicy>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    super(repo);
  }

  /** Policies plus children: 1 query for the page + 3 for all children, however many policies. */
  async loadTrees(policies: SchedulePolicy[], manager: EntityManager = this.dataSource.manager): Promise<PolicyTree[]> {
    if (policies.length === 0) return [];
    const ids = policies.map((p) => p.id);
    const [windows, exceptions, links] = await Promise.all([
      manager.find(ScheduleWindow, { where: { policyId: In(ids) }, order: { dayOfWeek: 'ASC', startTime: 'ASC', id: 'ASC' } }),
      manager.find(ScheduleException, { where: { policyId: In(ids) }, order: { date: 'ASC' } }),
      manager
        .createQueryBuilder()
        .select(['link.policy_id AS "policyId"', 'link.camera_id AS "cameraId"'])
        .from(LINK_TABLE, 'link')
        .where('link.policy_id IN (:...ids)', { ids })
        .orderBy('link.camera_id', 'ASC')
        .getRawMany<{ policyId: number; cameraId: number }>(),
    ]);
    return policies.map((policy) => ({
      policy,
      cameraIds: links.filter((l) => Number(l.policyId) === policy.id).map((l) => Number(l.cameraId)),
      windows: windows.filter((w) => w.policyId === policy.id),
      exceptions: exceptions.filter((e) => e.policyId === policy.id),
    }));
  }

  async findTree(id: number): Promise<PolicyTree | null> {
    const policy = await this.findById(id);
    return policy ? (await this.loadTrees([policy]))[0] : null;
  }

  /** Creates the policy and all of its children in one transaction: all or nothing. */
  async createTree(changes: PolicyChanges): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const policy = await manager.save(manager.create(SchedulePolicy, changes.values));
      await this.replaceChildren(manager, policy.id, changes);
      return policy.id;
    });
  }

  /** Updates fields and replaces whichever child sets are given, in one transaction. */
  async updateTree(id: number, changes: PolicyChanges): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      if (Object.keys(changes.values).length > 0) await manager.update(SchedulePolicy, id, changes.values);
      else await manager.update(SchedulePolicy, id, { updatedAt: new Date() });
      await this.replaceChildren(manager, id, changes);
    });
  }

  private async replaceChildren(manager: EntityManager, policyId: number, changes: PolicyChanges): Promise<void> {
    if (changes.cameraIds) {
      await manager.createQueryBuilder().delete().from(LINK_TABLE).where('policy_id = :policyId', { policyId }).execute();
      await this.insertLinks(manager, policyId, changes.cameraIds);
    }
    if (changes.windows) {
      await manager.delete(ScheduleWindow, { policyId });
      await this.insertRows(manager, ScheduleWindow, changes.windows.map((w) => ({ ...w, policyId })));
    }
    if (changes.exceptions) {
      await manager.delete(ScheduleException, { policyId });
      await this.insertRows(manager, ScheduleException, changes.exceptions.map((e) => ({ ...e, policyId })));
    }
  }

  /**
   * Inserts child rows in statements of at most INSERT_CHUNK rows, without reading them back:
   * TypeORM's `insert` re-selects the new rows with one `id = ? OR …` term per row, which SQLite
   * refuses beyond 1,000 terms ("Expression tree is too large") — the schema's maximum.
   */
  private async insertRows<T extends ObjectLiteral>(manager: EntityManager, entity: EntityTarget<T>, rows: QueryDeepPartialEntity<T>[]): Promise<void> {
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await manager.createQueryBuilder().insert().into(entity).values(rows.slice(i, i + INSERT_CHUNK)).updateEntity(false).execute();
    }
  }

  private async insertLinks(manager: EntityManager, policyId: number, cameraIds: number[]): Promise<void> {
    const unique = [...new Set(cameraIds)];
    for (let i = 0; i < unique.length; i += 500) {
      const chunk = unique.slice(i, i + 500).map((cameraId) => ({ policy_id: policyId, camera_id: cameraId }));
      await manager.createQueryBuilder().insert().into(LINK_TABLE).values(chunk).orIgnore().execute();
    }
  }

  async addCameras(policyId: number, cameraIds: number[]): Promise<void> {
    await this.dataSource.transaction((manager) => this.insertLinks(manager, policyId, cameraIds));
  }

  async removeCamera(policyId: number, cameraId: number): Promise<boolean> {
    const result = await this.dataSource
      .createQueryBuilder()
      .delete()
      .from(LINK_TABLE)
      .where('policy_id = :policyId AND camera_id = :cameraId', { policyId, cameraId })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  // Windows

  findWindow(policyId: number, windowId: number): Promise<ScheduleWindow | null> {
    return this.dataSource.getRepository(ScheduleWindow).findOneBy({ id: windowId, policyId });
  }

  listWindows(policyId: number): Promise<ScheduleWindow[]> {
    return this.dataSource.getRepository(ScheduleWindow).findBy({ policyId });
  }

  async countWindows(policyId: number): Promise<number> {
    return this.dataSource.getRepository(ScheduleWindow).countBy({ policyId });
  }

  async countExceptions(policyId: number): Promise<number> {
    return this.dataSource.getRepository(ScheduleException).countBy({ policyId });
  }

  async insertWindow(policyId: number, values: WindowValues): Promise<ScheduleWindow> {
    const repo = this.dataSource.getRepository(ScheduleWindow);
    return repo.save(repo.create({ ...values, policyId }));
  }

  async updateWindow(windowId: number, values: Partial<WindowValues>): Promise<void> {
    if (Object.keys(values).length > 0) await this.dataSource.getRepository(ScheduleWindow).update(windowId, values);
  }

  async deleteWindow(policyId: number, windowId: number): Promise<boolean> {
    const result = await this.dataSource.getRepository(ScheduleWindow).delete({ id: windowId, policyId });
    return (result.affected ?? 0) > 0;
  }

  // Exceptions

  findException(policyId: number, exceptionId: number): Promise<ScheduleException | null> {
    return this.dataSource.getRepository(ScheduleException).findOneBy({ id: exceptionId, policyId });
  }

  findExceptionOnDate(policyId: number, date: string): Promise<ScheduleException | null> {
    return this.dataSource.getRepository(ScheduleException).findOneBy({ policyId, date });
  }

  async insertException(policyId: number, values: ExceptionValues): Promise<ScheduleException> {
    const repo = this.dataSource.getRepository(ScheduleException);
    return repo.save(repo.create({ ...values, policyId }));
  }

  async updateException(exceptionId: number, values: ExceptionValues): Promise<void> {
    await this.dataSource.getRepository(ScheduleException).update(exceptionId, values);
  }

  async deleteException(policyId: number, exceptionId: number): Promise<boolean> {
    const result = await this.dataSource.getRepository(ScheduleException).delete({ id: exceptionId, policyId });
    return (result.affected ?? 0) > 0;
  }
}
