import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import type { AppConfig } from '../config/app-config.js';
import { EnforcerBusyError } from '../enforcer/enforcer.loop.js';
import { type EnforcerRuntime, openEnforcerRuntime, runEnforcerCommand } from '../enforcer/enforcer.runtime.js';
import { describePlan, previewToJson } from '../enforcer/plan.view.js';
import { CommandError, parseInstant, parsePositiveInt } from './command-error.js';

/**
 * The enforcer's operator commands without Nest: `run-enforcer`, `status`, `enforce` and
 * `stop-runners` are dispatched here by cli.ts before any framework loads, so each answers in
 * a few hundred milliseconds. The nest-commander classes declare the same commands for
 * `bisk --help` and call these functions when reached that way.
 */
async function withRuntime<T>(config: AppConfig, fn: (runtime: EnforcerRuntime) => Promise<T>): Promise<T> {
  const runtime = await openEnforcerRuntime(config);
  try {
    return await fn(runtime);
  } finally {
    await runtime.close();
  }
}

export async function statusCommand(config: AppConfig, options: { json?: boolean }): Promise<void> {
  const status = await withRuntime(config, (runtime) => runtime.status.status());
  if (options.json) {
    console.log(JSON.stringify(status, null, 2));
    return;
  }
  const e = status.enforcer;
  const when = (iso: string | null) => (iso ? DateTime.fromISO(iso, { zone: config.timeZone }).toFormat('yyyy-LL-dd HH:mm:ss') : '—');
  const r = status.runners;
  console.log(
    [
      `Enforcer:  ${e.alive ? 'running' : 'not running'}${e.runningPid ? ` (pid ${e.runningPid}${e.node ? ` on ${e.node}` : ''})` : ''}`,
      `PID:       ${e.runningPid ?? '—'}`,
      `Last run:  ${when(e.lastRun)}${e.lastRunAgeSeconds !== null ? ` (${e.lastRunAgeSeconds} s ago)` : ''}`,
      `Last OK:   ${when(e.lastOk)}`,
      `Last error: ${e.lastError ?? '—'}`,
      `Interval:  ${e.intervalSeconds ?? config.enforcer.intervalSeconds} s; next wake-up ${when(e.nextWake)}`,
      `Runners:   ${r.total} row(s): ${Object.entries(r.byStatus).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
      `Heartbeats: online ${r.heartbeat.online}, stale ${r.heartbeat.stale}, offline ${r.heartbeat.offline}, none yet ${r.heartbeat.never}`,
    ].join('\n'),
  );
}

export async function enforceCommand(config: AppConfig, options: { dryRun?: boolean; at?: Date; json?: boolean }): Promise<void> {
  if (options.at && !options.dryRun) throw new CommandError('--at only works with --dry-run (a real tick always runs at the current time)');
  await withRuntime(config, async (runtime) => {
    if (options.dryRun) {
      const preview = await runtime.service.preview(options.at);
      console.log(options.json ? JSON.stringify(previewToJson(preview), null, 2) : describePlan(preview, config.timeZone));
      return;
    }
    const result = await runtime.loop.once();
    const summary = `Enforced. Started: ${result.started + result.restarted}, Stopped: ${result.stopped}, Desired=${result.desired}, Running(before)=${result.runningBefore}`;
    console.log(options.json ? JSON.stringify({ ...result, summary }, null, 2) : summary);
  });
}

export async function stopRunnersCommand(config: AppConfig, options: { camera?: number; profile?: number }): Promise<void> {
  const { stopped, skipped } = await withRuntime(config, (runtime) => runtime.service.stopRunners({ cameraId: options.camera, profileId: options.profile }));
  console.log(`Stopped ${stopped} runner(s); skipped ${skipped} already-dead.`);
}

const COMMANDS = {
  status: { options: { json: { type: 'boolean' } }, run: (c: AppConfig, v: Record<string, string | boolean | undefined>) => statusCommand(c, { json: v.json === true }) },
  enforce: {
    options: { 'dry-run': { type: 'boolean' }, at: { type: 'string' }, json: { type: 'boolean' } },
    run: (c: AppConfig, v: Record<string, string | boolean | undefined>) =>
      enforceCommand(c, { dryRun: v['dry-run'] === true, json: v.json === true, at: typeof v.at === 'string' ? parseInstant('--at', v.at) : undefined }),
  },
  'stop-runners': {
    options: { camera: { type: 'string' }, profile: { type: 'string' } },
    run: (c: AppConfig, v: Record<string, string | boolean | undefined>) =>
      stopRunnersCommand(c, {
        camera: typeof v.camera === 'string' ? parsePositiveInt('--camera', v.camera) : undefined,
        profile: typeof v.profile === 'string' ? parsePositiveInt('--profile', v.profile) : undefined,
      }),
  },
} as const;

/** Runs one of the enforcer commands; returns the exit code (2 for a bad option, 1 for a refusal). */
export async function runEnforcerCli(command: string, config: AppConfig, args: string[]): Promise<number> {
  if (command === 'run-enforcer') return runEnforcerCommand(config, args);
  const spec = COMMANDS[command as keyof typeof COMMANDS];
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args, options: spec.options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message.split('\n')[0]}\n(see bisk ${command} --help)\n`);
    return 2;
  }
  try {
    await spec.run(config, values);
    return 0;
  } catch (error) {
    if (error instanceof CommandError || error instanceof EnforcerBusyError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
