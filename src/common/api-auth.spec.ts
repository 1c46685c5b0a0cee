import { describe, expect, it } from 'vitest';
import { checkAuthorization, isPublicPath, sameSecret } from './api-auth.js';

const TOKEN = 'a-long-enough-api-token';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('checkAuthorization', () => {
  it.each([
    [undefined, 401],
    ['', 401],
    [`Bearer ${TOKEN}`, 200],
    [`bearer   ${TOKEN}`, 200],
    ['Bearer wrong-token', 403],
    ['Bearer', 401],
    [basic('admin', TOKEN), 200],
    [basic('', TOKEN), 200],
    [basic('admin', 'nope'), 403],
    ['Digest abc', 401],
  ])('%s → %i', (header, status) => {
    const result = checkAuthorization(header, TOKEN);
    expect(result.ok ? 200 : result.status).toBe(status);
  });

  it('compares secrets of any length', () => {
    expect(sameSecret(TOKEN, TOKEN)).toBe(true);
    expect(sameSecret('x', TOKEN)).toBe(false);
    expect(sameSecret(`${TOKEN}x`, TOKEN)).toBe(false);
  });
});

describe('isPublicPath', () => {
  it.each([
    ['/health', true], ['/health/live', true], ['/api/runner/heartbeat/', true], ['/api/runner/heartbeat', true],
    ['/healthz', false], ['/api/cameras', false], ['/docs', false], ['/api/runner/heartbeat/x', false],
  ])('%s → %s', (path, expected) => {
    expect(isPublicPath(path)).toBe(expected);
  });
});
