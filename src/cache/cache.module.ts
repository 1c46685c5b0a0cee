import { join } from 'node:path';
import { CacheModule } from '@nestjs/cache-manager';
import { type DynamicModule, Module } from '@nestjs/common';
import { Keyv } from 'keyv';
import { AppConfig } from '../config/app-config.js';
import { SqliteMapStore } from './sqlite-map.store.js';

/** Where the host-local cache lives: next to the SQLite database, or under ./var. */
export function cacheFileFor(config: AppConfig): string {
  return join(config.dataDir, 'bisk-cache.sqlite');
}

/**
 * cache-manager for breadcrumbs and signals shared between processes: Redis when REDIS_URL
 * is set (every host sees every enforcer), otherwise a small SQLite file that every process
 * on this host opens (no extra server).
 */
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
          useFactory: async (config: AppConfig) => {
            if (config.redisUrl) {
              const { createKeyv } = await import('@keyv/redis');
              return { stores: [createKeyv(config.redisUrl, { namespace: 'bisk' })] };
            }
            return { stores: [new Keyv({ store: new SqliteMapStore(cacheFileFor(config)), namespace: 'bisk' })] };
          },
        }),
      ],
    };
  }
}
