import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { affectedNodes, handover, liveNodes, ownerOf, rendezvousOwner, runsHere } from './ownership.js';

// Counts the SHA-256 computations ownership.ts makes (one per weight), whichever crypto call it uses.
const sha256 = vi.hoisted(() => ({ calls: 0 }));
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  const counted = <F extends (algorithm: string, ...rest: never[]) => unknown>(f: F) =>
    ((algorithm: string, ...rest: never[]) => {
      if (algorithm === 'sha256') sha256.calls++;
      return f(algorithm, ...rest);
    }) as unknown as F;
  return { ...crypto, createHash: counted(crypto.createHash), hash: counted(crypto.hash) };
});

const NOW = Date.parse('2026-11-29T12:00:00Z');

describe('liveNodes', () => {
  it('keeps unexpired leases and always this node, sorted', () => {
    const leases = [{ node: 'c', expiresAt: NOW + 1 }, { node: 'a', expiresAt: NOW }, { node: 'b', expiresAt: NOW + 5000 }];
    expect(liveNodes(leases, NOW, 'self')).toEqual(['b', 'c', 'self']);
  });
});

describe('ownerOf (rendezvous hashing)', () => {
  it('gives one owner per camera, the same whatever the order of the nodes', () => {
    for (let id = 1; id <= 200; id++) expect(ownerOf(id, ['n1', 'n2', 'n3'])).toBe(ownerOf(id, ['n3', 'n1', 'n2']));
    expect(ownerOf(1, [])).toBeNull();
    for (let id = 1; id <= 50; id++) expect(ownerOf(id, ['solo'])).toBe('solo');
  });

  it('answers from its table exactly what hashing answers, as live-node sets come and go and come back', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { minLength: 2, maxLength: 6 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 40 }),
        (sets, cameras) => {
          for (const set of [...sets, ...sets]) for (const id of cameras) expect(ownerOf(id, set)).toBe(rendezvousOwner(id, set));
        },
      ),
    );
  });

  it('follows joins, leaves, both at once, a set in another order and a return to an earlier set, answering what hashing answers', () => {
    const pool = Array.from({ length: 12 }, (_, i) => `n${i}`);
    const step = fc.oneof(
      fc.record({ kind: fc.constant('join' as const), count: fc.integer({ min: 1, max: 4 }), pick: fc.nat() }),
      fc.record({ kind: fc.constant('leave' as const), count: fc.integer({ min: 1, max: 4 }), pick: fc.nat() }),
      fc.record({ kind: fc.constant('mix' as const), count: fc.integer({ min: 1, max: 3 }), pick: fc.nat() }),
      fc.record({ kind: fc.constant('back' as const), count: fc.constant(0), pick: fc.nat() }),
      fc.record({ kind: fc.constant('reorder' as const), count: fc.constant(0), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...pool), { minLength: 2, maxLength: 6 }),
        fc.array(step, { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 40 }),
        (first, steps, cameras) => {
          const seen = [first];
          let set = first;
          const ask = (ids: number[]) => {
            for (const id of ids) expect(ownerOf(id, set)).toBe(rendezvousOwner(id, set));
          };
          ask(cameras);
          steps.forEach(({ kind, count, pick }, i) => {
            const out = pool.filter((n) => !set.includes(n));
            const rotate = <T>(xs: T[]) => [...xs.slice(pick % Math.max(xs.length, 1)), ...xs.slice(0, pick % Math.max(xs.length, 1))];
            const joining = rotate(out).slice(0, kind === 'leave' ? 0 : count);
            const leaving = kind === 'join' || kind === 'mix' ? [] : rotate(set).slice(0, Math.min(count, set.length - 2));
            if (kind === 'mix') leaving.push(...rotate(set).slice(0, Math.min(count, set.length - 1)));
            if (kind === 'back') set = seen[pick % seen.length];
            else if (kind === 'reorder') set = rotate([...set].reverse());
            else set = [...set.filter((n) => !leaving.includes(n)), ...joining];
            seen.push(set);
            // Known cameras, then some the table has not seen yet under this set.
            ask(cameras);
            ask(cameras.map((id) => id + 1000 * (i + 1)));
          });
        },
      ),
    );
  });

  it('hashes a joining node once per known camera, and again only the cameras of a node that leaves', () => {
    const nodes = ['own-1', 'own-2', 'own-3'];
    const cameras = Array.from({ length: 60 }, (_, i) => i + 1);
    // Nodes no earlier test used: the table starts over for them.
    for (const id of cameras) ownerOf(id, nodes);
    const joined = [...nodes, 'own-4'];
    sha256.calls = 0;
    for (const id of cameras) expect(ownerOf(id, joined)).toBe(rendezvousOwner(id, joined));
    // rendezvousOwner itself hashes every node: count only what ownerOf did.
    expect(sha256.calls - cameras.length * joined.length).toBe(cameras.length);
    const hadOwn4 = cameras.filter((id) => ownerOf(id, joined) === 'own-4').length;
    expect(hadOwn4).toBeGreaterThan(0);
    sha256.calls = 0;
    for (const id of cameras) ownerOf(id, nodes);
    expect(sha256.calls).toBe(hadOwn4 * nodes.length);
  });

  it('weighs a camera on a node by the first 64 bits of SHA-256(node NUL camera id), as every version does', () => {
    const reference = (id: number, nodes: string[]) => {
      let best: string | null = null;
      let bestWeight = -1n;
      for (const node of nodes) {
        const w = createHash('sha256').update(`${node}\0${id}`).digest().readBigUInt64BE(0);
        if (w > bestWeight || (w === bestWeight && best !== null && node < best)) [best, bestWeight] = [node, w];
      }
      return best;
    };
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (nodes, id) => {
        expect(rendezvousOwner(id, nodes)).toBe(reference(id, nodes));
      }),
    );
    // Owners as the first multi-host release assigned them.
    expect(Array.from({ length: 12 }, (_, i) => rendezvousOwner(i + 1, ['n1', 'n2', 'n3']))).toEqual(['n2', 'n2', 'n2', 'n1', 'n2', 'n1', 'n3', 'n2', 'n2', 'n3', 'n3', 'n2']);
  });

  it('spreads 3,000 cameras over 3 nodes within ±10 % of a third each', () => {
    const counts = new Map<string, number>();
    for (let id = 1; id <= 3000; id++) counts.set(ownerOf(id, ['n1', 'n2', 'n3'])!, (counts.get(ownerOf(id, ['n1', 'n2', 'n3'])!) ?? 0) + 1);
    for (const n of ['n1', 'n2', 'n3']) expect(counts.get(n)).toBeGreaterThan(900), expect(counts.get(n)).toBeLessThan(1100);
  });

  it('moves only the cameras of a node that leaves, and only to the survivors', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), { minLength: 2, maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 1e6 }), { maxLength: 60 }), fc.nat(), (nodes, cameras, k) => {
        const gone = nodes[k % nodes.length];
        const rest = nodes.filter((n) => n !== gone);
        for (const id of cameras) {
          const before = ownerOf(id, nodes);
          const after = ownerOf(id, rest);
          if (before !== gone) expect(after).toBe(before);
          else expect(rest).toContain(after);
        }
      }),
    );
  });

  it('moves to a node that joins only cameras it then owns', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z]{1,8}$/), { minLength: 2, maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 1e6 }), { maxLength: 60 }), (nodes, cameras) => {
        const [joining, ...before] = nodes;
        for (const id of cameras) {
          const after = ownerOf(id, nodes);
          if (after !== joining) expect(after).toBe(ownerOf(id, before));
        }
      }),
    );
  });

  it('runs pinned cameras only on their node and floating ones only on their owner', () => {
    const nodes = ['n1', 'n2', 'n3'];
    expect(runsHere({ id: 5, node: 'n2' }, 'n2', nodes)).toBe(true);
    expect(runsHere({ id: 5, node: 'n2' }, 'n1', nodes)).toBe(false);
    expect(runsHere({ id: 5, node: 'gone' }, 'n1', nodes)).toBe(false);
    expect(nodes.filter((n) => runsHere({ id: 5, node: null }, n, nodes))).toEqual([ownerOf(5, nodes)]);
  });
});

