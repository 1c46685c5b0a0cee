import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { RunnerExecutor } from '../enforcer/runner.executor.js';
import { badField, conflict, notFound } from '../common/errors.js';
import { rawCharacterInPassword, restoreMaskedSecrets } from '../common/mask.js';
import { type Page, page, type PageQuery } from '../common/pagination.js';
import type { Camera } from './camera.entity.js';
import type { CameraView, CreateCameraDto, PauseCameraDto, UpdateCameraDto } from './camera.dto.js';
import { toCameraView } from './camera.view.js';
import { CamerasRepository } from './cameras.repository.js';

/**
 * The stream URL to write: masked secrets sent back (`***`) are put back from the stored URL or
 * refused; a password with a raw `/`, `#` or `?` is refused with how to write it, except in
 * a URL left as stored (rows written before that rule keep working until edited).
 */
function streamUrlToStore(incoming: string, stored: string | null): string {
  const result = restoreMaskedSecrets(incoming, stored);
  if ('refused' in result) throw badField('rtspUrl', result.refused);
  const raw = result.url === stored ? null : rawCharacterInPassword(result.url);
  if (raw !== null) {
    throw badField('rtspUrl', `has a raw "${raw}" in its user name or password, where ffmpeg ends the host: write it percent-encoded (/ as %2F, # as %23, ? as %3F, @ as %40), e.g. rtsp://admin:pa%2Fss@10.0.0.5/stream1`);
  }
  return result.url;
}

@Injectable()
export class CamerasService {
  private readonly logger = new Logger('Cameras');

  constructor(
    private readonly cameras: CamerasRepository,
    private readonly clock: Clock,
    private readonly runners: RunnerExecutor,
  ) {}

  async list(query: PageQuery): Promise<Page<CameraView>> {
    const [rows, total] = await this.cameras.findPage(query.limit, query.offset);
    const now = this.clock.now();
    return page(rows.map((camera) => toCameraView(camera, now)), total, query);
  }

  async get(id: number): Promise<CameraView> {
    return toCameraView(await this.require(id), this.clock.now());
  }

  async create(dto: CreateCameraDto): Promise<CameraView> {
    const rtspUrl = streamUrlToStore(dto.rtspUrl, null);
    await this.ensureNameFree(dto.name);
    const camera = await this.cameras.insert({ ...dto, rtspUrl, location: dto.location ?? '' });
    this.logger.log(`camera ${camera.id} "${camera.name}" created (${camera.rtspUrl})`);
    return toCameraView(camera, this.clock.now());
  }

  async update(id: number, dto: UpdateCameraDto): Promise<CameraView> {
    const current = await this.require(id);
    if (dto.name !== undefined && dto.name !== current.name) await this.ensureNameFree(dto.name, id);
    const values: Partial<Camera> = { ...dto };
    if (dto.rtspUrl !== undefined) values.rtspUrl = streamUrlToStore(dto.rtspUrl, current.rtspUrl);
    const updated = await this.cameras.update(id, values);
    if (!updated) throw notFound('camera', id);
    return toCameraView(updated, this.clock.now());
  }

  /**
   * Stops the camera's runners on this host first (§2), then deletes it with its runner
   * rows, links and override. Runners on other hosts find their rows gone and are stopped
   * by their enforcer as strays.
   */
  async remove(id: number): Promise<void> {
    await this.require(id);
    const { stopped } = await this.runners.stopRunners({ cameraId: id }, 'camera deleted');
    if (!(await this.cameras.delete(id))) throw notFound('camera', id);
    this.logger.log(`camera ${id} deleted${stopped ? ` after stopping ${stopped} runner(s)` : ''}`);
  }

  async pause(id: number, dto: PauseCameraDto): Promise<CameraView> {
    await this.require(id);
    const now = this.clock.now();
    if ((dto.minutes === undefined) === (dto.until === undefined)) {
      throw badField('minutes', 'or until: give exactly one of them');
    }
    const until = dto.minutes !== undefined ? new Date(now.getTime() + dto.minutes * 60_000) : new Date(dto.until!);
    if (until.getTime() <= now.getTime()) throw badField('until', `must be in the future (now is ${now.toISOString()})`);
    const updated = await this.cameras.update(id, { pauseUntil: until });
    return toCameraView(updated!, now);
  }

  async resume(id: number): Promise<CameraView> {
    await this.require(id);
    const updated = await this.cameras.update(id, { pauseUntil: null });
    return toCameraView(updated!, this.clock.now());
  }

  private async require(id: number): Promise<Camera> {
    const camera = await this.cameras.findById(id);
    if (!camera) throw notFound('camera', id);
    return camera;
  }

  private async ensureNameFree(name: string, exceptId?: number): Promise<void> {
    if (await this.cameras.nameTaken(name, exceptId)) throw conflict(`A camera named "${name}" already exists`);
  }
}
