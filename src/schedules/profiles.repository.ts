import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { DataSource, Repository } from 'typeorm';
import { EntityRepository } from '../database/entity.repository.js';
import { ScheduleException } from './schedule-exception.entity.js';
import { ScheduleWindow } from './schedule-window.entity.js';
import { StreamProfile } from './stream-profile.entity.js';

export interface ProfileUsage {
  windows: number;
  exceptions: number;
  policyNames: string[];
}

@Injectable()
export class ProfilesRepository extends EntityRepository<StreamProfile> {
  constructor(
    @InjectRepository(StreamProfile) repo: Repository<StreamProfile>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    super(repo);
  }

  /** Which windows and exceptions name this profile (two queries, whatever the size). */
  async usage(profileId: number): Promise<ProfileUsage> {
    const [windows, exceptions] = await Promise.all([
      this.dataSource.getRepository(ScheduleWindow).find({ where: { profileId }, relations: { policy: true } }),
      this.dataSource.getRepository(ScheduleException).find({ where: { profileId }, relations: { policy: true } }),
    ]);
    const names = new Set([...windows, ...exceptions].map((row) => row.policy.name));
    return { windows: windows.length, exceptions: exceptions.length, policyNames: [...names].sort() };
  }

  /**
   * Deletes the profile only if nothing refers to it, in one transaction, so a window
   * added concurrently cannot slip in between the check and the delete.
   */
  async deleteUnused(id: number): Promise<'deleted' | 'missing' | ProfileUsage> {
    return this.dataSource.transaction(async (manager) => {
      if (!(await manager.existsBy(StreamProfile, { id }))) return 'missing';
      const windows = await manager.find(ScheduleWindow, { where: { profileId: id }, relations: { policy: true } });
      const exceptions = await manager.find(ScheduleException, { where: { profileId: id }, relations: { policy: true } });
      if (windows.length + exceptions.length > 0) {
        const names = new Set([...windows, ...exceptions].map((row) => row.policy.name));
        return { windows: windows.length, exceptions: exceptions.length, policyNames: [...names].sort() };
      }
      await manager.delete(StreamProfile, id);
      return 'deleted';
    });
  }
}
