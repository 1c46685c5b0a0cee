import { Injectable } from '@nestjs/common';
import { CamerasRepository } from '../cameras/cameras.repository.js';
import { notFound } from '../common/errors.js';
import { page, type PageQuery } from '../common/pagination.js';
import type { ResourceSettingsDto } from './resource-settings.dto.js';
import type { ResourceSettings } from './resource-settings.entity.js';
import { ResourceSettingsRepository } from './resource-settings.repository.js';
import { toResourceSettingsView } from './schedule.views.js';

@Injectable()
export class ResourceSettingsService {
  constructor(
    private readonly settings: ResourceSettingsRepository,
    private readonly cameras: CamerasRepository,
  ) {}

  async global() {
    return toResourceSettingsView(await this.settings.global());
  }

  async updateGlobal(dto: ResourceSettingsDto) {
    const row = await this.settings.global();
    // The global row is the fallback for every camera: device and hwaccel cannot be "inherit" there.
    const values: Partial<ResourceSettings> = { ...dto, device: dto.device ?? row.device ?? 'cpu', hwaccel: dto.hwaccel ?? row.hwaccel ?? 'none' };
    return toResourceSettingsView((await this.settings.update(row.id, values))!);
  }

  async overrides(query: PageQuery) {
    const [rows, total] = await this.settings.findOverrides(query.limit, query.offset);
    return page(rows.map(toResourceSettingsView), total, query);
  }

  async forCamera(cameraId: number) {
    await this.requireCamera(cameraId);
    const row = await this.settings.findForCamera(cameraId);
    if (!row) throw notFound('resource override for camera', cameraId);
    return toResourceSettingsView(row);
  }

  /** Creates or changes the camera's override; fields left out keep their value (or inherit, on a new row). */
  async putForCamera(cameraId: number, dto: ResourceSettingsDto) {
    await this.requireCamera(cameraId);
    const row = await this.settings.findForCamera(cameraId);
    const saved = row
      ? await this.settings.update(row.id, { ...dto } as Partial<ResourceSettings>)
      : await this.settings.insert({ ...dto, cameraId } as Partial<ResourceSettings>);
    return toResourceSettingsView(saved!);
  }

  async removeForCamera(cameraId: number): Promise<void> {
    await this.requireCamera(cameraId);
    if (!(await this.settings.deleteForCamera(cameraId))) throw notFound('resource override for camera', cameraId);
  }

  private async requireCamera(cameraId: number) {
    if (!(await this.cameras.findById(cameraId))) throw notFound('camera', cameraId);
  }
}
