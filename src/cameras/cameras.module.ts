import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { EnforcerModule } from '../enforcer/enforcer.module.js';
import { Camera } from './camera.entity.js';
import { CamerasController } from './cameras.controller.js';
import { CamerasRepository } from './cameras.repository.js';
import { CamerasService } from './cameras.service.js';
import { SnapshotStore } from './snapshots.js';

@Module({
  imports: [TypeOrmModule.forFeature([Camera]), EnforcerModule],
  controllers: [CamerasController],
  providers: [
    CamerasService, CamerasRepository, Clock,
    { provide: SnapshotStore, useFactory: (config: AppConfig) => new SnapshotStore(config.runners.snapshotDir), inject: [AppConfig] },
  ],
  exports: [CamerasService, CamerasRepository, SnapshotStore],
})
export class CamerasModule {}
