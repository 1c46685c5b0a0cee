import { describe, expect, it } from 'vitest';
import { NodeSessions, presenceName } from './presence.js';

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
