import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Camera } from '../cameras/camera.entity.js';
import { RunnerHeartbeat } from '../enforcer/runner-heartbeat.entity.js';
import { Runner } from '../enforcer/runner.entity.js';
import { StreamProfile } from '../schedules/stream-profile.entity.js';

@Injectable()
export class HeartbeatsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  runnersOf(cameraId: number, profileId: number): Promise<Runner[]> {
    return this.dataSource.getRepository(Runner).find({ where: { cameraId, profileId }, order: { id: 'ASC' } });
  }

  async exists(cameraId: number, profileId: number): Promise<{ camera: boolean; profile: boolean }> {
    const [camera, profile] = await Promise.all([
      this.dataSource.getRepository(Camera).existsBy({ id: cameraId }),
      this.dataSource.getRepository(StreamProfile).existsBy({ id: profileId }),
    ]);
    return { camera, profile };
  }

  async updateRunner(id: number, values: Partial<Runner>): Promise<void> {
    await this.dataSource.getRepository(Runner).update(id, values);
  }

  async store(row: Partial<RunnerHeartbeat>): Promise<void> {
    await this.dataSource.getRepository(RunnerHeartbeat).insert(row);
  }
}
