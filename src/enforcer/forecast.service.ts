import { Injectable, NotFoundException } from '@nestjs/common';
import { DateTime } from 'luxon';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { fleetScheduleInput } from './desired.js';
import { EnforcerRepository } from './enforcer.repository.js';
import { forecast, type ForecastOptions } from './forecast.js';

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
    /** UTC instants. */
    start: string;
    end: string;
    /** The same instants as local wall-clock time in TZ, with the offset. */
    startLocal: string;
    endLocal: string;
  }[];
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
    const local = (at: Date) => DateTime.fromJSDate(at, { zone }).toISO({ suppressMilliseconds: true })!;
    return {
      from: start.toISOString(),
      to: end.toISOString(),
      timeZone: zone,
      intervals: forecast(fleetScheduleInput(world), start, end, zone, options).map((i) => ({
        cameraId: i.cameraId,
        cameraName: cameras.get(i.cameraId) ?? '',
        profileId: i.profileId,
        profileName: profiles.get(i.profileId) ?? '',
        policyIds: i.policyIds,
        start: i.start.toISOString(),
        end: i.end.toISOString(),
        startLocal: local(i.start),
        endLocal: local(i.end),
      })),
    };
  }
}
