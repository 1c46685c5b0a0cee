import { describe, expect, it } from 'vitest';
import { EVENT_KINDS } from '../common/domain.js';
import { eventFilter, type EventFilter } from './events.page.js';

const CAMERA = 'camera must be a camera id';
const KIND = `kind must be one of ${EVENT_KINDS.join(', ')}`;
const SINCE = 'since must be a date and time such as 2026-12-01T08:00';
const UNTIL = 'until must be a date and time such as 2026-12-01T08:00';

describe('eventFilter: the events page’s query, each value as sent or refused', () => {
  it.each<[string, Record<string, string | undefined>, string, EventFilter, string[]]>([
    ['nothing', {}, 'UTC', {}, []],
    ['empty values are no filter', { cameraId: '', kind: '', since: '', until: '' }, 'UTC', {}, []],
    ['other parameters are not filters', { offset: '50', q: 'x', profileId: '3' }, 'UTC', {}, []],
    ['a camera id', { cameraId: '7' }, 'UTC', { cameraId: 7 }, []],
    ['the largest camera id', { cameraId: '2147483647' }, 'UTC', { cameraId: 2_147_483_647 }, []],
    ['one past the largest', { cameraId: '2147483648' }, 'UTC', {}, [CAMERA]],
    ['eleven digits', { cameraId: '12345678901' }, 'UTC', {}, [CAMERA]],
    ['negative', { cameraId: '-1' }, 'UTC', {}, [CAMERA]],
    ['exponent', { cameraId: '1e3' }, 'UTC', {}, [CAMERA]],
    ['hex', { cameraId: '0x1' }, 'UTC', {}, [CAMERA]],
    ['a fraction', { cameraId: '7.0' }, 'UTC', {}, [CAMERA]],
    ['a space', { cameraId: ' 7' }, 'UTC', {}, [CAMERA]],
    ['a name', { cameraId: 'front' }, 'UTC', {}, [CAMERA]],
    ['a known kind', { kind: 'crash' }, 'UTC', { kind: 'crash' }, []],
    ['another known kind', { kind: 'pause-expired' }, 'UTC', { kind: 'pause-expired' }, []],
    ['kinds are case-sensitive', { kind: 'Crash' }, 'UTC', {}, [KIND]],
    ['an unknown kind', { kind: 'toString' }, 'UTC', {}, [KIND]],
    ['local time in winter', { since: '2026-12-01T08:00' }, 'Europe/Berlin', { since: new Date('2026-12-01T07:00:00Z') }, []],
    ['local time in summer', { until: '2026-07-01T08:00' }, 'Europe/Berlin', { until: new Date('2026-07-01T06:00:00Z') }, []],
    ['with seconds', { since: '2026-07-01T08:00:30' }, 'America/New_York', { since: new Date('2026-07-01T12:00:30Z') }, []],
    ['both ends', { since: '2026-01-01T00:00', until: '2026-01-02T00:00' }, 'UTC', { since: new Date('2026-01-01T00:00:00Z'), until: new Date('2026-01-02T00:00:00Z') }, []],
    ['not a date', { since: 'yesterday' }, 'UTC', {}, [SINCE]],
    ['month 13', { until: '2026-13-01T08:00' }, 'UTC', {}, [UNTIL]],
    ['hour 25', { since: '2026-12-01T25:00' }, 'UTC', {}, [SINCE]],
    ['February 30', { until: '2026-02-30T08:00' }, 'UTC', {}, [UNTIL]],
    [
      'every problem listed, good values kept',
      { cameraId: 'x', kind: 'crash', since: 'soon', until: 'later' }, 'UTC', { kind: 'crash' }, [CAMERA, SINCE, UNTIL],
    ],
    ['all four bad', { cameraId: '-2', kind: 'boom', since: 'a', until: 'b' }, 'UTC', {}, [CAMERA, KIND, SINCE, UNTIL]],
  ])('%s', (_name, query, zone, filter, problems) => {
    expect(eventFilter(query, zone)).toStrictEqual({ filter, problems });
  });
});
