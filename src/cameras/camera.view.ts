import { maskCredentials } from '../common/mask.js';
import type { Camera } from './camera.entity.js';
import type { CameraView } from './camera.dto.js';

/** The API's view of a camera: credentials masked, instants as ISO strings, `paused` computed. */
export function toCameraView(camera: Camera, now: Date): CameraView {
  return {
    id: camera.id,
    name: camera.name,
    rtspUrl: maskCredentials(camera.rtspUrl),
    location: camera.location,
    isActive: camera.isActive,
    pauseUntil: camera.pauseUntil ? camera.pauseUntil.toISOString() : null,
    paused: camera.pauseUntil !== null && camera.pauseUntil.getTime() > now.getTime(),
    rtspTransport: camera.rtspTransport,
    hbInterval: camera.hbInterval,
    snapshotEvery: camera.snapshotEvery,
    preferCameraOverProfile: camera.preferCameraOverProfile,
    targetFpsReq: camera.targetFpsReq,
    detSetReq: camera.detSetReq,
    node: camera.node,
    createdAt: camera.createdAt.toISOString(),
    updatedAt: camera.updatedAt.toISOString(),
  };
}
