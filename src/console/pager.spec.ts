import { describe, expect, it } from 'vitest';
import { offsetOf, pager, type Pager } from './pager.js';

describe('offsetOf: ?offset= as sent', () => {
  it.each<[string | undefined, number]>([
    [undefined, 0], ['', 0], ['0', 0], ['50', 50], ['007', 7], ['2147483647', 2_147_483_647], ['9999999999', 2_147_483_647],
    ['12345678901', 0], ['-1', 0], ['1e3', 0], ['0x10', 0], ['5.0', 0], [' 5', 0], ['5 ', 0], ['abc', 0],
  ])('%j → %i', (value, offset) => {
    expect(offsetOf(value)).toBe(offset);
  });
});

describe('pager: previous and next links', () => {
  const page = (total: number, offset: number, count: number, limit = 50) => ({ total, limit, offset, items: Array.from({ length: count }) });
  const params = { cameraId: '3', kind: 'crash', since: undefined, until: '' };

  it.each<[string, ReturnType<typeof page>, Record<string, string | number | undefined>, Pager]>([
    ['empty', page(0, 0, 0), params, { from: 0, to: 0, total: 0, prev: null, next: null }],
    ['one page', page(20, 0, 20), params, { from: 1, to: 20, total: 20, prev: null, next: null }],
    ['first of three: no previous, next keeps the filter', page(120, 0, 50), params, { from: 1, to: 50, total: 120, prev: null, next: '/dash/events/?cameraId=3&kind=crash&offset=50' }],
    ['second: the previous link has no offset=0', page(120, 50, 50), params, { from: 51, to: 100, total: 120, prev: '/dash/events/?cameraId=3&kind=crash', next: '/dash/events/?cameraId=3&kind=crash&offset=100' }],
    ['last page: no next', page(120, 100, 20), params, { from: 101, to: 120, total: 120, prev: '/dash/events/?cameraId=3&kind=crash&offset=50', next: null }],
    ['a full last page: no next', page(100, 50, 50), params, { from: 51, to: 100, total: 100, prev: '/dash/events/?cameraId=3&kind=crash', next: null }],
    ['an offset off the page grid goes back to the first page', page(120, 30, 50), params, { from: 31, to: 80, total: 120, prev: '/dash/events/?cameraId=3&kind=crash', next: '/dash/events/?cameraId=3&kind=crash&offset=80' }],
    ['no parameters: the bare path', page(120, 50, 50), {}, { from: 51, to: 100, total: 120, prev: '/dash/events/', next: '/dash/events/?offset=100' }],
    ['values are encoded, numbers written out', page(3, 1, 1, 1), { since: '2026-12-01T08:00', q: 'a&b=c', cameraId: 7 }, {
      from: 2, to: 2, total: 3, prev: '/dash/events/?since=2026-12-01T08%3A00&q=a%26b%3Dc&cameraId=7', next: '/dash/events/?since=2026-12-01T08%3A00&q=a%26b%3Dc&cameraId=7&offset=2',
    }],
  ])('%s', (_name, p, query, expected) => {
    expect(pager(p, '/dash/events/', query)).toStrictEqual(expected);
  });
});
