import { DateTime } from 'luxon';
import { maskCredentials } from '../common/mask.js';
import type { PlanPreview } from './enforcer.service.js';
import type { Action } from './plan.js';

/** The plan as operators read it (`bisk enforce --dry-run`) and as the API returns it. */
export function previewToJson(preview: PlanPreview) {
  return {
    at: preview.at.toISOString(),
    nextBoundary: preview.desired.nextBoundary?.toISOString() ?? null,
    desired: preview.desired.specs.map((d) => ({
      cameraId: d.spec.cameraId,
      profileId: d.spec.profileId,
      policyIds: preview.desired.policiesByPair.get(`${d.spec.cameraId}:${d.spec.profileId}`) ?? [],
      specHash: d.hash,
      spec: { ...d.spec, rtspUrl: maskCredentials(d.spec.rtspUrl) },
    })),
    running: preview.observed.filter((o) => o.alive).map((o) => ({ runnerId: o.runnerId, cameraId: o.cameraId, profileId: o.profileId, pid: o.pid, status: o.status })),
    actions: preview.plan.actions.map(actionToJson),
    wakeAt: preview.plan.wakeAt?.toISOString() ?? null,
  };
}

function actionToJson(action: Action) {
  const { kind, reason } = action;
  if (kind === 'stray-kill') return { kind, pid: action.pid, reason };
  const base = { kind, cameraId: action.cameraId, profileId: action.profileId, reason };
  if (kind === 'wait') return { ...base, until: action.until.toISOString() };
  if (kind === 'stop') return { ...base, pid: action.pid };
  if (kind === 'restart') return { ...base, pid: action.pid, cause: action.cause };
  return base;
}

export function describePlan(preview: PlanPreview, zone: string): string {
  const local = (d: Date) => DateTime.fromJSDate(d, { zone }).toFormat("yyyy-LL-dd HH:mm:ss ZZZZ");
  const lines = [
    `Plan at ${local(preview.at)} (${zone}): desired ${preview.desired.specs.length}, running ${preview.observed.filter((o) => o.alive).length}`,
  ];
  if (preview.plan.actions.length === 0) lines.push('  nothing to do');
  for (const a of preview.plan.actions) {
    const who = a.kind === 'stray-kill' ? `pid ${a.pid}` : `camera ${a.cameraId} profile ${a.profileId}`;
    lines.push(`  ${a.kind.padEnd(10)} ${who}: ${a.reason}`);
  }
  lines.push(`Next schedule boundary: ${preview.desired.nextBoundary ? local(preview.desired.nextBoundary) : 'none'}`);
  return lines.join('\n');
}
