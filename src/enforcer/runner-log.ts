import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { RUN_START_MARK } from './process.adapter.js';

/**
 * Reading what a runner wrote in its current run: only the end of its log file is read
 * (LOG_TAIL_BYTES at most, however large the file), and only the lines after the last
 * RUN_START_MARK the enforcer wrote before starting it.
 */

/** The most of a log read for one request. */
export const LOG_TAIL_BYTES = 256 * 1024;

export interface RunLines {
  /** When the current run started, from its start line; null when that line is not within the bytes read. */
  runStartedAt: string | null;
  lines: string[];
  /** Earlier lines of this run exist that are not returned (more than asked for, or before the bytes read). */
  truncated: boolean;
}

/**
 * The last `count` lines of the run that started at the last RUN_START_MARK in `text`, the end
 * of a log. `fromStart` says whether `text` begins at the start of the file; when it does not,
 * its first line is a fragment and is dropped.
 */
export function lastRunLines(text: string, fromStart: boolean, count: number): RunLines {
  const all = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  if (all[all.length - 1] === '') all.pop();
  if (!fromStart) all.shift();
  const mark = all.findLastIndex((line) => line.startsWith(RUN_START_MARK));
  const run = all.slice(mark + 1);
  // `--- bisk: runner started 2026-12-01T08:00:00.000Z ---`
  const startedAt = mark >= 0 ? /^ (\d{4}-\d\d-\d\dT[\d:.]+Z) /.exec(all[mark].slice(RUN_START_MARK.length))?.[1] ?? null : null;
  return {
    runStartedAt: startedAt,
    lines: count > 0 ? run.slice(-count) : [],
    truncated: run.length > count || (mark < 0 && !fromStart),
  };
}

/**
 * The last `maxBytes` of a regular file and whether that is the whole file; null when there is
 * no such file. Never reads more than `maxBytes`, and never blocks on a FIFO put in its place.
 */
export async function readTail(file: string, maxBytes = LOG_TAIL_BYTES): Promise<{ text: string; fromStart: boolean } | null> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return null;
    const length = Math.min(stat.size, maxBytes);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, stat.size - length);
    return { text: buffer.subarray(0, bytesRead).toString('utf8'), fromStart: length === stat.size };
  } finally {
    await handle.close();
  }
}
