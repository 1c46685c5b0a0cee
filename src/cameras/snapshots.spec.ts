import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import * as fsPromises from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isInside, snapshotProfile, SnapshotStore } from './snapshots.js';

// realpath as the real one, unless a test makes it answer what a racing swap would have let it see.
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return { ...real, realpath: vi.fn(real.realpath) };
});

describe('snapshotProfile', () => {
  it.each([
    ['camera-7-profile-3-latest.jpg', 7, 3],
    ['camera-7-profile-2147483647-latest.jpg', 7, 2147483647],
    ['camera-17-profile-3-latest.jpg', 7, null],
    ['camera-7-profile-3-latest.jpg', 17, null],
    ['camera-7-profile-03-latest.jpg', 7, null],
    ['camera-7-profile--latest.jpg', 7, null],
    ['camera-7-profile-3-latest.jpg.tmp', 7, null],
    ['.camera-7-profile-3-current.jpg', 7, null],
    ['camera-7-profile-3-latest.jpg/../x', 7, null],
    ['xcamera-7-profile-3-latest.jpg', 7, null],
  ])('%s for camera %i → %s', (name, cameraId, expected) => {
    expect(snapshotProfile(name, cameraId)).toBe(expected);
  });
});

describe('isInside', () => {
  it.each([
    ['/srv/snaps', '/srv/snaps/a.jpg', true],
    ['/srv/snaps', '/srv/snaps/sub/a.jpg', true],
    ['/srv/snaps', '/srv/snaps/..a.jpg', true],
    ['/srv/snaps', '/srv/snaps', false],
    ['/srv/snaps', '/srv/snaps-evil/a.jpg', false],
    ['/srv/snaps', '/srv/a.jpg', false],
    ['/srv/snaps', '/etc/passwd', false],
  ])('%s contains %s: %s', (dir, path, expected) => {
    expect(isInside(dir, path)).toBe(expected);
  });
});

