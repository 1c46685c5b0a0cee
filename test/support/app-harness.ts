import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/app-config.js';
import { createHttpApp } from '../../src/http-app.js';
import { createDatabase, type TestDatabase } from './databases.js';

export interface Harness {
  app: NestFastifyApplication;
  db: TestDatabase;
  dataSource: DataSource;
  request(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  close(): Promise<void>;
}

export interface Reply {
  status: number;
  body: any;
  raw: string;
  headers: Record<string, unknown>;
}

/** Boots the real HTTP app (same factory as main.ts) on a fresh database of the given engine. */
export async function startApp(engine: 'sqlite' | 'postgres', env: Record<string, string> = {}, options: { listen?: boolean } = {}): Promise<Harness> {
  const db = await createDatabase(engine);
  const config = loadConfig({
    DATABASE_URL: db.url,
    TZ: 'Asia/Baghdad',
    RUNNER_LOG_DIR: `${db.dir}/log`,
    SNAPSHOT_DIR: `${db.dir}/snapshots`,
    ENFORCER_LOCK_FILE: `${db.dir}/enforcer.lock`,
    BISK_DATA_DIR: db.dir,
    ...env,
  });
  const app = await createHttpApp(config, { logger: false });
  if (options.listen) await app.listen({ host: '127.0.0.1', port: config.http.port });
  else await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const dataSource = app.get<DataSource>(getDataSourceToken());
  return {
    app,
    db,
    dataSource,
    async request(method, url, body, headers = {}) {
      const payload = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      const response = await app.inject({
        method: method as 'GET',
        url,
        payload,
        // Like any API client: JSON on every change (the app requires it, body or not) and whenever there is a body.
        headers: payload !== undefined || ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) ? { 'content-type': 'application/json', ...headers } : headers,
      });
      let parsed: unknown = undefined;
      try {
        parsed = response.body ? JSON.parse(response.body) : undefined;
      } catch {
        parsed = response.body;
      }
      return { status: response.statusCode, body: parsed, raw: response.body, headers: response.headers };
    },
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
