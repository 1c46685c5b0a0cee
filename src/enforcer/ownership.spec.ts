import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { handover, liveNodes, ownerOf, rendezvousOwner, runsHere } from './ownership.js';

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
    id: 9, node, cameraId: 1, profileId: 2, pid: 4242, lastHeartbeatAt: null, ...over,
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
  ])('%s', (_name, foreign, leases, expected) => {
    expect(handover(wanted, foreign, leases, NOW, 120_000).map((d) => `${d.kind} ${d.node}`)).toEqual(expected);
  });
  it('ignores other pairs', () => {
    expect(handover([{ cameraId: 1, profileId: 3 }], [row('b')], [lease('b', 10_000)], NOW, 120_000)).toEqual([]);
  });
});