describe('handover', () => {
  const lease = (node: string, inMs: number) => ({ node, expiresAt: NOW + inMs });
  const row = (node: string, over: Partial<{ pid: number | null; lastHeartbeatAt: Date | null }> = {}) => ({
    id: 9, node, cameraId: 1, profileId: 2, pid: 4242, lastHeartbeatAt: null, status: 'running' as const, ...over,
  });
  const wanted = [{ cameraId: 1, profileId: 2 }];
  it.each([
    ['nothing elsewhere', [], [], []],
    ['a row elsewhere still holding the pair before its process started', [row('b', { pid: null })], [lease('b', 10_000)], ['wait b']],
    ['still running on a live node', [row('b')], [lease('b', 10_000)], ['wait b']],
    ['lease expired, runner silent', [row('b')], [lease('b', -1)], ['take-over b']],
    ['no lease at all, runner silent', [row('b')], [], ['take-over b']],
    ['lease expired but the runner still heartbeats', [row('b', { lastHeartbeatAt: new Date(NOW - 5000) })], [lease('b', -1)], ['wait b']],
    ['lease expired, last heartbeat too old', [row('b', { lastHeartbeatAt: new Date(NOW - 200_000) })], [lease('b', -1)], ['take-over b']],
    ['lease unexpired but its enforcer\'s session closed, runner silent', [row('b')], [{ ...lease('b', 10_000), gone: true }], ['take-over b']],
    ['session closed but the runner still heartbeats', [row('b', { lastHeartbeatAt: new Date(NOW - 5000) })], [{ ...lease('b', 10_000), gone: true }], ['wait b']],
  ])('%s', (_name, foreign, leases, expected) => {
    expect(handover(wanted, foreign, leases, NOW, 120_000).map((d) => `${d.kind} ${d.node}`)).toEqual(expected);
  });
  it('ignores other pairs', () => {
    expect(handover([{ cameraId: 1, profileId: 3 }], [row('b')], [lease('b', 10_000)], NOW, 120_000)).toEqual([]);
  });
});

