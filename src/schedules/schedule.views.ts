import { DAY_NAMES } from '../common/domain.js';
import type { PolicyTree } from './policies.repository.js';
import type { ResourceSettings } from './resource-settings.entity.js';
import type { ScheduleException } from './schedule-exception.entity.js';
import type { ScheduleWindow } from './schedule-window.entity.js';
import type { StreamProfile } from './stream-profile.entity.js';

const iso = (date: Date) => date.toISOString();

export function toProfileView(profile: StreamProfile) {
  return {
    id: profile.id,
    name: profile.name,
    fps: profile.fps,
    detectionSet: profile.detectionSet,
    rtspTransport: profile.rtspTransport,
    hbInterval: profile.hbInterval,
    snapshotEvery: profile.snapshotEvery,
    extraArgs: profile.extraArgs ?? {},
    isActive: profile.isActive,
    createdAt: iso(profile.createdAt),
    updatedAt: iso(profile.updatedAt),
  };
}

export function toWindowView(window: ScheduleWindow) {
  return {
    id: window.id,
    policyId: window.policyId,
    dayOfWeek: window.dayOfWeek,
    day: DAY_NAMES[window.dayOfWeek],
    startTime: window.startTime,
    endTime: window.endTime,
    /** How §3 reads it: same-day, whole day (start = end) or overnight into the next day. */
    kind: window.startTime === window.endTime ? 'whole-day' : window.startTime > window.endTime ? 'overnight' : 'same-day',
    profileId: window.profileId,
  };
}

export function toExceptionView(exception: ScheduleException) {
  return {
    id: exception.id,
    policyId: exception.policyId,
    date: exception.date,
    mode: exception.mode,
    startTime: exception.startTime,
    endTime: exception.endTime,
    profileId: exception.profileId,
  };
}

export function toPolicyView(tree: PolicyTree) {
  return {
    id: tree.policy.id,
    name: tree.policy.name,
    isEnabled: tree.policy.isEnabled,
    notes: tree.policy.notes,
    cameraIds: tree.cameraIds,
    windows: tree.windows.map(toWindowView),
    exceptions: tree.exceptions.map(toExceptionView),
    createdAt: iso(tree.policy.createdAt),
    updatedAt: iso(tree.policy.updatedAt),
  };
}

export function toResourceSettingsView(row: ResourceSettings) {
  return {
    id: row.id,
    scope: row.cameraId === null ? 'global' : 'camera',
    cameraId: row.cameraId,
    device: row.device,
    hwaccel: row.hwaccel,
    gpuIndex: row.gpuIndex,
    cpuNice: row.cpuNice,
    cpuAffinity: row.cpuAffinity,
    maxFps: row.maxFps,
    detSetMax: row.detSetMax,
    isActive: row.isActive,
    updatedAt: iso(row.updatedAt),
  };
}
