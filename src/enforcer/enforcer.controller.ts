import { hostname } from 'node:os';
import { Body, ConflictException, Controller, Get, HttpCode, HttpException, HttpStatus, Param, Post, Query, ServiceUnavailableException } from '@nestjs/common';
import {
  ApiAcceptedResponse, ApiBearerAuth, ApiConflictResponse, ApiNotFoundResponse, ApiOperation, ApiParam, ApiPropertyOptional, ApiServiceUnavailableResponse, ApiTags,
} from '@nestjs/swagger';
import { IsIn, IsInt, IsISO8601, IsOptional, Matches, Max, Min } from 'class-validator';
import { Clock } from '../common/clock.js';
import { EVENT_KINDS, type EventKind } from '../common/domain.js';
import { notFound } from '../common/errors.js';
import { IdPipe } from '../common/id.pipe.js';
import { maskCredentials } from '../common/mask.js';
import { MAX_INT32, page, PageQuery, QueryInt } from '../common/pagination.js';
import { IsOptionalNotNull } from '../common/validators.js';
import { Breadcrumbs, type EnforcerBreadcrumbs } from './breadcrumbs.js';
import { EnforcerReadModel } from './enforcer.read-model.js';
import { EnforcerService } from './enforcer.service.js';
import { LeaseRepository } from './lease.repository.js';
import { ownerOf } from './ownership.js';
import { previewToJson } from './plan.view.js';
import { RunnerExecutor } from './runner.executor.js';
import { enforcerLiveness, StatusService } from './status.service.js';
import { AppConfig } from '../config/app-config.js';

export class PlanQuery {
  @ApiPropertyOptional({ example: '2026-12-01T08:00:00+03:00', description: 'instant to plan for (default now)' })
  @IsOptional() @IsISO8601({ strict: true }, { message: 'at must be an ISO-8601 date-time such as 2026-12-01T08:00:00+03:00' })
  at?: string;
}

export class EventsQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @QueryInt() @IsInt({ message: 'cameraId must be a whole number' }) @Min(1) @Max(MAX_INT32)
  cameraId?: number;

  @ApiPropertyOptional({ enum: EVENT_KINDS }) @IsOptional() @IsIn(EVENT_KINDS, { message: `kind must be one of ${EVENT_KINDS.join(', ')}` })
  kind?: EventKind;
}

export class EnforceQuery {
  @ApiPropertyOptional({ description: 'node whose enforcer should tick (default: this app\'s NODE_NAME)', example: 'gpu-box-2' })
  @IsOptional() @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, { message: 'node must be 1-63 letters, digits, dots, dashes or underscores' })
  node?: string;
}

export class StopRunnersDto {
  @ApiPropertyOptional() @IsOptionalNotNull() @IsInt() @Min(1) @Max(MAX_INT32)
  cameraId?: number;

  @ApiPropertyOptional() @IsOptionalNotNull() @IsInt() @Min(1) @Max(MAX_INT32)
  profileId?: number;
}

/** "Enforce now" is accepted at most once per this many seconds. */
export const ENFORCE_MIN_SPACING_SECONDS = 10;

@ApiTags('enforcer')
@ApiBearerAuth()
@Controller('api')
export class EnforcerController {
  constructor(
    private readonly status: StatusService,
    private readonly enforcer: EnforcerService,
    private readonly executor: RunnerExecutor,
    private readonly readModel: EnforcerReadModel,
    private readonly config: AppConfig,
    private readonly breadcrumbs: Breadcrumbs,
    private readonly clock: Clock,
    private readonly leases: LeaseRepository,
  ) {}

  @Get('enforcer/status')
  getStatus() {
    return this.status.status();
  }

  /** What the enforcer would do at `at` (default now); read-only, works without a running enforcer. */
  @Get('enforcer/plan')
  async plan(@Query() query: PlanQuery) {
    return previewToJson(await this.enforcer.preview(query.at ? new Date(query.at) : this.clock.now()));
  }

  @Get('enforcer/events')
  async events(@Query() query: EventsQuery) {
    const [rows, total] = await this.readModel.findEvents(query.limit, query.offset, { cameraId: query.cameraId, kind: query.kind });
    return page(rows.map((e) => ({ ...e, ts: e.ts.toISOString(), message: maskCredentials(e.message) })), total, query);
  }

