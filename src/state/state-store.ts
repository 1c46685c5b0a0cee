import { join } from 'node:path';
import type { Cache } from 'cache-manager';
import type { AppConfig } from '../config/app-config.js';

/**
 * The cross-process state store: small values that the enforcer, the HTTP apps and the CLI on
 * this host (or, with REDIS_URL, on every host) share — the enforcer's breadcrumbs, "enforce
 * now" requests, the heartbeat history gate. It is not a cache of anything: nothing here can be
 * rebuilt from the database. cache-manager (over Keyv) does the storage.
 */
export interface StateStore {
  get<T>(key: string): Promise<T | undefined>;
  /** `ttlMs` omitted: kept until overwritten. */
  set<T>(key: string, value: T, ttlMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Injection token of the StateStore; every host provides it through StateStoreModule. */
export const STATE_STORE = Symbol('STATE_STORE');

/** Where the host-local store lives: next to the SQLite database, or under ./var. */
export function stateFileFor(config: AppConfig): string {
  return join(config.dataDir, 'bisk-state.sqlite');
}

/**
 * Redis when REDIS_URL is set (every host sees every enforcer), otherwise a small SQLite file
 * that every process on this host opens (no extra server). Opened on first use, so a command
 * that never touches it (`bisk --help`, `bisk config`) creates no file and opens no connection.
 */
export function openStateStore(config: AppConfig): StateStore {
  let opened: Promise<Cache> | null = null;
  const cache = () =>
    (opened ??= (async () => {
      const [{ createCache }, { Keyv }] = await Promise.all([import('cache-manager'), import('keyv')]);
      if (config.redisUrl) {
        const { createKeyv } = await import('@keyv/redis');
        return createCache({ stores: [createKeyv(config.redisUrl, { namespace: 'bisk' })] });
      }
      const { SqliteMapStore } = await import('./sqlite-map.store.js');
      return createCache({ stores: [new Keyv({ store: new SqliteMapStore(stateFileFor(config)), namespace: 'bisk' })] });
    })());
  return {
    get: async <T>(key: string) => ((await (await cache()).get<T>(key)) ?? undefined),
    set: async <T>(key: string, value: T, ttlMs?: number) => {
      await (await cache()).set(key, value, ttlMs);
    },
    close: async () => {
      if (!opened) return;
      const current = opened;
      opened = null;
      await (await current).disconnect().catch(() => undefined);
    },
  };
}
