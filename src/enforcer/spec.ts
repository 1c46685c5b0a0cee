import { hash } from 'node:crypto';
import type { CameraTransport, DetectionSet, Device, Hwaccel } from '../common/domain.js';

/**
 * The effective spec of a (camera, profile) pair (§3, last bullet), pure: profile and
 * camera knobs merged (camera first only when preferCameraOverProfile), then the global and
 * per-camera resource caps applied. Its hash is stored on the runner; a different hash
 * later means the runner runs with stale settings (drift) and is restarted.
 */

export interface SpecCamera {
  id: number;
  rtspUrl: string;
  rtspTransport: CameraTransport;
  hbInterval: number;
  snapshotEvery: number;
  preferCameraOverProfile: boolean;
  targetFpsReq: number | null;
  detSetReq: DetectionSet | null;
}

export interface SpecProfile {
  id: number;
  fps: number;
  detectionSet: DetectionSet;
  rtspTransport: '' | CameraTransport;
  hbInterval: number;
  snapshotEvery: number;
  extraArgs: Record<string, string | number | boolean | null>;
}

export interface SpecResources {
  device: Device | null;
  hwaccel: Hwaccel | null;
  gpuIndex: number | null;
  cpuNice: number | null;
  cpuAffinity: string | null;
  maxFps: number | null;
  detSetMax: DetectionSet | null;
  isActive: boolean;
}

export interface EffectiveSpec {
  cameraId: number;
  profileId: number;
  rtspUrl: string;
  fps: number;
  detSet: DetectionSet;
  rtspTransport: CameraTransport;
  hbInterval: number;
  snapshotEvery: number;
  device: Device;
  hwaccel: Hwaccel;
  gpuIndex: number | null;
  cpuNice: number | null;
  cpuAffinity: string | null;
  capMaxFps: number | null;
  capDetSetMax: DetectionSet | null;
  extraArgs: Record<string, string | number | boolean | null>;
}

/** Detector sizes in order; "auto" counts as the largest. */
const DET_ORDER: DetectionSet[] = ['640', '800', '1024', '1600', '2048', 'auto'];

export function clampDetSet(requested: DetectionSet, cap: DetectionSet | null): DetectionSet {
  if (!cap || cap === 'auto') return requested;
  return DET_ORDER.indexOf(requested) > DET_ORDER.indexOf(cap) ? cap : requested;
}

/** Global resources with the camera's override on top (null fields inherit; inactive rows do not count). */
export function mergeResources(global: SpecResources | null, override: SpecResources | null): Omit<SpecResources, 'isActive'> {
  const g = global?.isActive ? global : null;
  const o = override?.isActive ? override : null;
  const pick = <K extends keyof SpecResources>(key: K) => (o?.[key] ?? g?.[key] ?? null) as SpecResources[K];
  return {
    device: pick('device'),
    hwaccel: pick('hwaccel'),
    gpuIndex: pick('gpuIndex'),
    cpuNice: pick('cpuNice'),
    cpuAffinity: pick('cpuAffinity'),
    maxFps: pick('maxFps'),
    detSetMax: pick('detSetMax'),
  };
}

export function effectiveSpec(
  camera: SpecCamera,
  profile: SpecProfile,
  resources: Omit<SpecResources, 'isActive'>,
): EffectiveSpec {
  const cameraFirst = camera.preferCameraOverProfile;
  const fpsWanted = cameraFirst && camera.targetFpsReq !== null ? camera.targetFpsReq : profile.fps;
  const detWanted = cameraFirst && camera.detSetReq !== null ? camera.detSetReq : profile.detectionSet;
  const transport = cameraFirst || profile.rtspTransport === '' ? camera.rtspTransport : profile.rtspTransport;
  return {
    cameraId: camera.id,
    profileId: profile.id,
    rtspUrl: camera.rtspUrl,
    fps: resources.maxFps !== null ? Math.min(fpsWanted, resources.maxFps) : fpsWanted,
    detSet: clampDetSet(detWanted, resources.detSetMax),
    rtspTransport: transport,
    hbInterval: cameraFirst ? camera.hbInterval : profile.hbInterval,
    snapshotEvery: cameraFirst ? camera.snapshotEvery : profile.snapshotEvery,
    device: resources.device ?? 'cpu',
    hwaccel: resources.hwaccel ?? 'none',
    gpuIndex: resources.gpuIndex,
    cpuNice: resources.cpuNice,
    cpuAffinity: resources.cpuAffinity,
    capMaxFps: resources.maxFps,
    capDetSetMax: resources.detSetMax,
    extraArgs: profile.extraArgs ?? {},
  };
}

/** Canonical JSON (sorted keys) so equal specs hash equal whatever the property order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The spec's keys in sorted order with their JSON names, computed once per key set (specs all share one). */
let specKeys: { signature: string; sorted: [string, string][] } = { signature: '', sorted: [] };

/** canonical(spec) without sorting and quoting the same keys for every one of thousands of specs. */
function canonicalSpec(spec: EffectiveSpec): string {
  const keys = Object.keys(spec);
  const signature = keys.join(',');
  if (signature !== specKeys.signature) specKeys = { signature, sorted: [...keys].sort().map((k) => [k, JSON.stringify(k)]) };
  const record = spec as unknown as Record<string, unknown>;
  return `{${specKeys.sorted.map(([k, quoted]) => `${quoted}:${canonical(record[k])}`).join(',')}}`;
}

/** SHA-256 of the canonical JSON; one-shot `crypto.hash` (no Hash object per spec: 10,000 per tick at scale). */
export function specHash(spec: EffectiveSpec): string {
  return hash('sha256', canonicalSpec(spec), 'hex');
}