  /**
   * Asks the running enforcer to tick within a second. Never starts runners from the web
   * process: with no enforcer running it answers 503 and says how to start one.
   */
  @Post('enforcer/enforce')
  @HttpCode(202)
  async enforce(@Query() query: EnforceQuery) {
    const now = this.clock.now();
    const breadcrumbs = this.breadcrumbs.forNode(query.node ?? this.breadcrumbs.node);
    const crumbs = await breadcrumbs.read();
    if (!enforcerLiveness(crumbs, now, this.config.enforcer.intervalSeconds).alive) {
      throw new ServiceUnavailableException(
        `No enforcer is running${query.node ? ` on node ${query.node}` : ''} (no recent tick): start it with "sudo systemctl start bisk-enforcer.service" or "bisk run-enforcer"`,
      );
    }
    const last = await breadcrumbs.enforceRequestedAt();
    const since = last ? (now.getTime() - Date.parse(last)) / 1000 : Infinity;
    if (since < ENFORCE_MIN_SPACING_SECONDS) {
      const wait = Math.ceil(ENFORCE_MIN_SPACING_SECONDS - since);
      throw new HttpException(
        { statusCode: 429, error: 'Too Many Requests', message: `Enforce was requested ${Math.floor(since)} s ago; try again in ${wait} s`, retryAfterSeconds: wait },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    const signalled = await this.wake(breadcrumbs, crumbs, now);
    return { requested: true, at: now.toISOString(), node: breadcrumbs.node, enforcerPid: crumbs.runningPid, host: crumbs.host, signalled };
  }

  /**
   * Asks the enforcer of `breadcrumbs`' node to tick now: through the state store (seen within a
   * second wherever it runs) and, on this host, at once by SIGUSR1. Returns whether it was signalled.
   */
  private async wake(breadcrumbs: Breadcrumbs, crumbs: EnforcerBreadcrumbs, now: Date): Promise<boolean> {
    await breadcrumbs.requestEnforce(now);
    try {
      if (crumbs.runningPid && (crumbs.host === null || crumbs.host === hostname())) return process.kill(crumbs.runningPid, 'SIGUSR1');
    } catch {
      // not ours to signal (another user) or just gone: the state store request still stands
    }
    return false;
  }

  /**
   * Nodes known to the database (§9): each one's lease (expiry, holder, version), its last tick
   * (the lease is renewed by every tick), how many runner processes it records, and how many
   * floating cameras the live nodes' hash gives it.
   */
  @Get('nodes')
  async nodes() {
    const now = this.clock.now().getTime();
    const [leases, counts, floating] = await Promise.all([this.leases.list(), this.readModel.runnerCountsByNode(), this.readModel.floatingCameraIds()]);
    const live = leases.filter((l) => l.expiresAt > now).map((l) => l.node);
    const owned = new Map<string, number>();
    for (const id of floating) {
      const owner = ownerOf(id, live);
      if (owner) owned.set(owner, (owned.get(owner) ?? 0) + 1);
    }
    const names = [...new Set([...leases.map((l) => l.node), ...counts.keys()])].sort();
    const trail = new Map(await Promise.all(names.map(async (n) => [n, await this.breadcrumbs.forNode(n).read().catch(() => null)] as const)));
    return {
      now: new Date(now).toISOString(),
      live: live.length,
      items: names.map((name) => {
        const lease = leases.find((l) => l.node === name);
        const crumbs = trail.get(name);
        return {
          name,
          alive: lease !== undefined && lease.expiresAt > now,
          holder: lease?.holder ?? null,
          pid: lease?.pid ?? null,
          version: lease?.version || null,
          leaseAcquiredAt: lease ? new Date(lease.acquiredAt).toISOString() : null,
          lastTickAt: lease ? new Date(lease.renewedAt).toISOString() : null,
          leaseExpiresAt: lease ? new Date(lease.expiresAt).toISOString() : null,
          runners: counts.get(name) ?? 0,
          floatingCameras: owned.get(name) ?? 0,
          // Breadcrumbs (seen from every app when they share Redis; otherwise only this host's).
          lastOk: crumbs?.lastOk ?? null,
          lastError: crumbs?.lastError ?? null,
          host: crumbs?.host ?? null,
        };
      }),
    };
  }

  @Get('runners')
  async runners(@Query() query: PageQuery) {
    const [rows, total] = await this.readModel.findRunnersPage(query.limit, query.offset);
    return page(
      rows.map((r) => ({
        id: r.id, cameraId: r.cameraId, profileId: r.profileId, node: r.node, pid: r.pid, status: r.status,
        startedAt: r.startedAt?.toISOString() ?? null, lastHeartbeatAt: r.lastHeartbeatAt?.toISOString() ?? null,
        restartCount: r.restartCount, crashCount: r.crashCount, lastExitCode: r.lastExitCode, lastExitSignal: r.lastExitSignal,
        lastExitAt: r.lastExitAt?.toISOString() ?? null, lastError: maskCredentials(r.lastError),
        cameraFps: r.cameraFps, processedFps: r.processedFps, targetFps: r.targetFps, snapshotEvery: r.snapshotEvery,
        specHash: r.specHash, effectiveArgs: r.effectiveArgs,
      })),
      total,
      query,
    );
  }

  /** Stops runner processes on this host (all, or one camera/profile); the enforcer restarts those still wanted. */
  @Post('runners/stop')
  @HttpCode(200)
  async stopRunners(@Body() dto: StopRunnersDto) {
    return this.executor.stopRunners({ cameraId: dto.cameraId, profileId: dto.profileId }, 'stopped through the API');
  }

  /**
   * Restarts one runner now: its process is stopped the way POST /api/runners/stop stops one
   * (group TERM, then KILL after the stop timeout; a `stop` event), then this node's enforcer is
   * woken so that, the pair being still wanted, it starts the runner again at once. Nothing is
   * stopped unless an enforcer is running to start it again.
   */
  @Post('runners/:id/restart')
  @HttpCode(202)
  @ApiOperation({ summary: 'Restart one runner now', description: 'Stops the process and wakes the enforcer, which starts it again at once if its schedule still wants it. Takes no body (none or {}).' })
  @ApiParam({ name: 'id', description: 'runner id', schema: { type: 'integer', minimum: 1, maximum: MAX_INT32 } })
  @ApiAcceptedResponse({ description: '{runnerId, cameraId, profileId, node, oldPid, stopped, enforcerPid, signalled, message}' })
  @ApiNotFoundResponse({ description: 'no runner with this id' })
  @ApiConflictResponse({ description: 'the runner has no process (not running), is already stopping, or runs on another node' })
  @ApiServiceUnavailableResponse({ description: 'no enforcer is running on this node to start it again' })
  async restartRunner(@Param('id', new IdPipe()) id: number) {
    const runner = await this.readModel.runner(id);
    if (!runner) throw notFound('runner', id);
    if (runner.pid === null) {
      throw new ConflictException(`runner ${id} is not running (status ${runner.status}, no process): nothing to restart; the enforcer starts it when its schedule wants it`);
    }
    if (runner.status === 'stopping') throw new ConflictException(`runner ${id} (pid ${runner.pid}) is already being stopped`);
    if (runner.node !== this.executor.node) {
      throw new ConflictException(`runner ${id} runs on node ${runner.node}; this app (node ${this.executor.node}) can only signal its own node's runners: restart it through that node's app`);
    }
    const now = this.clock.now();
    const crumbs = await this.breadcrumbs.read();
    if (!enforcerLiveness(crumbs, now, this.config.enforcer.intervalSeconds).alive) {
      throw new ServiceUnavailableException(
        `No enforcer is running on node ${this.executor.node} (no recent tick) to start runner ${id} again, so it was not stopped: start the enforcer with "sudo systemctl start bisk-enforcer.service" or "bisk run-enforcer"`,
      );
    }
    const { stopped } = await this.executor.stopRunners({ cameraId: runner.cameraId, profileId: runner.profileId }, 'restart requested through the API');
    const signalled = await this.wake(this.breadcrumbs, crumbs, this.clock.now());
    return {
      runnerId: id, cameraId: runner.cameraId, profileId: runner.profileId, node: runner.node, oldPid: runner.pid, stopped: stopped > 0,
      enforcerPid: crumbs.runningPid, signalled,
      message: `runner ${id} (pid ${runner.pid}) ${stopped > 0 ? 'stopped' : 'was already gone'}; the enforcer starts it again at once if its schedule still wants it`,
    };
  }
}
