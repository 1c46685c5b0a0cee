import { forecast } from '../src/enforcer/forecast.js';
import type { ScheduleInput } from '../src/enforcer/schedule.js';
import { machine, median, pct, saveResult } from './support.js';

/**
 * The forecast (src/enforcer/forecast.ts), pure, no database: 7 days for 1,000 cameras, each
 * with a policy of its own (7 windows: school days, an overnight window, a whole Saturday) and
 * in one of 50 shared policies (2 windows and 2 exceptions each), in a zone with daylight saving
 * (Europe/Berlin, across its October change). Whole fleet at once, and one camera at a time as
 * the API computes it. Prints Markdown for bench/RESULTS.md and writes bench/results/forecast.json.
 */
const CAMERAS = Number(process.env.BENCH_CAMERAS ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const ZONE = 'Europe/Berlin';

function fleet(cameras: number): ScheduleInput {
  const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60) % 24).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00`;
  const own = Array.from({ length: cameras }, (_, i) => ({
    id: i + 1,
    isEnabled: true,
    cameraIds: [i + 1],
    windows: [
      ...[0, 1, 2, 3, 4].map((d) => ({ id: i * 7 + d + 1, dayOfWeek: d, startTime: hhmm(420 + (i % 12) * 5), endTime: hhmm(900 + (i % 7) * 10), profileId: 1 + (i % 3) })),
      { id: i * 7 + 6, dayOfWeek: 4, startTime: '22:00:00', endTime: '06:00:00', profileId: 2 },
      { id: i * 7 + 7, dayOfWeek: 5, startTime: '00:00:00', endTime: '00:00:00', profileId: 3 },
    ],
    exceptions: [],
  }));
  const shared = Array.from({ length: 50 }, (_, p) => ({
    id: cameras + p + 1,
    isEnabled: true,
    cameraIds: Array.from({ length: cameras / 50 }, (_, k) => p * (cameras / 50) + k + 1),
    windows: [
      { id: cameras * 7 + p * 2 + 1, dayOfWeek: 2, startTime: '18:00:00', endTime: '20:00:00', profileId: 4 },
      { id: cameras * 7 + p * 2 + 2, dayOfWeek: 6, startTime: '09:00:00', endTime: '12:00:00', profileId: 4 },
    ],
    exceptions: [
      { id: p * 2 + 1, date: '2026-10-28', mode: 'off' as const, startTime: null, endTime: null, profileId: null },
      { id: p * 2 + 2, date: '2026-10-30', mode: 'window' as const, startTime: '10:00:00', endTime: '11:00:00', profileId: 4 },
    ],
  }));
  return {
    cameras: Array.from({ length: cameras }, (_, i) => ({ id: i + 1, isActive: true, pauseUntil: i % 100 === 0 ? new Date('2026-10-27T12:00:00Z') : null })),
    profiles: [1, 2, 3, 4].map((id) => ({ id, isActive: true })),
    policies: [...own, ...shared],
  };
}

function time(fn: () => unknown): number {
  const began = performance.now();
  fn();
  return performance.now() - began;
}

const input = fleet(CAMERAS);
const from = new Date('2026-10-24T22:00:00Z'); // Sunday 00:00 in Berlin; the clocks go back on the 25th
const to = new Date(from.getTime() + 7 * 86_400_000 + 3_600_000);
const intervals = forecast(input, from, to, ZONE).length;
const whole: number[] = [];
for (let i = 0; i < RUNS; i++) whole.push(time(() => forecast(input, from, to, ZONE)));
const single: number[] = [];
for (let i = 0; i < RUNS * 4; i++) {
  const cameraId = 1 + ((i * 97) % CAMERAS);
  single.push(time(() => forecast(input, from, to, ZONE, { cameraIds: [cameraId] })));
}
const result = {
  machine: machine(), cameras: CAMERAS, policies: input.policies.length, windows: input.policies.reduce((n, p) => n + p.windows.length, 0), intervals,
  wholeFleetMs: { first: whole[0], median: median(whole), p95: pct(whole, 95) },
  oneCameraMs: { median: median(single), p95: pct(single, 95) },
};
saveResult('forecast', result);
console.log(`Forecast, 7 days in ${ZONE} across a daylight-saving change — ${result.machine}`);
console.log(`| cameras | policies | windows | intervals | whole fleet first / median / p95 | one camera median / p95 |`);
console.log(`|---|---|---|---|---|---|`);
const ms = (v: number) => `${v.toFixed(1)} ms`;
console.log(`| ${CAMERAS.toLocaleString('en')} | ${result.policies.toLocaleString('en')} | ${result.windows.toLocaleString('en')} | ${intervals.toLocaleString('en')} | ${ms(whole[0])} / ${ms(result.wholeFleetMs.median)} / ${ms(result.wholeFleetMs.p95)} | ${ms(result.oneCameraMs.median)} / ${ms(result.oneCameraMs.p95)} |`);
