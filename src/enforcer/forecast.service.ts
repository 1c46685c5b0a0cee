import { Injectable, NotFoundException } from '@nestjs/common';
import { DateTime } from 'luxon';
import { Clock } from '../common/clock.js';
import { DAY_NAMES, type ExceptionMode } from '../common/domain.js';
import { AppConfig } from '../config/app-config.js';
import { fleetScheduleInput } from './desired.js';
import { EnforcerRepository } from './enforcer.repository.js';
import { forecast, forecastPauses, type ForecastOptions } from './forecast.js';
import type { ScheduleSource } from './schedule.js';

/**
 * What produced an interval: a weekly window (for the after-midnight tail of an overnight
 * window, the window of the day before) or the exception of the date.
 */
export type ForecastSourceView =
  | { kind: 'window'; policyId: number; policyName: string; windowId: number; dayOfWeek: number; day: string; startTime: string; endTime: string }
  | { kind: 'exception'; policyId: number; policyName: string; exceptionId: number; date: string; mode: ExceptionMode; startTime: string | null; endTime: string | null };

export interface ForecastView {
  from: string;
  to: string;
  timeZone: string;
  intervals: {
    cameraId: number;
    cameraName: string;
    profileId: number;
    profileName: string;
    policyIds: number[];
    /** Every window or exception wanting the pair throughout the interval; it ends where they change. */
    sources: ForecastSourceView[];
    /** UTC instants. */
    start: string;
    end: string;
    /** The same instants as local wall-clock time in TZ, with the offset. */
    startLocal: string;
    endLocal: string;
  }[];
  /** Cameras paused (pause until) within the range: no interval of theirs runs there. */
  pauses: { cameraId: number; cameraName: string; start: string; end: string; startLocal: string; endLocal: string }[];
}

/**
 * The forecast for the API (and the console): the database's current schedule, read the way the
 * enforcer reads it (its repository), evaluated by the pure forecast over every camera of the
 * fleet, whichever node runs it.
 */
@Injectable()
export class ForecastService {
  constructor(
    private readonly repo: EnforcerRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async forCamera(cameraId: number, from: Date | undefined, days: number): Promise<ForecastView> {
    return this.build({ cameraIds: [cameraId] }, from, days, (world) => {
      if (!world.cameras.some((c) => c.id === cameraId)) throw new NotFoundException(`camera ${cameraId} not found`);
    });
  }

  async forPolicy(policyId: number, from: Date | undefined, days: number): Promise<ForecastView> {
    return this.build({ policyIds: [policyId] }, from, days, (world) => {
      if (!world.policies.some((p) => p.id === policyId)) throw new NotFoundException(`policy ${policyId} not found`);
    });
  }

  private async build(options: ForecastOptions, from: Date | undefined, days: number, check: (world: Awaited<ReturnType<EnforcerRepository['loadWorld']>>) => void): Promise<ForecastView> {
    const world = await this.repo.loadWorld(this.config.enforcer.nodeName);
    check(world);
    const zone = this.config.timeZone;
    const start = from ?? this.clock.now();
    const end = DateTime.fromJSDate(start, { zone }).plus({ days }).toJSDate();
    const cameras = new Map(world.cameras.map((c) => [c.id, c.name]));
    const profiles = new Map(world.profiles.map((p) => [p.id, p.name]));
    const policies = new Map(world.policies.map((p) => [p.id, p.name]));
    // Intervals of many cameras share their instants (the same windows): each is formatted once.
    // Luxon's zone arithmetic per instant was a third of a 100-camera policy's page (~30 ms).
    const locals = new Map<number, string>();
    const local = (at: Date) => {
      let text = locals.get(at.getTime());
      if (text === undefined) locals.set(at.getTime(), (text = DateTime.fromJSDate(at, { zone }).toISO({ suppressMilliseconds: true })!));
      return text;
    };
    const source = (s: ScheduleSource): ForecastSourceView => {
      const policy = { policyId: s.policyId, policyName: policies.get(s.policyId) ?? '' };
      if (s.window) {
        const w = s.window;
        return { kind: 'window', ...policy, windowId: w.id, dayOfWeek: w.dayOfWeek, day: DAY_NAMES[w.dayOfWeek], startTime: w.startTime, endTime: w.endTime };
      }
      const e = s.exception;
      return { kind: 'exception', ...policy, exceptionId: e.id, date: e.date, mode: e.mode, startTime: e.startTime, endTime: e.endTime };
    };
    const input = fleetScheduleInput(world);
    return {
      from: start.toISOString(),
      to: end.toISOString(),
      timeZone: zone,
      intervals: forecast(input, start, end, zone, options).map((i) => ({
        cameraId: i.cameraId,
        cameraName: cameras.get(i.cameraId) ?? '',
        profileId: i.profileId,
        profileName: profiles.get(i.profileId) ?? '',
        policyIds: i.policyIds,
        sources: i.sources.map(source),
        start: i.start.toISOString(),
        end: i.end.toISOString(),
        startLocal: local(i.start),
        endLocal: local(i.end),
      })),
      pauses: forecastPauses(input, start, end, options).map((p) => ({
        cameraId: p.cameraId,
        cameraName: cameras.get(p.cameraId) ?? '',
        start: p.start.toISOString(),
        end: p.end.toISOString(),
        startLocal: local(p.start),
        endLocal: local(p.end),
      })),
    };
  }
}
