import { describe, expect, it } from 'vitest';
import { hasCredentials, keepStoredSecret, maskCredentials } from './mask.js';

describe('maskCredentials', () => {
  it.each([
    ['rtsp://admin:s3cret@10.0.0.5:554/stream1', 'rtsp://admin:***@10.0.0.5:554/stream1'],
    ['rtsp://admin:p%40ss@cam/x', 'rtsp://admin:***@cam/x'],
    ['rtsp://:onlypass@cam/x', 'rtsp://:***@cam/x'],
    ['rtsp://10.0.0.5/stream1', 'rtsp://10.0.0.5/stream1'],
    ['http://cam/snap.jpg?user=a&password=b&x=1', 'http://cam/snap.jpg?user=a&password=***&x=1'],
    ['http://cam/api?token=abc', 'http://cam/api?token=***'],
    ['/srv/video/gate.mp4', '/srv/video/gate.mp4'],
    ['ffmpeg -i rtsp://u:p@h/a -f null - and postgres://bisk:pw@db/bisk', 'ffmpeg -i rtsp://u:***@h/a -f null - and postgres://bisk:***@db/bisk'],
  ])('%s → %s', (input, expected) => {
    expect(maskCredentials(input)).toBe(expected);
    expect(maskCredentials(expected)).toBe(expected);
  });

  it('knows when a URL carries a secret', () => {
    expect(hasCredentials('rtsp://a:b@h/')).toBe(true);
    expect(hasCredentials('rtsp://h/')).toBe(false);
  });
});

describe('keepStoredSecret', () => {
  const stored = 'rtsp://viewer:pw@10.1.1.1/live';
  it.each([
    ['the masked form of the stored URL keeps the stored one', 'rtsp://viewer:***@10.1.1.1/live', stored],
    ['a new password replaces it', 'rtsp://viewer:new@10.1.1.1/live', 'rtsp://viewer:new@10.1.1.1/live'],
    ['a masked URL for another host is taken as given', 'rtsp://viewer:***@10.9.9.9/live', 'rtsp://viewer:***@10.9.9.9/live'],
    ['a URL without credentials replaces it', 'rtsp://10.1.1.1/live', 'rtsp://10.1.1.1/live'],
  ])('%s', (_label, incoming, expected) => {
    expect(keepStoredSecret(incoming, stored)).toBe(expected);
  });
});
