import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileLock, lockHeldMessage } from './file-lock.js';

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

  it('words the refusal as operators know it', () => {
    expect(lockHeldMessage('/tmp/bisk_enforcer.lock', 1234)).toBe('Another enforcer holds the lock: /tmp/bisk_enforcer.lock (pid=1234)');
    expect(lockHeldMessage('/tmp/bisk_enforcer.lock', null)).toBe('Another enforcer holds the lock: /tmp/bisk_enforcer.lock');
  });
});
