import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EnforcerModule } from '../enforcer/enforcer.module.js';
import { CamerasModule } from '../cameras/cameras.module.js';
import { PoliciesController } from './policies.controller.js';
import { PoliciesRepository } from './policies.repository.js';
import { PoliciesService } from './policies.service.js';
import { ProfilesController } from './profiles.controller.js';
import { ProfilesRepository } from './profiles.repository.js';
import { ProfilesService } from './profiles.service.js';
import { ResourceSettingsController } from './resource-settings.controller.js';
import { ResourceSettings } from './resource-settings.entity.js';
import { ResourceSettingsRepository } from './resource-settings.repository.js';
import { ResourceSettingsService } from './resource-settings.service.js';
import { ScheduleException } from './schedule-exception.entity.js';
import { SchedulePolicy } from './schedule-policy.entity.js';
import { ScheduleWindow } from './schedule-window.entity.js';
import { StreamProfile } from './stream-profile.entity.js';

/** Profiles, policies (windows, exceptions, cameras) and resource settings: the "what should run" data. */
@Module({
  imports: [
    TypeOrmModule.forFeature([StreamProfile, SchedulePolicy, ScheduleWindow, ScheduleException, ResourceSettings]),
    CamerasModule,
    EnforcerModule,
  ],
  controllers: [ProfilesController, PoliciesController, ResourceSettingsController],
  providers: [
    ProfilesService, ProfilesRepository, PoliciesService, PoliciesRepository, ResourceSettingsService, ResourceSettingsRepository,
  ],
  exports: [ProfilesRepository, PoliciesRepository, ResourceSettingsRepository, ProfilesService, PoliciesService, ResourceSettingsService],
})
export class SchedulesModule {}
