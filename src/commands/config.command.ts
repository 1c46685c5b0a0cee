import { Command, Option } from 'nest-commander';
import { BiskCommand } from './command-error.js';
import { AppConfig } from '../config/app-config.js';
import { maskCredentials } from '../common/mask.js';

/** Shows the configuration as this process sees it (env + BISK_ENV_FILE), secrets hidden. */
@Command({ name: 'config', description: 'Validate and print the effective configuration (secrets masked)' })
export class ConfigCommand extends BiskCommand {
  constructor(private readonly config: AppConfig) {
    super();
  }

  async run(_args: string[], options: { json?: boolean }): Promise<void> {
    const c = this.config;
    const secret = (value?: string) => (value ? '(set)' : '(not set)');
    const view = {
      TZ: c.timeZone,
      DATABASE_URL: maskCredentials(c.database.engine === 'sqlite' ? c.database.path : c.database.url),
      HOST: c.http.host,
      PORT: c.http.port,
      BISK_API_TOKEN: secret(c.http.apiToken),
      ENFORCER_INTERVAL_SECONDS: c.enforcer.intervalSeconds,
      ENFORCER_LEASE_SECONDS: c.enforcer.leaseSeconds,
      ENFORCER_LOCK_FILE: c.enforcer.lockFile,
      ENFORCER_EMBEDDED: c.enforcer.embedded,
      NODE_NAME: c.enforcer.nodeName,
      REDIS_URL: c.redisUrl ? maskCredentials(c.redisUrl) : '(not set)',
      RUNNER_COMMAND: c.runners.command ?? '(reference runner)',
      RUNNER_HEARTBEAT_URL: c.runners.heartbeatUrl,
      RUNNER_HEARTBEAT_KEY: secret(c.runners.heartbeatKey),
      RUNNER_HEARTBEAT_OPEN: c.runners.heartbeatOpen,
      RUNNER_SECRETS_IN_ARGV: c.runners.secretsInArgv,
      RUNNER_ENV_PASS: c.runners.envPass.join(',') || '(none)',
      RUNNER_LOG_DIR: c.runners.logDir,
      SNAPSHOT_DIR: c.runners.snapshotDir,
      RUNNER_STOP_TIMEOUT_SECONDS: c.runners.stopTimeoutSeconds,
      RUNNER_BACKOFF_MAX_SECONDS: c.runners.backoffMaxSeconds,
      HEARTBEAT_ONLINE_SEC: c.heartbeats.onlineSec,
      HEARTBEAT_STALE_SEC: c.heartbeats.staleSec,
      HEARTBEAT_OFFLINE_SEC: c.heartbeats.offlineSec,
      HB_LOG_EVERY_SEC: c.heartbeats.logEverySec,
      FFMPEG_PATH: c.tools.ffmpegPath ?? '(from PATH)',
      FFPROBE_PATH: c.tools.ffprobePath ?? '(from PATH)',
      NVIDIA_SMI_PATH: c.tools.nvidiaSmi,
      GPU_REQUIRED: c.tools.gpuRequired,
      LOG_LEVEL: c.logLevel,
    };
    if (options.json) {
      console.log(JSON.stringify(view, null, 2));
      return;
    }
    const width = Math.max(...Object.keys(view).map((k) => k.length));
    for (const [key, value] of Object.entries(view)) console.log(`${key.padEnd(width)}  ${value}`);
  }

  @Option({ flags: '--json', description: 'print JSON' })
  parseJson(): boolean {
    return true;
  }
}
