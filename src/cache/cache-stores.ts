import { join } from 'node:path';
import { type Cache, createCache } from 'cache-manager';
import { Keyv } from 'keyv';
import type { AppConfig } from '../config/app-config.js';
import { SqliteMapStore } from './sqlite-map.store.js';

/** Where the host-local cache lives: next to the SQLite database, or under ./var. */
export function cacheFileFor(config: AppConfig): string {
  return join(config.dataDir, 'bisk-cache.sqlite');
}

/**
 * The store behind breadcrumbs and signals shared between processes: Redis when REDIS_URL is
 * set (every host sees every enforcer), otherwise a small SQLite file that every process on
 * this host opens (no extra server).
 */
export async function cacheStores(config: AppConfig): Promise<Keyv[]> {
  if (config.redisUrl) {
    const { createKeyv } = await import('@keyv/redis');
    return [createKeyv(config.redisUrl, { namespace: 'bisk' })];
  }
  return [new Keyv({ store: new SqliteMapStore(cacheFileFor(config)), namespace: 'bisk' })];
}

/** The same cache outside Nest (the enforcer process). */
export async function openCache(config: AppConfig): Promise<Cache> {
  return createCache({ stores: await cacheStores(config) });
}
