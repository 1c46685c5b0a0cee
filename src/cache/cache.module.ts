import { CacheModule } from '@nestjs/cache-manager';
import { type DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { cacheStores } from './cache-stores.js';

export { cacheFileFor } from './cache-stores.js';

/** cache-manager for breadcrumbs and signals shared between processes (see cacheStores). */
@Module({})
export class BiskCacheModule {
  static forRoot(): DynamicModule {
    return {
      module: BiskCacheModule,
      global: true,
      imports: [
        CacheModule.registerAsync({
          isGlobal: true,
          inject: [AppConfig],
          useFactory: async (config: AppConfig) => ({ stores: await cacheStores(config) }),
        }),
      ],
    };
  }
}
