import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isInside, snapshotProfile, SnapshotStore } from './snapshots.js';

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
  /** Writes a snapshot file with a modification time `ageSeconds` in the past. */
  const put = (name: string, content: Buffer | string, ageSeconds = 0) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    const at = new Date(Date.now() - ageSeconds * 1000);
    utimesSync(path, at, at);
    return path;
  };

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'bisk-snapshots-'));
    dir = join(base, 'snapshots');
    mkdirSync(dir);
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('returns the newest of the camera\'s profiles, never another camera\'s', async () => {
    put('camera-7-profile-1-latest.jpg', jpeg('p1'), 60);
    put('camera-7-profile-2-latest.jpg', jpeg('p2'), 5);
    put('camera-17-profile-1-latest.jpg', jpeg('camera 17'), 0);
    put('camera-7-profile-9-latest.jpg.tmp', jpeg('being written'), 0);
    put('.camera-7-profile-1-current.jpg', jpeg('current frame'), 0);
    const shot = await new SnapshotStore(dir).latest(7);
    expect(shot).toMatchObject({ kind: 'found', profileId: 2, data: jpeg('p2') });
    expect(await new SnapshotStore(dir).latest(8)).toEqual({ kind: 'none' });
  });

  it('says none when the directory does not exist', async () => {
    expect(await new SnapshotStore(join(base, 'missing')).latest(7)).toEqual({ kind: 'none' });
  });

  it('refuses a symlink that leads outside the directory, even to a readable file', async () => {
    symlinkSync('/etc/passwd', join(dir, 'camera-7-profile-1-latest.jpg'));
    expect(await new SnapshotStore(dir).latest(7)).toEqual({ kind: 'none' });
  });

  it('refuses a symlink into a sibling directory whose name starts with the same letters', async () => {
    mkdirSync(join(base, 'snapshots-evil'));
    writeFileSync(join(base, 'snapshots-evil', 'secret.jpg'), jpeg('secret'));
    symlinkSync(join(base, 'snapshots-evil', 'secret.jpg'), join(dir, 'camera-7-profile-1-latest.jpg'));
    expect(await new SnapshotStore(dir).latest(7)).toEqual({ kind: 'none' });
  });

  it('passes over a refused newest file and serves the older one of another profile', async () => {
    put('camera-7-profile-1-latest.jpg', jpeg('older'), 60);
    symlinkSync('/etc/passwd', join(dir, 'camera-7-profile-2-latest.jpg'));
    expect(await new SnapshotStore(dir).latest(7)).toMatchObject({ kind: 'found', profileId: 1, data: jpeg('older') });
  });

  it('follows a symlink that stays inside the directory, and a snapshot directory that is itself a symlink', async () => {
    put('stored.jpg', jpeg('linked'));
    symlinkSync('stored.jpg', join(dir, 'camera-7-profile-1-latest.jpg'));
    symlinkSync(dir, join(base, 'link-to-snapshots'));
    expect(await new SnapshotStore(join(base, 'link-to-snapshots')).latest(7)).toMatchObject({ kind: 'found', data: jpeg('linked') });
  });

  it('passes over dangling links, directories, FIFOs and empty files', async () => {
    symlinkSync(join(dir, 'nothing.jpg'), join(dir, 'camera-7-profile-1-latest.jpg'));
    mkdirSync(join(dir, 'camera-7-profile-2-latest.jpg'));
    execFileSync('mkfifo', [join(dir, 'camera-7-profile-3-latest.jpg')]);
    put('camera-7-profile-4-latest.jpg', '');
    expect(await new SnapshotStore(dir).latest(7)).toEqual({ kind: 'none' });
  });

  it('refuses a file over the size limit without reading it', async () => {
    const path = put('camera-7-profile-1-latest.jpg', '');
    truncateSync(path, 64 * 1024 * 1024 * 1024); // sparse: 64 GiB that take no disk
    expect(await new SnapshotStore(dir).latest(7)).toEqual({ kind: 'too-large', bytes: 64 * 1024 * 1024 * 1024 });
  });

  it('serves a file of exactly the limit', async () => {
    put('camera-7-profile-1-latest.jpg', Buffer.alloc(16, 1));
    expect(await new SnapshotStore(dir, 16).latest(7)).toMatchObject({ kind: 'found', data: Buffer.alloc(16, 1) });
    expect(await new SnapshotStore(dir, 15).latest(7)).toEqual({ kind: 'too-large', bytes: 16 });
  });
});
