import type { RunnerStatus } from '../common/domain.js';
import { hash } from 'node:crypto';

/**
 * Which node runs which camera when several hosts share one database (§9), pure: the leases
 * and runner rows come in as arguments, the instant too.
 *
 * - A pinned camera (`camera.node` set) runs only on that node.
 * - A floating camera is owned by exactly one live node, chosen by rendezvous (highest random
 *   weight) hashing over the live nodes: every node computes the same owner from the same
 *   lease table, and adding or losing a node moves only the cameras that node gains or had.
 * - A node starts a floating pair only once no other node still has it: while another node's
 *   runner row for the pair records a process and that node's lease is live (or the runner still
 *   heartbeats), the start waits; once that lease has expired and the runner is silent, the
 *   row is taken over.
 */

export interface LeaseView {
  node: string;
  expiresAt: number;
  /** Its enforcer's own database session has closed: the process is gone, whatever the lease says (presence.ts). */
  gone?: boolean;
}

/** Whether a lease speaks for a running enforcer at `nowMs`. */
export const leaseLive = (lease: LeaseView | undefined, nowMs: number): boolean => lease !== undefined && lease.expiresAt > nowMs && lease.gone !== true;

/** Nodes whose lease is unexpired at `nowMs`, plus this node (it ticks only while holding its own). */
export function liveNodes(leases: LeaseView[], nowMs: number, self: string): string[] {
  const live = new Set(leases.filter((l) => leaseLive(l, nowMs)).map((l) => l.node));
  live.add(self);
  return [...live].sort();
}

/**
 * A camera's weight on a node: the first 64 bits of SHA-256(`${node}\0${cameraId}`), big-endian,
 * as 16 lowercase hex digits. Fixed width, so the strings compare in the order of the 64-bit
 * numbers (ties included) and every version of the enforcer picks the same owner. The one-shot
 * `hash` with hex output makes no Hash object, Buffer or bigint: about 3.5× cheaper per weight
 * than createHash(…).digest().readBigUInt64BE(0).
 */
function weight(node: string, cameraId: number): string {
  return hash('sha256', `${node}\0${cameraId}`, 'hex').slice(0, 16);
}

/** A camera's owner among the current live nodes, with the owner's weight for comparing newcomers. */
interface Owner {
  node: string;
  weight: string;
}

/** Whether `node` with weight `w` wins over `best`: a higher weight, or the same and a smaller name. */
const beats = (node: string, w: string, best: Owner) => w > best.weight || (w === best.weight && node < best.node);

/** The highest-weight node for the camera among `nodes` (at least one). */
function bestOf(cameraId: number, nodes: Iterable<string>): Owner | null {
  let best: Owner | null = null;
  for (const node of nodes) {
    const w = weight(node, cameraId);
    if (best === null || beats(node, w, best)) best = { node, weight: w };
  }
  return best;
}

/**
 * The owners computed for the live-node set last asked about: the set changes only when a node
 * joins, leaves or lets its lease lapse, so a steady tick looks owners up instead of hashing
 * every camera against every node (O(cameras × nodes) SHA-256 per tick). When the set changes
 * the table follows it: a joining node is hashed once per known camera and takes the cameras it
 * wins; only the cameras a leaving node owned are hashed again, over the new set; every other
 * camera keeps its owner. A set mostly new (following would hash as much as starting over) starts
 * a new table, filled as cameras are asked for.
 */
let ownerTable: { nodes: Set<string>; owners: Map<number, Owner> } = { nodes: new Set(), owners: new Map() };
/** The node list last checked against the table's set: a tick passes one array for all its cameras, so the set is compared once per tick. */
let checked: string[] | null = null;

/** Brings the table to the live-node set `nodes` (two or more names, in any order). */
function follow(nodes: string[]): void {
  const next = new Set(nodes);
  const before = ownerTable.nodes;
  const joined = [...next].filter((n) => !before.has(n));
  const left = new Set([...before].filter((n) => !next.has(n)));
  if (joined.length === 0 && left.size === 0) return;
  // Following costs, per known camera, one weight per joining node plus, for the share of cameras
  // the leaving nodes owned (left/before), one per node of the new set; starting over costs one per
  // node of the new set. Start over when following is no cheaper: a set mostly or wholly new.
  if (joined.length * before.size + left.size * next.size >= next.size * before.size) {
    ownerTable = { nodes: next, owners: new Map() };
    return;
  }
  for (const [cameraId, known] of ownerTable.owners) {
    if (left.has(known.node)) {
      ownerTable.owners.set(cameraId, bestOf(cameraId, next)!);
      continue;
    }
    // The owner stays: it beat every other node that stays, so only the newcomers can beat it.
    for (const node of joined) {
      const w = weight(node, cameraId);
      if (beats(node, w, known)) {
        known.node = node;
        known.weight = w;
      }
    }
  }
  ownerTable.nodes = next;
}

