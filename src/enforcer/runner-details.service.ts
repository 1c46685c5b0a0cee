import { Injectable, NotFoundException } from '@nestjs/common';
import { notFound } from '../common/errors.js';
import { maskCredentials } from '../common/mask.js';
import { AppConfig } from '../config/app-config.js';
import { EnforcerReadModel } from './enforcer.read-model.js';
import { RunnerProcessReader } from './proc-stats.js';
import { logFileFor } from './runner-command.js';
import type { RunnerLogView, RunnerProcessView } from './runner-details.dto.js';
import { lastRunLines, readTail } from './runner-log.js';
import type { RunnerRow } from './world.js';

/**
 * What this host knows about one runner beyond its row: its process as /proc shows it and the
 * end of its log. Both exist only on the runner's own node, so a runner of another node has
 * no process figures and no log here.
 */
@Injectable()
export class RunnerDetails {
  private readonly node: string;

  constructor(
    private readonly readModel: EnforcerReadModel,
    private readonly processes: RunnerProcessReader,
    private readonly config: AppConfig,
  ) {
    this.node = config.enforcer.nodeName;
  }

  async process(id: number): Promise<RunnerProcessView> {
    const runner = await this.require(id);
    const view = { runnerId: runner.id, cameraId: runner.cameraId, profileId: runner.profileId, node: runner.node, pid: runner.pid, status: runner.status };
    if (runner.node !== this.node) return { ...view, process: null, reason: `runs on node ${runner.node}; its process is read by that node's app` };
    if (runner.pid === null) return { ...view, process: null, reason: `no process (status ${runner.status})` };
    const figures = this.processes.read(runner.pid, runner.processStartTime);
    return { ...view, process: figures, reason: figures ? null : `process ${runner.pid} is gone` };
  }

  /** The last `lines` lines the runner wrote since its current (or last) start, masked. */
  async log(id: number, lines: number): Promise<RunnerLogView> {
    const runner = await this.require(id);
    if (runner.node !== this.node) throw new NotFoundException(`runner ${id} runs on node ${runner.node}; its log is on that host`);
    const tail = await readTail(logFileFor(this.config.runners.logDir, runner.cameraId, runner.profileId));
    if (tail === null) throw new NotFoundException(`runner ${id} has no log on this host yet`);
    const run = lastRunLines(tail.text, tail.fromStart, lines);
    return {
      runnerId: runner.id, cameraId: runner.cameraId, profileId: runner.profileId, node: runner.node,
      runStartedAt: run.runStartedAt, lines: run.lines.map(maskCredentials), truncated: run.truncated,
    };
  }

  private async require(id: number): Promise<RunnerRow> {
    const runner = await this.readModel.runner(id);
    if (!runner) throw notFound('runner', id);
    return runner;
  }
}
