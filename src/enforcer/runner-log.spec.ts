import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_START_MARK } from './process.adapter.js';
import { lastRunLines, readTail } from './runner-log.js';

const start = (iso: string) => `${RUN_START_MARK} ${iso} ---`;
const log = (...lines: string[]) => `${lines.join('\n')}\n`;

describe('lastRunLines', () => {
  it.each([
    ['only the lines after the last start line', log(start('2026-01-01T00:00:00.000Z'), 'old 1', start('2026-01-02T08:00:00.000Z'), 'new 1', 'new 2'), true, 50,
      { runStartedAt: '2026-01-02T08:00:00.000Z', lines: ['new 1', 'new 2'], truncated: false }],
    ['the last N of them, and says there are more', log(start('2026-01-02T08:00:00.000Z'), 'a', 'b', 'c'), true, 2,
      { runStartedAt: '2026-01-02T08:00:00.000Z', lines: ['b', 'c'], truncated: true }],
    ['exactly N lines: nothing left out', log(start('2026-01-02T08:00:00.000Z'), 'a', 'b'), true, 2,
      { runStartedAt: '2026-01-02T08:00:00.000Z', lines: ['a', 'b'], truncated: false }],
    ['a run that has said nothing yet', log('old', start('2026-01-02T08:00:00.000Z')), true, 50,
      { runStartedAt: '2026-01-02T08:00:00.000Z', lines: [], truncated: false }],
    ['blank lines and CRLF kept as lines, the final newline is not one', `${start('2026-01-02T08:00:00.000Z')}\r\na\r\n\r\nb\r\n`, true, 50,
      { runStartedAt: '2026-01-02T08:00:00.000Z', lines: ['a', '', 'b'], truncated: false }],
    ['a last line still being written', `${start('2026-01-02T08:00:00.000Z')}\na\npartial`, true, 50,
      { runStartedAt: '2026-01-02T08:00:00.000Z', lines: ['a', 'partial'], truncated: false }],
    ['a whole file without any start line (written before the enforcer marked starts)', log('a', 'b'), true, 50,
      { runStartedAt: null, lines: ['a', 'b'], truncated: false }],
    ['the end of a file without a start line: the cut first line is dropped, earlier lines exist', log('ut line', 'b', 'c'), false, 50,
      { runStartedAt: null, lines: ['b', 'c'], truncated: true }],
    ['the end of a file with a start line in it', log('ut', start('2026-01-02T08:00:00.000Z'), 'b'), false, 50,
      { runStartedAt: '2026-01-02T08:00:00.000Z', lines: ['b'], truncated: false }],
    ['a start line quoted inside a line does not count', log(start('2026-01-02T08:00:00.000Z'), `echo "${RUN_START_MARK}"`), true, 50,
      { runStartedAt: '2026-01-02T08:00:00.000Z', lines: [`echo "${RUN_START_MARK}"`], truncated: false }],
    ['a start line without a readable time', log(`${RUN_START_MARK} yesterday ---`, 'a'), true, 50,
      { runStartedAt: null, lines: ['a'], truncated: false }],
    ['an empty log', '', true, 50, { runStartedAt: null, lines: [], truncated: false }],
  ])('%s', (_name, text, fromStart, count, expected) => {
    expect(lastRunLines(text, fromStart, count)).toEqual(expected);
  });
});

describe('readTail', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bisk-runner-log-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a small file whole', async () => {
    writeFileSync(join(dir, 'small.log'), 'a\nb\n');
    expect(await readTail(join(dir, 'small.log'))).toEqual({ text: 'a\nb\n', fromStart: true });
  });

  it('reads only the last bytes of a large file', async () => {
    const file = join(dir, 'large.log');
    writeFileSync(file, `${'x'.repeat(1_000_000)}\nthe end\n`);
    const tail = await readTail(file, 64);
    expect(tail?.fromStart).toBe(false);
    expect(tail?.text).toHaveLength(64);
    expect(tail?.text.endsWith('x\nthe end\n')).toBe(true);
  });

  it('is null for a missing file, a directory and a FIFO (without waiting for a writer)', async () => {
    expect(await readTail(join(dir, 'missing.log'))).toBeNull();
    expect(await readTail(dir)).toBeNull();
    execFileSync('mkfifo', [join(dir, 'fifo.log')]);
    expect(await readTail(join(dir, 'fifo.log'))).toBeNull();
  });
});
