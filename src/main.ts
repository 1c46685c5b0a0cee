#!/usr/bin/env node
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { exitOnStartupError } from './common/startup.js';
import { isLoopbackHost, loadConfig } from './config/app-config.js';
import { applyFileModes } from './config/file-modes.js';
import { createHttpApp } from './http-app.js';

/** HTTP entry: validated config → app → listen. Every start-up failure is one line and a non-zero exit. */
async function main(): Promise<void> {
  const config = loadConfig();
  applyFileModes(config); // before the database, the state file or (embedded) any runner is created
  const app = await createHttpApp(config);
  await app.listen({ host: config.http.host, port: config.http.port });
  // SIGTERM/SIGINT: finish in-flight requests, close the database, exit 0 (a clean stop for systemd).
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    new Logger('HTTP').log(`${signal} received; shutting down`);
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`Shutdown failed: ${(error as Error)?.message ?? String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const auth = config.http.apiToken ? 'bearer token required' : 'loopback only, no token';
  if (!config.runners.heartbeatKey && !isLoopbackHost(config.http.host)) {
    new Logger('HTTP').warn(`RUNNER_HEARTBEAT_OPEN=true and no RUNNER_HEARTBEAT_KEY: anyone who reaches ${config.http.host}:${config.http.port} can post heartbeats for any camera`);
  }
  new Logger('HTTP').log(
    `Listening on http://${config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host}:${config.http.port} (${auth}); API docs at /docs`,
  );
}

main().catch(exitOnStartupError);