describe('SnapshotStore', () => {
  let base: string;
  let dir: string;
  const jpeg = (label: string) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(label), Buffer.from([0xff, 0xd9])]);
  /** Where the enforcer has a camera's runners write: `<dir>/camera-<c>/camera-<c>-profile-<p>-latest.jpg`. */
  const shot = (cameraId: number, profileId: number) => `camera-${cameraId}/camera-${cameraId}-profile-${profileId}-latest.jpg`;
  const pathOf = (relative: string) => join(dir, relative);
  /** Writes a file under the snapshot directory (parents made) with a modification time `ageSeconds` in the past, or at `at`. */
  const put = (relative: string, content: Buffer | string, age: number | Date = 0) => {
    const path = pathOf(relative);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    const at = age instanceof Date ? age : new Date(Date.now() - age * 1000);
    utimesSync(path, at, at);
    return path;
  };
  /** A symlink at `relative` (parents made) to `target`. */
  const link = (target: string, relative: string) => {
    mkdirSync(dirname(pathOf(relative)), { recursive: true });
    symlinkSync(target, pathOf(relative));
  };

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'bisk-snapshots-'));
    dir = join(base, 'snapshots');
    mkdirSync(dir);
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  describe('latest', () => {
    it('returns the newest of the camera\'s profiles from its own directory, never another camera\'s', async () => {
      put(shot(7, 1), jpeg('p1'), 60);
      put(shot(7, 2), jpeg('p2'), 5);
      put(shot(17, 1), jpeg('camera 17'), 0);
      put('camera-7/camera-17-profile-1-latest.jpg', jpeg('camera 17 in 7\'s directory'), 0);
      put('camera-7/camera-7-profile-9-latest.jpg.tmp', jpeg('being written'), 0);
      put('camera-7/.camera-7-profile-1-current.jpg', jpeg('current frame'), 0);
      const found = await new SnapshotStore(dir).latest(7);
      expect(found).toMatchObject({ kind: 'found', profileId: 2, data: jpeg('p2') });
      expect(await new SnapshotStore(dir).latest(17)).toMatchObject({ kind: 'found', profileId: 1, data: jpeg('camera 17') });
      expect(await new SnapshotStore(dir).latest(8)).toEqual({ kind: 'none' });
    });

    it('does not look for a camera\'s files directly in the snapshot directory or in another camera\'s directory', async () => {
      put('camera-7-profile-1-latest.jpg', jpeg('top level'));
      put('camera-17/camera-7-profile-1-latest.jpg', jpeg('in camera 17\'s directory'));
      put('camera-70/camera-7-profile-1-latest.jpg', jpeg('in camera 70\'s directory'));
      expect(await new SnapshotStore(dir).latest(7)).toEqual({ kind: 'none' });
      expect(await new SnapshotStore(dir).latest(17)).toEqual({ kind: 'none' });
    });

    it('says none when the directory or the camera\'s directory does not exist, or the camera\'s is not a directory', async () => {
      expect(await new SnapshotStore(join(base, 'missing')).latest(7)).toEqual({ kind: 'none' });
      expect(await new SnapshotStore(dir).latest(7)).toEqual({ kind: 'none' });
      writeFileSync(pathOf('camera-7'), jpeg('a file named like the directory'));
      expect(await new SnapshotStore(dir).latest(7)).toEqual({ kind: 'none' });
    });

    it('refuses a symlink that leads outside the directory, even to a readable file', async () => {
      link('/etc/passwd', shot(7, 1));
      expect(await new SnapshotStore(dir).latest(7)).toEqual({ kind: 'none' });
    });

    it('refuses a symlink into a sibling directory whose name starts with the same letters', async () => {
      mkdirSync(join(base, 'snapshots-evil'));
      writeFileSync(join(base, 'snapshots-evil', 'secret.jpg'), jpeg('secret'));
      link(join(base, 'snapshots-evil', 'secret.jpg'), shot(7, 1));
      expect(await new SnapshotStore(dir).latest(7)).toEqual({ kind: 'none' });
    });

    it('refuses a camera directory that is itself a symlink leading outside, to /etc or to a look-alike of the layout', async () => {
      mkdirSync(join(base, 'snapshots-evil', 'camera-7'), { recursive: true });
      writeFileSync(join(base, 'snapshots-evil', 'camera-7', 'camera-7-profile-1-latest.jpg'), jpeg('secret'));
      symlinkSync(join(base, 'snapshots-evil', 'camera-7'), pathOf('camera-7'));
      symlinkSync('/etc', pathOf('camera-8'));
      expect(await new SnapshotStore(dir).latest(7)).toEqual({ kind: 'none' });
      expect(await new SnapshotStore(dir).latest(8)).toEqual({ kind: 'none' });
    });

    it('refuses a camera directory that is a symlink to another camera\'s directory inside the snapshot directory', async () => {
      put('camera-17/camera-7-profile-1-latest.jpg', jpeg('put in camera 17\'s directory'));
      symlinkSync('camera-17', pathOf('camera-7'));
      expect(await new SnapshotStore(dir).latest(7)).toEqual({ kind: 'none' });
    });

    it('passes over a refused newest file and serves the older one of another profile', async () => {
      put(shot(7, 1), jpeg('older'), 60);
      link('/etc/passwd', shot(7, 2));
      expect(await new SnapshotStore(dir).latest(7)).toMatchObject({ kind: 'found', profileId: 1, data: jpeg('older') });
    });

    it('follows a symlink that stays inside the directory, and a snapshot directory that is itself a symlink', async () => {
      put('stored.jpg', jpeg('linked'));
      link('../stored.jpg', shot(7, 1));
      symlinkSync(dir, join(base, 'link-to-snapshots'));
      expect(await new SnapshotStore(join(base, 'link-to-snapshots')).latest(7)).toMatchObject({ kind: 'found', data: jpeg('linked') });
    });

    it('refuses what was opened outside the directory when a directory on the way was swapped for a symlink after the check', async () => {
      mkdirSync(join(base, 'outside'));
      writeFileSync(join(base, 'outside', 'secret.jpg'), jpeg('secret'));
      symlinkSync(join(base, 'outside'), pathOf('swapped'));
      link('../swapped/secret.jpg', shot(7, 1));
      // What realpath answered while `swapped` was still a directory of the snapshot directory.
      const { realpath } = await vi.importActual<typeof fsPromises>('node:fs/promises');
      vi.mocked(fsPromises.realpath).mockImplementation(((path: string) =>
        path === pathOf(shot(7, 1)) ? Promise.resolve(pathOf('swapped/secret.jpg')) : realpath(path)) as typeof fsPromises.realpath);
      try {
        expect(await new SnapshotStore(dir).latest(7)).toEqual({ kind: 'none' });
      } finally {
        vi.mocked(fsPromises.realpath).mockRestore();
      }
    });

    it('passes over dangling links, directories, FIFOs and empty files', async () => {
      link(pathOf('camera-7/nothing.jpg'), shot(7, 1));
      mkdirSync(pathOf(shot(7, 2)));
      execFileSync('mkfifo', [pathOf(shot(7, 3))]);
      put(shot(7, 4), '');
      expect(await new SnapshotStore(dir).latest(7)).toEqual({ kind: 'none' });
    });

    it('refuses a file over the size limit without reading it', async () => {
      const path = put(shot(7, 1), '');
      truncateSync(path, 64 * 1024 * 1024 * 1024); // sparse: 64 GiB that take no disk
      expect(await new SnapshotStore(dir).latest(7)).toEqual({ kind: 'too-large', bytes: 64 * 1024 * 1024 * 1024 });
    });

    it('serves a file of exactly the limit', async () => {
      put(shot(7, 1), Buffer.alloc(16, 1));
      expect(await new SnapshotStore(dir, 16).latest(7)).toMatchObject({ kind: 'found', data: Buffer.alloc(16, 1) });
      expect(await new SnapshotStore(dir, 15).latest(7)).toEqual({ kind: 'too-large', bytes: 16 });
    });
  });

  describe('latestTimes', () => {
    const at = (iso: string) => new Date(iso);

    it('gives each camera the newest modification time over its profiles, and nothing for a camera without one', async () => {
      put(shot(7, 1), jpeg('p1'), at('2026-01-02T03:00:00Z'));
      put(shot(7, 2), jpeg('p2'), at('2026-01-02T03:04:05Z'));
      put(shot(8, 1), jpeg('p1'), at('2026-01-01T00:00:00Z'));
      mkdirSync(pathOf('camera-9'));
      const times = await new SnapshotStore(dir).latestTimes([7, 8, 9, 10, 7]);
      expect(times).toEqual(new Map([[7, at('2026-01-02T03:04:05Z').getTime()], [8, at('2026-01-01T00:00:00Z').getTime()]]));
    });

    it('passes over links leading outside, a camera directory linked elsewhere, oversize, empty and non-regular files, and other cameras\' files', async () => {
      const old = at('2026-01-01T00:00:00Z');
      put(shot(7, 1), jpeg('the one that counts'), old);
      link('/etc/passwd', shot(7, 2));
      const huge = put(shot(7, 3), '');
      truncateSync(huge, 8 * 1024 * 1024 * 1024); // sparse: 8 GiB that take no disk
      put(shot(7, 4), '');
      execFileSync('mkfifo', [pathOf(shot(7, 5))]);
      put('camera-7/camera-17-profile-1-latest.jpg', jpeg('camera 17\'s name'));
      put('camera-17/camera-7-profile-6-latest.jpg', jpeg('in camera 17\'s directory'));
      put('camera-7-profile-7-latest.jpg', jpeg('top level'));
      mkdirSync(join(base, 'outside', 'camera-8'), { recursive: true });
      writeFileSync(join(base, 'outside', 'camera-8', 'camera-8-profile-1-latest.jpg'), jpeg('outside'));
      symlinkSync(join(base, 'outside', 'camera-8'), pathOf('camera-8'));
      symlinkSync('camera-17', pathOf('camera-9'));
      put('camera-17/camera-9-profile-1-latest.jpg', jpeg('for 9, in 17\'s directory'));
      const times = await new SnapshotStore(dir).latestTimes([7, 8, 9, 17]);
      expect(times).toEqual(new Map([[7, old.getTime()]]));
    });

    it('is empty when the snapshot directory does not exist', async () => {
      expect(await new SnapshotStore(join(base, 'missing')).latestTimes([7])).toEqual(new Map());
    });

    it('counts a file of exactly the limit and not one over it', async () => {
      put(shot(7, 1), Buffer.alloc(16, 1), at('2026-01-01T00:00:00Z'));
      expect(await new SnapshotStore(dir, 16).latestTimes([7])).toEqual(new Map([[7, at('2026-01-01T00:00:00Z').getTime()]]));
      expect(await new SnapshotStore(dir, 15).latestTimes([7])).toEqual(new Map());
    });
  });
});
