import type { World } from './world.js';
import type { DesiredSpec } from './plan.js';
import { leaseLive, liveNodes, runsHere } from './ownership.js';
import { desiredPairs, nextBoundary, type ScheduleInput } from './schedule.js';
import { effectiveSpec, mergeResources, specHash } from './spec.js';

/**
 * From the loaded world to what this node should run, pure: the cameras this node may run
 * (pinned to it, or floating and owned by it among the live nodes: ownership.ts), the schedule's desired pairs at `at`, each with its effective
 * spec and hash, and the next instant the schedule can change.
 */
export interface Desired {
  specs: DesiredSpec[];
  nextBoundary: Date | null;
  /** Policy ids wanting each pair, keyed "camera:profile" (for explanations). */
  policiesByPair: Map<string, number[]>;
}

/**
 * `nowMs` decides which nodes are live (their leases); it is the real clock even when a dry run
 * plans for another instant.
 */
export function scheduleInput(world: World, node: string, nowMs = Date.now(), nodes = liveNodes(world.leases, nowMs, node)): ScheduleInput {
  return inputFor(world, camerasHere(world, node, nodes));
}

/** The schedule of every camera, whichever node runs it (the forecast's view). */
export const fleetScheduleInput = (world: World): ScheduleInput => inputFor(world, world.cameras);

type Camera = World['cameras'][number];

/**
 * Per loaded camera list (the same array from tick to tick while the planning tables are
 * unchanged, EnforcerRepository.loadWorld): the cameras by id, and the cameras this node runs for
 * the live-node set last asked about. A steady tick of a node among a hundred, with 10,000
 * cameras in the fleet, then goes through its own hundred, not through all of them.
 */
const cameraViews = new WeakMap<World['cameras'], { byId: Map<number, Camera>; here: { key: string; cameras: Camera[] } | null }>();

function viewOf(cameras: World['cameras']) {
  let view = cameraViews.get(cameras);
  if (!view) cameraViews.set(cameras, (view = { byId: new Map(cameras.map((c) => [c.id, c])), here: null }));
  return view;
}

/** The cameras `node` runs among the live `nodes`: pinned to it, or floating and owned by it. */
function camerasHere(world: World, node: string, nodes: string[]): Camera[] {
  const view = viewOf(world.cameras);
  const key = `${node}\n${nodes.join('\0')}`;
  if (view.here?.key !== key) view.here = { key, cameras: world.cameras.filter((c) => runsHere(c, node, nodes)) };
  return view.here.cameras;
}

/** The links, windows and exceptions of each policy, kept per loaded world (a steady tick plans from the same arrays). */
const groupings = new WeakMap<
  World['links'],
  { windows: World['windows']; exceptions: World['exceptions']; cameraIdsByPolicy: Map<number, number[]>; windowsByPolicy: Map<number, World['windows']>; exceptionsByPolicy: Map<number, World['exceptions']> }
>();

function groupingsOf(world: World) {
  let found = groupings.get(world.links);
  if (!found || found.windows !== world.windows || found.exceptions !== world.exceptions) {
    found = {
      windows: world.windows,
      exceptions: world.exceptions,
      cameraIdsByPolicy: new Map(),
      windowsByPolicy: groupBy(world.windows, (w) => w.policyId),
      exceptionsByPolicy: groupBy(world.exceptions, (e) => e.policyId),
    };
    for (const link of world.links) {
      const list = found.cameraIdsByPolicy.get(link.policyId) ?? [];
      list.push(link.cameraId);
      found.cameraIdsByPolicy.set(link.policyId, list);
    }
    groupings.set(world.links, found);
  }
  return found;
}

/**
 * The schedule input of `cameras` (some or all of the world's): only the policies linked to one of
 * them, with only those cameras (one node of a hundred evaluates its own hundredth of the fleet's
 * windows, and wakes only for its own boundaries).
 */
function inputFor(world: World, cameras: Camera[]): ScheduleInput {
  const { cameraIdsByPolicy, windowsByPolicy, exceptionsByPolicy } = groupingsOf(world);
  const ids = new Set(cameras.map((c) => c.id));
  const all = cameras.length === world.cameras.length;
  const policies: ScheduleInput['policies'] = [];
  for (const p of world.policies) {
    const linked = cameraIdsByPolicy.get(p.id) ?? [];
    const cameraIds = all ? linked : linked.filter((id) => ids.has(id));
    if (!all && cameraIds.length === 0) continue;
    policies.push({
      id: p.id,
      isEnabled: p.isEnabled,
      cameraIds,
      // The loaded rows already have the fields evaluation reads: no copies (70,000 windows at 10,000 cameras).
      windows: windowsByPolicy.get(p.id) ?? [],
      exceptions: exceptionsByPolicy.get(p.id) ?? [],
    });
  }
  return {
    cameras: cameras.map((c) => ({ id: c.id, isActive: c.isActive, pauseUntil: c.pauseUntil })),
    profiles: world.profiles.map((p) => ({ id: p.id, isActive: p.isActive })),
    policies,
  };
}

export function computeDesired(world: World, at: Date, zone: string, node: string, nowMs = at.getTime(), nodes?: string[]): Desired {
  const input = scheduleInput(world, node, nowMs, nodes);
  const pairs = desiredPairs(input, at, zone);
  const cameras = viewOf(world.cameras).byId;
  const profiles = new Map(world.profiles.map((p) => [p.id, p]));
  const global = world.resources.find((r) => r.cameraId === null) ?? null;
  const overrides = new Map(world.resources.filter((r) => r.cameraId !== null).map((r) => [r.cameraId!, r]));
  const specs: DesiredSpec[] = pairs.map((pair) => {
    const spec = effectiveSpec(cameras.get(pair.cameraId)!, profiles.get(pair.profileId)!, mergeResources(global, overrides.get(pair.cameraId) ?? null));
    return { spec, hash: specHash(spec) };
  });
  return {
    specs,
    nextBoundary: nextBoundary(input, at, zone),
    policiesByPair: new Map(pairs.map((p) => [`${p.cameraId}:${p.profileId}`, p.policyIds])),
  };
}

/**
 * What every node should run (the fleet view of /api/system): one Desired per live node and per
 * node with pinned cameras, floating cameras shared among the live nodes only (`self`, the
 * asking process, when no node is live: one host whose enforcer is down).
 */
export function fleetDesired(world: World, at: Date, zone: string, self: string, nowMs = at.getTime()): Map<string, Desired> {
  const live = world.leases.filter((l) => leaseLive(l, nowMs)).map((l) => l.node).sort();
  const nodes = live.length > 0 ? live : [self];
  const all = new Set([...nodes, ...world.cameras.map((c) => c.node).filter((n): n is string => n !== null)]);
  return new Map([...all].sort().map((node) => [node, computeDesired(world, at, zone, node, nowMs, nodes)]));
}

function groupBy<T>(items: T[], key: (item: T) => number): Map<number, T[]> {
  const map = new Map<number, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}