/** The owner of a floating camera among `nodes` (rendezvous hashing); ties go to the smaller name. `nodes` is read, never changed: pass a new array when the set changes (liveNodes does). */
export function ownerOf(cameraId: number, nodes: string[]): string | null {
  // One live node owns everything: no hashing (a single host, the default, ticks without it).
  if (nodes.length <= 1) return nodes[0] ?? null;
  if (nodes !== checked) {
    follow(nodes);
    checked = nodes;
  }
  const known = ownerTable.owners.get(cameraId);
  if (known !== undefined) return known.node;
  const owner = bestOf(cameraId, ownerTable.nodes)!;
  ownerTable.owners.set(cameraId, owner);
  return owner.node;
}

/**
 * The nodes whose floating cameras change when the live set goes from `before` to `after`: the
 * old and the new owner of every camera whose owner differs (sorted). Two passes, so the owner
 * table follows the set once each way instead of once per camera.
 */
export function affectedNodes(cameraIds: number[], before: string[], after: string[]): string[] {
  const was = cameraIds.map((id) => ownerOf(id, before));
  const affected = new Set<string>();
  cameraIds.forEach((id, i) => {
    const now = ownerOf(id, after);
    if (now === was[i]) return;
    if (was[i] !== null) affected.add(was[i]!);
    if (now !== null) affected.add(now);
  });
  return [...affected].sort();
}

/** Rendezvous hashing itself: the node with the highest weight for the camera. */
export function rendezvousOwner(cameraId: number, nodes: string[]): string | null {
  return bestOf(cameraId, nodes)?.node ?? null;
}

/** Whether this node should run `camera` at all (the schedule decides the rest). */
export function runsHere(camera: { id: number; node: string | null }, self: string, nodes: string[]): boolean {
  return camera.node !== null ? camera.node === self : ownerOf(camera.id, nodes) === self;
}

/** Another node's runner row that records a process or still holds its pair (starting, running, stopping). */
export interface ForeignRunner {
  id: number;
  node: string;
  cameraId: number;
  profileId: number;
  pid: number | null;
  lastHeartbeatAt: Date | null;
  /** As read: a take-over writes the row only while it is still so. */
  status: RunnerStatus;
}

export type HandoverDecision =
  | { kind: 'wait'; cameraId: number; profileId: number; node: string; reason: string }
  | {
      kind: 'take-over'; cameraId: number; profileId: number; node: string; runnerId: number; reason: string;
      /** The node's lease expiry as read (null: it held none): a take-over writes only while it is still so. */
      leaseExpiresAt: number | null;
    };

/**
 * For the pairs this node wants to start: which must wait for another node to stop them, and
 * which other nodes' rows can be taken over because their node is gone (lease expired and the
 * runner silent for `heartbeatOfflineMs`).
 */
export function handover(
  wanted: { cameraId: number; profileId: number }[],
  foreign: ForeignRunner[],
  leases: LeaseView[],
  nowMs: number,
  heartbeatOfflineMs: number,
): HandoverDecision[] {
  const leaseOf = new Map(leases.map((l) => [l.node, l]));
  const byPair = new Map<string, ForeignRunner[]>();
  for (const row of foreign) {
    const key = `${row.cameraId}:${row.profileId}`;
    byPair.set(key, [...(byPair.get(key) ?? []), row]);
  }
  const decisions: HandoverDecision[] = [];
  for (const pair of wanted) {
    for (const row of byPair.get(`${pair.cameraId}:${pair.profileId}`) ?? []) {
      const lease = leaseOf.get(row.node);
      const live = leaseLive(lease, nowMs);
      const heartbeatFresh = row.lastHeartbeatAt !== null && nowMs - row.lastHeartbeatAt.getTime() < heartbeatOfflineMs;
      if (live) {
        decisions.push({ ...pair, kind: 'wait', node: row.node, reason: `waiting for node ${row.node} to stop it (${row.pid === null ? 'its row still holds the pair' : `pid ${row.pid} there`})` });
      } else if (heartbeatFresh) {
        decisions.push({ ...pair, kind: 'wait', node: row.node, reason: `node ${row.node} has no live lease but its runner (pid ${row.pid}) still heartbeats` });
      } else {
        const since = !lease ? 'it holds no lease' : lease.gone ? 'its enforcer\'s database session has closed' : `its lease expired at ${new Date(lease.expiresAt).toISOString()}`;
        decisions.push({ ...pair, kind: 'take-over', node: row.node, runnerId: row.id, leaseExpiresAt: lease?.expiresAt ?? null, reason: `taken over from node ${row.node}: ${since} and its runner is silent` });
      }
    }
  }
  return decisions;
}
