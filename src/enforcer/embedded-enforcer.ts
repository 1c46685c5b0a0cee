import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { EnforcerScheduler } from './enforcer.scheduler.js';

/** ENFORCER_EMBEDDED=true: the HTTP app starts the EnforcerModule's scheduler itself (used by `bisk demo`). */
@Injectable()
export class EmbeddedEnforcer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Enforcer');

  constructor(
    private readonly config: AppConfig,
    private readonly scheduler: EnforcerScheduler,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.enforcer.embedded) return;
    await this.scheduler.start();
    this.logger.log('Enforcer started inside the HTTP app (ENFORCER_EMBEDDED=true).');
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.scheduler.stop();
  }
}
