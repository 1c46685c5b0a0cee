import { describe, expect, it } from 'vitest';
import { NodeSessions, PEER_WATCH_MS, parseChange, peerWatchGapMs, presenceName } from './presence.js';

const lease = (node: string, present: boolean, holder = `${node}-holder`) => ({ node, holder, present });

describe('NodeSessions: a node is gone only when a session seen open in this run of the server is missing', () => {
  const cases: [string, { leases: ReturnType<typeof lease>[]; serverStart: number }[], string[]][] = [
    ['present', [{ leases: [lease('a', true)], serverStart: 1 }], []],
    ['seen, then missing', [{ leases: [lease('a', true)], serverStart: 1 }, { leases: [lease('a', false)], serverStart: 1 }], ['a']],
    ['never seen (an older enforcer, or one not yet looked at)', [{ leases: [lease('a', false)], serverStart: 1 }], []],
    ['missing after a restart of the server (every session ended at once)', [{ leases: [lease('a', true)], serverStart: 1 }, { leases: [lease('a', false)], serverStart: 2 }], []],
    ['a new holder of the lease, not seen yet', [{ leases: [lease('a', true)], serverStart: 1 }, { leases: [lease('a', false, 'other')], serverStart: 1 }], []],
    ['back after being missed', [{ leases: [lease('a', true)], serverStart: 1 }, { leases: [lease('a', false)], serverStart: 1 }, { leases: [lease('a', true)], serverStart: 1 }], []],
    ['one of two', [{ leases: [lease('a', true), lease('b', true)], serverStart: 1 }, { leases: [lease('a', true), lease('b', false)], serverStart: 1 }], ['b']],
  ];
  it.each(cases)('%s', (_what, rounds, gone) => {
    const sessions = new NodeSessions();
    let last = new Set<string>();
    for (const round of rounds) last = sessions.judge(round.leases, round.serverStart);
    expect([...last]).toEqual(gone);
  });
});

describe('presenceName', () => {
  it('names the session after the node, within the 63 bytes PostgreSQL keeps', () => {
    expect(presenceName('gpu-box-2')).toBe('bisk-node gpu-box-2');
    expect(Buffer.byteLength(presenceName('n'.repeat(63)))).toBe(63);
  });
});

describe('peerWatchGapMs: a few watchers per half second, whatever the size of the fleet', () => {
  it.each([
    // nodes, jitter, gap ms
    [1, 0.9, PEER_WATCH_MS],
    [3, 0.0, PEER_WATCH_MS],
    [4, 0.99, PEER_WATCH_MS],
    [8, 0.5, 1000],
    [100, 0.0, 6250],
    [100, 0.5, 12500],
    [100, 0.999, 18738],
  ])('%i nodes, jitter %f → %i ms', (nodes, jitter, gap) => {
    expect(peerWatchGapMs(nodes, jitter)).toBe(gap);
  });

  it('keeps the fleet’s watches per second constant as it grows (on average over the jitter)', () => {
    for (const nodes of [8, 20, 100, 400]) {
      let sum = 0;
      for (let i = 0; i < 1000; i++) sum += peerWatchGapMs(nodes, i / 1000);
      const perSecond = nodes / (sum / 1000 / 1000);
      expect(perSecond).toBeCloseTo(8, 0);
    }
  });
});

describe('parseChange: what another node announced, or null (then tick)', () => {
  it.each([
    ['{"nodes":["a","b"],"affected":["b"]}', { nodes: ['a', 'b'], affected: ['b'] }],
    ['{"nodes":[],"affected":[]}', { nodes: [], affected: [] }],
    ['', null],
    [undefined, null],
    ['not json', null],
    ['{"nodes":["a"]}', null],
    ['{"nodes":["a"],"affected":[1]}', null],
    ['[1,2]', null],
    ['null', null],
  ])('%s', (payload, change) => {
    expect(parseChange(payload)).toEqual(change);
  });
});