describe('affectedNodes: who gains or loses floating cameras when the live set changes', () => {
  const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  it('is exactly the old and new owners of the cameras whose owner changes (any sets, against the hash itself)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 5000 }), { maxLength: 60 }),
        fc.subarray(names, { minLength: 1 }),
        fc.subarray(names, { minLength: 1 }),
        (cameras, before, after) => {
          const expected = new Set<string>();
          for (const id of cameras) {
            const was = rendezvousOwner(id, before)!;
            const now = rendezvousOwner(id, after)!;
            if (was !== now) expected.add(was).add(now);
          }
          expect(affectedNodes(cameras, [...before], [...after])).toEqual([...expected].sort());
        },
      ),
    );
  });

  it('names only the nodes that take a leaving node’s cameras, and the leaver (100 nodes, 10,000 cameras)', () => {
    const nodes = Array.from({ length: 100 }, (_, i) => `n${String(i).padStart(3, '0')}`);
    const cameras = Array.from({ length: 10_000 }, (_, i) => i + 1);
    const after = nodes.filter((n) => n !== 'n042');
    const affected = affectedNodes(cameras, nodes, after);
    const owned = cameras.filter((c) => ownerOf(c, nodes) === 'n042');
    const gainers = new Set(owned.map((c) => rendezvousOwner(c, after)));
    expect(affected).toEqual([...gainers, 'n042'].sort());
    // About 100 cameras spread over the other 99: many take one or two, most nodes of the fleet none — no need for them to tick.
    expect(affected.length).toBeLessThan(nodes.length);
    expect(affectedNodes(cameras, after, after)).toEqual([]);
  });
});
