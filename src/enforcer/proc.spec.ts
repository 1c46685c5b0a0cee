import { describe, expect, it } from 'vitest';
import { parseMarker, parseStat } from './proc.js';

describe('parseMarker', () => {
  it.each([
    ['first entry', 'BISK_RUNNER_MARKER=node-a:12\0PATH=/bin\0', { node: 'node-a', runnerId: 12 }],
    ['middle entry', 'PATH=/bin\0BISK_RUNNER_MARKER=n1:7\0HOME=/root\0', { node: 'n1', runnerId: 7 }],
    ['last entry without a trailing NUL', 'PATH=/bin\0BISK_RUNNER_MARKER=n1:7', { node: 'n1', runnerId: 7 }],
    ['no runner id', 'BISK_RUNNER_MARKER=n1\0', { node: 'n1', runnerId: null }],
    ['absent', 'PATH=/bin\0HOME=/root\0', null],
    ['only as part of another value', 'X=BISK_RUNNER_MARKER=n1:1\0', null],
    ['a longer name that starts the same', 'XBISK_RUNNER_MARKER=n1:1\0', null],
    ['empty environment', '', null],
  ])('%s', (_name, env, expected) => {
    expect(parseMarker(env)).toEqual(expected);
  });
});

describe('parseStat', () => {
  it('reads state, group and start time after a command name with spaces and parentheses', () => {
    const text = '4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 100';
    expect(parseStat(text)).toEqual({ pid: 4242, state: 'S', pgrp: 4242, startTime: '987654' });
  });
});
