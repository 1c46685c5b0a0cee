import { Injectable } from '@nestjs/common';
import { conflict, notFound } from '../common/errors.js';
import { page, type PageQuery } from '../common/pagination.js';
import type { CreateProfileDto, UpdateProfileDto } from './profile.dto.js';
import { ProfilesRepository } from './profiles.repository.js';
import { toProfileView } from './schedule.views.js';
import type { StreamProfile } from './stream-profile.entity.js';

@Injectable()
export class ProfilesService {
  constructor(private readonly profiles: ProfilesRepository) {}

  async list(query: PageQuery) {
    const [rows, total] = await this.profiles.findPage(query.limit, query.offset);
    return page(rows.map(toProfileView), total, query);
  }

  async get(id: number) {
    return toProfileView(await this.require(id));
  }

  async create(dto: CreateProfileDto) {
    await this.ensureNameFree(dto.name);
    return toProfileView(await this.profiles.insert({ ...dto, extraArgs: dto.extraArgs ?? {} }));
  }

  async update(id: number, dto: UpdateProfileDto) {
    const current = await this.require(id);
    if (dto.name !== undefined && dto.name !== current.name) await this.ensureNameFree(dto.name, id);
    return toProfileView((await this.profiles.update(id, dto as Partial<StreamProfile>))!);
  }

  async remove(id: number): Promise<void> {
    const result = await this.profiles.deleteUnused(id);
    if (result === 'missing') throw notFound('profile', id);
    if (result !== 'deleted') {
      throw conflict(
        `Profile ${id} is in use by ${result.windows} window(s) and ${result.exceptions} exception(s) ` +
          `in policy ${result.policyNames.map((n) => `"${n}"`).join(', ')}; change those first`,
      );
    }
  }

  private async require(id: number): Promise<StreamProfile> {
    const profile = await this.profiles.findById(id);
    if (!profile) throw notFound('profile', id);
    return profile;
  }

  private async ensureNameFree(name: string, exceptId?: number) {
    if (await this.profiles.nameTaken(name, exceptId)) throw conflict(`A profile named "${name}" already exists`);
  }
}
