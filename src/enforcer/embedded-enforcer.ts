import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { EnforcerLoop } from './enforcer.loop.js';

/** ENFORCER_EMBEDDED=true: the HTTP app runs the enforcer loop itself (used by `bisk demo`). */
@Injectable()
export class EmbeddedEnforcer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Enforcer');
  private started = false;

  constructor(
    private readonly config: AppConfig,
    private readonly loop: EnforcerLoop,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.enforcer.embedded) return;
    await this.loop.start();
    this.started = true;
    this.logger.log('Enforcer started inside the HTTP app (ENFORCER_EMBEDDED=true).');
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.started) await this.loop.stop();
  }
}
