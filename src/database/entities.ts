import { Camera } from '../cameras/camera.entity.js';
import { EnforcerEvent } from '../enforcer/enforcer-event.entity.js';
import { EnforcerLease } from '../enforcer/enforcer-lease.entity.js';
import { RunnerHeartbeat } from '../enforcer/runner-heartbeat.entity.js';
import { Runner } from '../enforcer/runner.entity.js';
import { ResourceSettings } from '../schedules/resource-settings.entity.js';
import { ScheduleException } from '../schedules/schedule-exception.entity.js';
import { SchedulePolicy } from '../schedules/schedule-policy.entity.js';
import { ScheduleWindow } from '../schedules/schedule-window.entity.js';
import { StreamProfile } from '../schedules/stream-profile.entity.js';

/** Every entity, listed explicitly: no globs, so the built CLI and tests load the same set. */
export const ENTITIES = [
  Camera,
  StreamProfile,
  SchedulePolicy,
  ScheduleWindow,
  ScheduleException,
  ResourceSettings,
  Runner,
  RunnerHeartbeat,
  EnforcerEvent,
  EnforcerLease,
];
