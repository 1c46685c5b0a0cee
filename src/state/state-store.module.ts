import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { openStateStore, STATE_STORE, type StateStore } from './state-store.js';

@Injectable()
class StateStoreCloser implements OnApplicationShutdown {
  constructor(@Inject(STATE_STORE) private readonly store: StateStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

/** Provides STATE_STORE (see state-store.ts) to every module of a host; closes it with the context. */
@Module({})
export class StateStoreModule {
  static forRoot(): DynamicModule {
    return {
      module: StateStoreModule,
      global: true,
      providers: [{ provide: STATE_STORE, useFactory: (config: AppConfig) => openStateStore(config), inject: [AppConfig] }, StateStoreCloser],
      exports: [STATE_STORE],
    };
  }
}
