import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { DAY_NAMES } from '../common/domain.js';

/** The project root: the nearest folder above this file holding package.json (src/ in tests, dist/src/ when built). */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

/** Eta templates of the console (`views/` at the top level, where Nest's MVC guide puts them). */
export const VIEWS_DIR = join(projectRoot(), 'views');

/** Scripts only from this origin and only with the page's nonce; no plugins, no framing, forms post here only. */
export const contentSecurityPolicy = (nonce: string) =>
  `default-src 'self'; script-src 'nonce-${nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'`;

/** The console's sections, in the order of the navigation bar (the data flow: what is configured → what runs → what happened). */
export const NAV = [
  { key: 'system', href: '/dash/system/', label: 'System' },
  { key: 'cameras', href: '/dash/cameras/', label: 'Cameras' },
  { key: 'profiles', href: '/dash/profiles/', label: 'Profiles' },
  { key: 'policies', href: '/dash/policies/', label: 'Policies' },
  { key: 'resources', href: '/dash/resources/', label: 'Resource caps' },
  { key: 'runners', href: '/dash/runners/', label: 'Runners' },
  { key: 'events', href: '/dash/events/', label: 'Events' },
  { key: 'heartbeats', href: '/dash/heartbeats/', label: 'Heartbeats' },
] as const;
export type Section = (typeof NAV)[number]['key'];

export const SHORT_DAYS = DAY_NAMES.map((d) => d.slice(0, 3));

/** A number with `digits` decimals, or a dash. */
export const num = (n: number | null | undefined, digits = 1) => (n === null || n === undefined ? '—' : Number(n).toFixed(digits));

/** A byte count in binary units ("1.5 GiB"), or a dash. */
export const bytes = (n: number | null | undefined) => {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit ? 1 : 0)} ${units[unit]}`;
};

/**
 * Formatting the templates use; every function returns plain text (the template escapes it).
 * Instants are shown in the configured zone, as the enforcer evaluates schedules there.
 */
export function formatters(zone: string) {
  const inZone = (value: Date | string) => (typeof value === 'string' ? DateTime.fromISO(value, { zone }) : DateTime.fromJSDate(value, { zone }));
  return {
    zone,
    /** "2026-11-29 17:35:36 +03" */
    when: (value: Date | string | null | undefined) => (value ? inZone(value).toFormat('yyyy-LL-dd HH:mm:ss ZZ') : '—'),
    /** "Mon 30 Nov 17:35" */
    short: (value: Date | string | null | undefined) => (value ? inZone(value).toFormat('ccc d LLL HH:mm') : '—'),
    iso: (value: Date | string | null | undefined) => (value ? (typeof value === 'string' ? value : value.toISOString()) : ''),
    num,
    bytes,
    duration: (seconds: number | null | undefined) => {
      if (seconds === null || seconds === undefined) return '—';
      const s = Math.round(seconds);
      if (s < 90) return `${s} s`;
      if (s < 5400) return `${Math.round(s / 60)} min`;
      if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
      return `${(s / 86400).toFixed(1)} d`;
    },
    /** "08:00" for "08:00:00", seconds kept when not zero. */
    time: (wall: string | null | undefined) => (wall ? (wall.endsWith(':00') && wall.length === 8 ? wall.slice(0, 5) : wall) : ''),
    day: (dayOfWeek: number) => SHORT_DAYS[dayOfWeek] ?? String(dayOfWeek),
  };
}
export type Formatters = ReturnType<typeof formatters>;

/** What every page's layout needs. */
export interface PageBase {
  title: string;
  section: Section;
  nav: typeof NAV;
  f: Formatters;
  tokenMode: boolean;
}
