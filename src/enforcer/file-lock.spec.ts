import { spawn } from 'node:child_process';
import { chownSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileLock, LockFileRefusedError, lockHeldMessage } from './file-lock.js';

const dir = mkdtempSync(join(tmpdir(), 'bisk-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('FileLock (flock)', () => {
  it('admits one holder, names it to the next, and frees on release', () => {
    const path = join(dir, 'a', 'enforcer.lock');
    const first = new FileLock(path);
    const second = new FileLock(path);
    expect(first.tryAcquire()).toEqual({ ok: true });
    expect(readFileSync(path, 'utf8').trim()).toBe(String(process.pid));
    expect(second.tryAcquire()).toEqual({ ok: false, holderPid: process.pid });
    first.release();
    expect(second.tryAcquire()).toEqual({ ok: true });
    second.release();
  });

  it('is released by the kernel when its holder is SIGKILLed', async () => {
    const path = join(dir, 'killed.lock');
    const script = `const f=require('fs-ext');const fd=require('fs').openSync(${JSON.stringify(path)},'a+');f.flockSync(fd,'exnb');console.log('locked');setInterval(()=>{},1000);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'], cwd: process.cwd() });
    await new Promise<void>((resolve) => child.stdout.on('data', () => resolve()));
    const lock = new FileLock(path);
    expect(lock.tryAcquire().ok).toBe(false);
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(lock.tryAcquire()).toEqual({ ok: true });
    lock.release();
  });

  it('creates the lock file 0600 and tightens an old 0644 one once it holds it', () => {
    const path = join(dir, 'modes.lock');
    const lock = new FileLock(path);
    expect(lock.tryAcquire()).toEqual({ ok: true });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    lock.release();
    const old = join(dir, 'old.lock');
    writeFileSync(old, '1\n', { mode: 0o644 });
    const again = new FileLock(old);
    expect(again.tryAcquire()).toEqual({ ok: true });
    expect(statSync(old).mode & 0o777).toBe(0o600);
    again.release();
  });

  it('refuses a symbolic link planted at the lock path and leaves its target untouched', () => {
    const target = join(dir, 'precious.txt');
    writeFileSync(target, 'do not touch\n', { mode: 0o644 });
    const path = join(dir, 'planted.lock');
    symlinkSync(target, path);
    expect(() => new FileLock(path).tryAcquire()).toThrow(LockFileRefusedError);
    expect(() => new FileLock(path).tryAcquire()).toThrow(`Refusing the lock file ${path}: it is a symbolic link`);
    expect(readFileSync(target, 'utf8')).toBe('do not touch\n');
    expect(statSync(target).mode & 0o777).toBe(0o644);
    // A dangling link is not followed to create its target either.
    const dangling = join(dir, 'dangling.lock');
    symlinkSync(join(dir, 'created-through-link'), dangling);
    expect(() => new FileLock(dangling).tryAcquire()).toThrow(/symbolic link/);
    expect(existsSync(join(dir, 'created-through-link'))).toBe(false);
  });

  it.each([
    ['a directory', (path: string) => mkdirSync(path), /^Refusing the lock file .*: it is not a regular file \(a directory;/],
    ['a hard link to another file of this user', (path: string) => {
      writeFileSync(`${path}.victim`, 'keep');
      linkSync(`${path}.victim`, path);
    }, /^Refusing the lock file .*: it has 1 other name\(s\) \(a hard link/],
  ])('refuses %s at the lock path with one line', (_label, plant, message) => {
    const path = join(dir, `planted-${Math.random().toString(36).slice(2)}.lock`);
    plant(path);
    expect(() => new FileLock(path).tryAcquire()).toThrow(message);
    if (existsSync(`${path}.victim`)) expect(readFileSync(`${path}.victim`, 'utf8')).toBe('keep');
  });

  it('does not truncate the holder\'s PID when a second process fails to take the lock', async () => {
    const path = join(dir, 'held.lock');
    const script = `const f=require('fs-ext');const fs=require('fs');const fd=fs.openSync(${JSON.stringify(path)},'w');f.flockSync(fd,'exnb');fs.writeSync(fd,process.pid+'\\n');console.log('locked');setInterval(()=>{},1000);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'], cwd: process.cwd() });
    try {
      await new Promise<void>((resolve) => child.stdout.on('data', () => resolve()));
      expect(new FileLock(path).tryAcquire()).toEqual({ ok: false, holderPid: child.pid });
      expect(readFileSync(path, 'utf8')).toBe(`${child.pid}\n`);
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.on('exit', r));
    }
  });

  // Giving a file to another user takes root (CI runs the suite as root).
  it.runIf(process.geteuid?.() === 0)('refuses a lock file that belongs to another user, naming the owner (as root)', () => {
    const path = join(dir, 'foreign.lock');
    writeFileSync(path, '');
    const nobody = 65534;
    chownSync(path, nobody, nobody);
    expect(() => new FileLock(path).tryAcquire()).toThrow(LockFileRefusedError);
    expect(() => new FileLock(path).tryAcquire()).toThrow(new RegExp(`^Refusing the lock file ${path}: it belongs to (nobody \\()?uid 65534\\)?, not to .*uid ${process.geteuid!()}`));
    expect(statSync(path).uid).toBe(nobody);
  });

  it('words the refusal as operators know it', () => {
    expect(lockHeldMessage('/tmp/bisk_enforcer.lock', 1234)).toBe('Another enforcer holds the lock: /tmp/bisk_enforcer.lock (pid=1234)');
    expect(lockHeldMessage('/tmp/bisk_enforcer.lock', null)).toBe('Another enforcer holds the lock: /tmp/bisk_enforcer.lock');
  });
});
