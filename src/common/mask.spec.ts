import { describe, expect, it } from 'vitest';
import { hasCredentials, keepStoredSecret, maskCredentials, rememberSecret, withoutCredentials } from './mask.js';

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
    // A literal @ in the password: ffmpeg splits at the last @, so everything before it is secret.
    ['rtsp://user:p@ss@10.0.0.5/x', 'rtsp://user:***@10.0.0.5/x'],
    ['rtsp://user:a@b@c@cam:554/x?y=1', 'rtsp://user:***@cam:554/x?y=1'],
    // Whitespace in the password (ffmpeg sends it as typed): a space, a no-break space, a tab.
    ['rtsp://admin:my secret@127.0.0.1:1/x', 'rtsp://admin:***@127.0.0.1:1/x'],
    ['rtsp://admin:my\u00a0secret@cam/x and more', 'rtsp://admin:***@cam/x and more'],
    ['camera rtsp://admin:a\tb c@cam/x failed', 'camera rtsp://admin:***@cam/x failed'],
    // Percent-encoded user info without a literal colon: all of it may be secret.
    ['rtsp://admin%3As3cret@cam/x', 'rtsp://***@cam/x'],
    ['rtsp://tok3n@cam/x', 'rtsp://***@cam/x'],
    ['rtsp://cam/x;password=s3cret;user=admin', 'rtsp://cam/x;password=***;user=admin'],
    ['rtsp://cam/x?api_key=abc&pw=1&access_token=zz&passwd=q&pwd=r&key=k', 'rtsp://cam/x?api_key=***&pw=***&access_token=***&passwd=***&pwd=***&key=***'],
    ['http://cam/x?apikey=abc#frag', 'http://cam/x?apikey=***#frag'],
    ['runner --hb_key abcdef123 --fps 6', 'runner --hb_key *** --fps 6'],
    ['argv: --hb-key=abcdef123', 'argv: --hb-key=***'],
    ['x-bisk-key: abcdef123', 'x-bisk-key: ***'],
    ['Authorization: Bearer abcdef123', 'Authorization: Bearer ***'],
    ['a monkey=banana and path/@x stay', 'a monkey=banana and path/@x stay'],
  ])('%s → %s', (input, expected) => {
    expect(maskCredentials(input)).toBe(expected);
    expect(maskCredentials(expected)).toBe(expected);
  });

  it('hides remembered secret values wherever they appear', () => {
    rememberSecret('hb-key-0123456789');
    expect(maskCredentials('runner said: posting with hb-key-0123456789 failed')).toBe('runner said: posting with *** failed');
    rememberSecret('short');
    expect(maskCredentials('a short word')).toBe('a short word');
  });

  it('knows when a URL carries a secret', () => {
    expect(hasCredentials('rtsp://a:b@h/')).toBe(true);
    expect(hasCredentials('rtsp://h/')).toBe(false);
  });
});

describe('withoutCredentials', () => {
  it.each([
    ['rtsp://admin:s3cret@10.0.0.5:554/stream1', 'rtsp://10.0.0.5:554/stream1'],
    ['rtsp://user:p@ss@cam/x', 'rtsp://cam/x'],
    ['rtsp://admin:my secret@cam/x', 'rtsp://cam/x'],
    ['rtsp://cam/x?token=abc&channel=1', 'rtsp://cam/x?token=***&channel=1'],
    ['/srv/video/gate.mp4', '/srv/video/gate.mp4'],
  ])('%s → %s', (input, expected) => {
    expect(withoutCredentials(input)).toBe(expected);
    expect(maskCredentials(withoutCredentials(input))).toBe(expected);
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
