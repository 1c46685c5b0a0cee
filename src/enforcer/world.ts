import type { CameraTransport, DetectionSet, Device, EventKind, ExceptionMode, Hwaccel, RunnerStatus } from '../common/domain.js';
import type { LeaseView } from './ownership.js';
import type { ScheduleExceptionInput, ScheduleWindowInput } from './schedule.js';
import type { SpecCamera, SpecProfile, SpecResources } from './spec.js';

/**
 * The rows a tick reads, as plain typed records (no entity instances: at 10,000 cameras the
 * read is the bulk of a tick). Each table's columns are listed once, property → column, in the
 * order of the SELECT; a test checks every pair against the entities' metadata on both engines.
 */
export const WORLD_COLUMNS = {
  cameras: {
    id: 'id', name: 'name', rtspUrl: 'rtsp_url', isActive: 'is_active', pauseUntil: 'pause_until', rtspTransport: 'rtsp_transport',
    hbInterval: 'hb_interval', snapshotEvery: 'snapshot_every', preferCameraOverProfile: 'prefer_camera_over_profile',
    targetFpsReq: 'target_fps_req', detSetReq: 'det_set_req', node: 'node',
  },
  stream_profiles: {
    id: 'id', name: 'name', fps: 'fps', detectionSet: 'detection_set', rtspTransport: 'rtsp_transport', hbInterval: 'hb_interval',
    snapshotEvery: 'snapshot_every', extraArgs: 'extra_args', isActive: 'is_active',
  },
  schedule_policies: { id: 'id', name: 'name', isEnabled: 'is_enabled' },
  schedule_windows: { id: 'id', policyId: 'policy_id', dayOfWeek: 'day_of_week', startTime: 'start_time', endTime: 'end_time', profileId: 'profile_id' },
  schedule_exceptions: { id: 'id', policyId: 'policy_id', date: 'date', mode: 'mode', startTime: 'start_time', endTime: 'end_time', profileId: 'profile_id' },
  resource_settings: {
    id: 'id', cameraId: 'camera_id', device: 'device', hwaccel: 'hwaccel', gpuIndex: 'gpu_index', cpuNice: 'cpu_nice',
    cpuAffinity: 'cpu_affinity', maxFps: 'max_fps', detSetMax: 'det_set_max', isActive: 'is_active',
  },
  runners: {
    id: 'id', cameraId: 'camera_id', profileId: 'profile_id', node: 'node', pid: 'pid', processStartTime: 'process_start_time',
    status: 'status', startedAt: 'started_at', lastHeartbeatAt: 'last_heartbeat_at', effectiveArgs: 'effective_args', specHash: 'spec_hash',
    restartCount: 'restart_count', crashCount: 'crash_count', lastExitAt: 'last_exit_at', lastExitCode: 'last_exit_code',
    lastExitSignal: 'last_exit_signal', lastError: 'last_error', cameraFps: 'camera_fps', processedFps: 'processed_fps',
    targetFps: 'target_fps', snapshotEvery: 'snapshot_every', createdAt: 'created_at', updatedAt: 'updated_at',
  },
  enforcer_events: { id: 'id', ts: 'ts', node: 'node', kind: 'kind', cameraId: 'camera_id', profileId: 'profile_id', pid: 'pid', message: 'message' },
} as const;

export interface CameraRow extends SpecCamera {
  name: string;
  isActive: boolean;
  pauseUntil: Date | null;
  rtspTransport: CameraTransport;
  /** Pinned to this node name; null = floating (§9). */
  node: string | null;
}

export interface ProfileRow extends SpecProfile {
  name: string;
  isActive: boolean;
}

export interface PolicyRow {
  id: number;
  name: string;
  isEnabled: boolean;
}

export interface WindowRow extends ScheduleWindowInput {
  id: number;
  policyId: number;
}

export interface ExceptionRow extends ScheduleExceptionInput {
  id: number;
  policyId: number;
  mode: ExceptionMode;
}

export interface ResourceRow extends SpecResources {
  id: number;
  /** null = the global row. */
  cameraId: number | null;
  device: Device | null;
  hwaccel: Hwaccel | null;
  detSetMax: DetectionSet | null;
}

export interface RunnerRow {
  id: number;
  cameraId: number;
  profileId: number;
  node: string;
  pid: number | null;
  processStartTime: string | null;
  status: RunnerStatus;
  startedAt: Date | null;
  lastHeartbeatAt: Date | null;
  effectiveArgs: string[] | null;
  specHash: string;
  restartCount: number;
  crashCount: number;
  lastExitAt: Date | null;
  lastExitCode: number | null;
  lastExitSignal: string | null;
  lastError: string;
  cameraFps: number | null;
  processedFps: number | null;
  targetFps: number | null;
  snapshotEvery: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface EventRow {
  id: number;
  ts: Date;
  node: string;
  kind: EventKind;
  cameraId: number | null;
  profileId: number | null;
  pid: number | null;
  message: string;
}

/** What a tick plans from: read again only when it changed (EnforcerRepository.loadWorld). */
export interface PlanningWorld {
  cameras: CameraRow[];
  profiles: ProfileRow[];
  policies: PolicyRow[];
  windows: WindowRow[];
  exceptions: ExceptionRow[];
  links: { policyId: number; cameraId: number }[];
  resources: ResourceRow[];
}

/** Everything one tick needs, loaded in a fixed number of queries however many cameras exist. */
export interface World extends PlanningWorld {
  /** This node's runner rows. */
  runners: RunnerRow[];
  /** Every node's lease (which nodes are live). */
  leases: LeaseView[];
}

/** The SELECT list of a table, in the order of WORLD_COLUMNS. */
export const selectList = (table: keyof typeof WORLD_COLUMNS) => Object.values(WORLD_COLUMNS[table]).join(', ');
