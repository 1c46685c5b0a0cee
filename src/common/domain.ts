/** Allowed values shared by entities, DTOs and (later) the enforcer. */
export const DETECTION_SETS = ['auto', '640', '800', '1024', '1600', '2048'] as const;
export type DetectionSet = (typeof DETECTION_SETS)[number];

export const CAMERA_TRANSPORTS = ['auto', 'tcp', 'udp'] as const;
export type CameraTransport = (typeof CAMERA_TRANSPORTS)[number];
/** A profile's transport: "" inherits the camera's. */
export const PROFILE_TRANSPORTS = ['', 'auto', 'tcp', 'udp'] as const;
export type ProfileTransport = (typeof PROFILE_TRANSPORTS)[number];

export const EXCEPTION_MODES = ['off', 'on', 'window'] as const;
export type ExceptionMode = (typeof EXCEPTION_MODES)[number];

export const DEVICES = ['cpu', 'cuda'] as const;
export type Device = (typeof DEVICES)[number];
export const HWACCELS = ['none', 'nvdec'] as const;
export type Hwaccel = (typeof HWACCELS)[number];

export const RUNNER_STATUSES = ['starting', 'running', 'stopping', 'exited', 'backoff', 'failed'] as const;
export type RunnerStatus = (typeof RUNNER_STATUSES)[number];
/** Statuses under which a runner row holds its pair across all nodes (the uq_runners_active_pair index). */
export const ACTIVE_RUNNER_STATUSES: ReadonlySet<RunnerStatus> = new Set(['starting', 'running', 'stopping']);

export const EVENT_KINDS = [
  'start', 'stop', 'restart', 'crash', 'backoff', 'adopt', 'stray-kill', 'drift', 'stall', 'pause-expired', 'error', 'handover',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Monday = 0 … Sunday = 6, as in the original's schedule tables. */
export const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
