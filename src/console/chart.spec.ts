import { describe, expect, it } from 'vitest';
import { chartGeometry, type Sample } from './chart.js';

const HOUR = 3_600_000;
const s = (at: number, ...values: (number | null)[]): Sample => ({ at, values });

describe('chartGeometry', () => {
  it('scales bucket means into the plot box', () => {
    // Plot box of the default 960×220 chart: x 40…950, y 198 (0) … 10 (yMax).
    const c = chartGeometry([s(0, 2), s(50, 4), s(1000, 1)], 1, 0, 1000, { maxPoints: 10 });
    expect([c.width, c.height, c.box]).toStrictEqual([960, 220, { left: 40, top: 10, right: 950, bottom: 198 }]);
    expect(c.yMax).toBe(5);
    // The first bucket is the mean of 2 and 4 at its latest sample; a sample at `to` is in the last bucket.
    expect(c.points).toStrictEqual([[{ at: 50, value: 3, x: 85.5, y: 198 - (3 / 5) * 188 }, { at: 1000, value: 1, x: 950, y: 198 - (1 / 5) * 188 }]]);
    expect(c.lines).toStrictEqual([['85.5,85.2 950.0,160.4']]);
  });

  it('samples in any order: a bucket sits at its latest sample, buckets in time order', () => {
    const c = chartGeometry([s(950, 6), s(50, 4), s(0, 2), s(920, 2)], 1, 0, 1000, { maxPoints: 10 });
    expect(c.points[0].map((p) => [p.at, p.value])).toStrictEqual([[50, 3], [950, 4]]);
  });

  it('a chart of another size has its own box', () => {
    expect(chartGeometry([], 1, 0, 1000, { width: 400, height: 100 }).box).toStrictEqual({ left: 40, top: 10, right: 390, bottom: 78 });
  });

  it.each<[string, number, number]>([
    ['6 h of 1-s samples → maxPoints', 240, 240],
    ['fewer buckets asked', 50, 50],
  ])('bucketing: %s', (_name, maxPoints, expected) => {
    const samples = Array.from({ length: 6 * 3600 }, (_, i) => s(i * 1000, i % 2 ? 1 : 3));
    const c = chartGeometry(samples, 1, 0, 6 * HOUR, { maxPoints });
    expect(c.points[0]).toHaveLength(expected);
    expect(c.points[0].every((p) => p.value === 2)).toBe(true);
    expect(c.lines[0]).toHaveLength(1);
  });

  it('ignores nulls and non-finite values per series', () => {
    const c = chartGeometry([s(0, 1, null, null), s(10, 3, 5, null), s(20, Number.NaN, Number.POSITIVE_INFINITY, null)], 3, 0, 1000, { maxPoints: 10 });
    expect(c.points.map((pts) => pts.map((p) => [p.at, p.value]))).toStrictEqual([[[20, 2]], [[20, 5]], []]);
    expect(c.lines[2]).toStrictEqual([]);
    expect(c.yMax).toBe(10);
  });

  it('ignores samples outside [from, to]', () => {
    const c = chartGeometry([s(999, 100), s(1000, 1), s(2000, 2), s(2001, 100)], 1, 1000, 2000, { maxPoints: 10 });
    expect(c.points[0].map((p) => [p.at, p.value])).toStrictEqual([[1000, 1], [2000, 2]]);
    expect(c.yMax).toBe(2.5);
  });

  it.each<[string, Sample[], number | undefined, number[]]>([
    // 1-h chart, 1-s buckets: the default gap is max(3 buckets, 60 s) = 60 s.
    ['no gap', [s(0, 1), s(30_000, 1), s(60_000, 1), s(120_000, 1)], undefined, [4]],
    ['a gap longer than 60 s breaks the line', [s(0, 1), s(30_000, 1), s(60_000, 1), s(200_000, 1), s(230_000, 1)], undefined, [3, 2]],
    ['a gap of exactly 60 s does not', [s(0, 1), s(60_000, 1), s(120_001, 1)], undefined, [2, 1]],
    ['gapMs given', [s(0, 1), s(30_000, 1), s(60_000, 1)], 20_000, [1, 1, 1]],
  ])('gaps: %s', (_name, samples, gapMs, segmentLengths) => {
    const c = chartGeometry(samples, 1, 0, HOUR, { maxPoints: 3600, gapMs });
    expect(c.lines[0].map((segment) => segment.split(' ').length)).toStrictEqual(segmentLengths);
  });

  it('a gap is per series: nulls in one series break only its line', () => {
    const c = chartGeometry([s(0, 1, 1), s(50_000, 1, null), s(100_000, 1, null), s(150_000, 1, 1)], 2, 0, HOUR, { maxPoints: 3600 });
    expect(c.lines.map((segments) => segments.length)).toStrictEqual([1, 2]);
  });

  it('the default gap grows with the buckets of a long chart', () => {
    // 7 days in 240 buckets: 42-min buckets, so samples 2 h apart are still one line.
    const samples = Array.from({ length: 84 }, (_, i) => s(i * 2 * HOUR, 1));
    expect(chartGeometry(samples, 1, 0, 7 * 24 * HOUR).lines[0]).toHaveLength(1);
    expect(chartGeometry(samples, 1, 0, 7 * 24 * HOUR, { gapMs: HOUR }).lines[0]).toHaveLength(84);
  });

  it.each<[number | null, number]>([
    [null, 1], [0, 1], [-5, 1], [0.3, 0.5], [1, 2], [2, 2.5], [3, 5], [4.5, 5], [5, 10], [9.5, 20], [90, 100], [1234, 2000],
  ])('nice y maximum for a top value of %s: %s', (top, yMax) => {
    expect(chartGeometry(top === null ? [] : [s(10, top)], 1, 0, 1000).yMax).toBe(yMax);
  });

  it('y ticks at quarters of the maximum', () => {
    const c = chartGeometry([s(10, 2)], 1, 0, 1000);
    expect(c.yTicks).toStrictEqual([
      { y: 198, label: '0' }, { y: 198 - 47, label: '0.63' }, { y: 198 - 94, label: '1.25' }, { y: 198 - 141, label: '1.88' }, { y: 10, label: '2.5' },
    ]);
  });

  it.each<[string, number, number, number, number[]]>([
    ['1 h: quarter hours', 0, HOUR, HOUR / 4, [0, 1, 2, 3, 4]],
    ['6 h: hours', 0, 6 * HOUR, HOUR, [0, 1, 2, 3, 4, 5, 6]],
    ['24 h: 6 hours', 0, 24 * HOUR, 6 * HOUR, [0, 1, 2, 3, 4]],
    ['7 days: days', 0, 7 * 24 * HOUR, 24 * HOUR, [0, 1, 2, 3, 4, 5, 6, 7]],
    ['starting between ticks: from the next whole step', HOUR / 6, HOUR + HOUR / 6, HOUR / 4, [1, 2, 3, 4]],
  ])('x ticks: %s', (_name, from, to, step, multiples) => {
    const c = chartGeometry([], 1, from, to);
    expect(c.xTicks.map((t) => t.at)).toStrictEqual(multiples.map((n) => n * step));
    expect(c.xTicks.map((t) => t.x)).toStrictEqual(multiples.map((n) => 40 + ((n * step - from) / (to - from)) * 910));
  });
});
