import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, type Repository } from 'typeorm';
import { EntityRepository } from '../database/entity.repository.js';
import { ResourceSettings } from './resource-settings.entity.js';

@Injectable()
export class ResourceSettingsRepository extends EntityRepository<ResourceSettings> {
  constructor(@InjectRepository(ResourceSettings) repo: Repository<ResourceSettings>) {
    super(repo);
  }

  /** The global row; created by the first migration, re-created here if someone deleted it by hand. */
  async global(): Promise<ResourceSettings> {
    const row = await this.repo.findOne({ where: { cameraId: IsNull() }, order: { id: 'ASC' } });
    return row ?? this.insert({ cameraId: null, device: 'cpu', hwaccel: 'none', isActive: true });
  }

  findOverrides(limit: number, offset: number): Promise<[ResourceSettings[], number]> {
    return this.repo.findAndCount({ where: { cameraId: Not(IsNull()) }, order: { cameraId: 'ASC' }, take: limit, skip: offset });
  }

  findForCamera(cameraId: number): Promise<ResourceSettings | null> {
    return this.repo.findOneBy({ cameraId });
  }

  async deleteForCamera(cameraId: number): Promise<boolean> {
    const result = await this.repo.delete({ cameraId });
    return (result.affected ?? 0) > 0;
  }
}
