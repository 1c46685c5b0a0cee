import { describe, expect, it } from 'vitest';
import { hasCredentials, maskCredentials, rawCharacterInPassword, rememberSecret, restoreMaskedSecrets, withoutCredentials } from './mask.js';

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
    // A raw /, # or ? in the password (ffmpeg cannot use it, error lines still print it): hidden to the last @ before a space.
    ['rtsp://admin:pa/ss2@10.0.0.5/s', 'rtsp://admin:***@10.0.0.5/s'],
    ['rtsp://admin:pa#ss3@10.0.0.5/s', 'rtsp://admin:***@10.0.0.5/s'],
    ['rtsp://admin:pa?ss4@10.0.0.5/s', 'rtsp://admin:***@10.0.0.5/s'],
    ['rtsp://admin:a/b#c?d@e@10.0.0.5:554/s?x=1', 'rtsp://admin:***@10.0.0.5:554/s?x=1'],
    ['rtsp://admin:pa/ss2@10.0.0.5/s: Invalid argument', 'rtsp://admin:***@10.0.0.5/s: Invalid argument'],
    ['tried rtsp://admin:pa/ss@cam/a then rtsp://u:x#y@cam/b', 'tried rtsp://admin:***@cam/a then rtsp://u:***@cam/b'],
    // The price: an @ in the path of a URL with a : before it is masked up to that @; without a : nothing is.
    ['http://cam:80/x?by=a@b', 'http://cam:***@b'],
    ['rtsp://admin:pw@cam/clip@2x', 'rtsp://admin:***@2x'],
    ['http://cam/x?by=a@b', 'http://cam/x?by=a@b'],
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

describe('restoreMaskedSecrets', () => {
  const stored = 'rtsp://viewer:pw@10.1.1.1/live';
  const changedUser = { refused: 'keeps the masked password *** but the user name changed (or no password is stored): type the password' };
  it.each<[string, string, string | null, { url: string } | { refused: string }]>([
    ['the masked form of the stored URL keeps the stored one', 'rtsp://viewer:***@10.1.1.1/live', stored, { url: stored }],
    ['a new password replaces it', 'rtsp://viewer:new@10.1.1.1/live', stored, { url: 'rtsp://viewer:new@10.1.1.1/live' }],
    ['a URL without credentials replaces it', 'rtsp://10.1.1.1/live', stored, { url: 'rtsp://10.1.1.1/live' }],
    ['*** with the same user and another host keeps the password', 'rtsp://viewer:***@10.9.9.9/live', stored, { url: 'rtsp://viewer:pw@10.9.9.9/live' }],
    ['… and another port, path and query', 'rtsp://viewer:***@cam.lan:8554/s2?channel=2', stored, { url: 'rtsp://viewer:pw@cam.lan:8554/s2?channel=2' }],
    ['… and another scheme', 'rtsps://viewer:***@10.1.1.1/live', stored, { url: 'rtsps://viewer:pw@10.1.1.1/live' }],
    ['a password with a literal @ is kept whole', 'rtsp://admin:***@10.0.0.6/s', 'rtsp://admin:p@ss@10.0.0.5/s', { url: 'rtsp://admin:p@ss@10.0.0.6/s' }],
    ['a percent-encoded password is kept as stored', 'rtsp://admin:***@10.0.0.6/s', 'rtsp://admin:pa%2Fss@10.0.0.5/s', { url: 'rtsp://admin:pa%2Fss@10.0.0.6/s' }],
    ['a password with spaces is kept', 'rtsp://admin:***@10.0.0.6/s', 'rtsp://admin:my secret@10.0.0.5/s', { url: 'rtsp://admin:my secret@10.0.0.6/s' }],
    ['a token user info (masked whole) is kept', 'rtsp://***@10.0.0.6/s', 'rtsp://tok3n@10.0.0.5/s', { url: 'rtsp://tok3n@10.0.0.6/s' }],
    ['*** with another user name is refused', 'rtsp://operator:***@10.9.9.9/live', stored, changedUser],
    ['*** for a token when a user:password is stored is refused', 'rtsp://***@10.9.9.9/live', stored, changedUser],
    ['*** when no password is stored is refused', 'rtsp://viewer:***@10.1.1.1/live', 'rtsp://10.1.1.1/live', changedUser],
    ['*** when the stored password is itself *** is refused', 'rtsp://viewer:***@10.1.1.2/live', 'rtsp://viewer:***@10.1.1.1/live', changedUser],
    ['*** where ffmpeg reads the password (an @ in the path) is refused', 'rtsp://viewer:***@10.1.1.1/a@b', 'rtsp://10.1.1.1/live', changedUser],
    ['a password holding *** among other characters is taken as typed', 'rtsp://viewer:a***b@10.1.1.1/live', stored, { url: 'rtsp://viewer:a***b@10.1.1.1/live' }],
    ['a query secret *** keeps the stored value by name', 'http://cam2/snap?user=a&password=***&x=2', 'http://cam/snap?user=a&password=s3c&x=1', { url: 'http://cam2/snap?user=a&password=s3c&x=2' }],
    ['an RTSP ;token=*** is kept too', 'rtsp://cam2/x;token=***', 'rtsp://cam/x;token=t0k', { url: 'rtsp://cam2/x;token=t0k' }],
    ['both forms at once', 'rtsp://viewer:***@cam2/x?pw=***', 'rtsp://viewer:pw1@cam/x?pw=pw2', { url: 'rtsp://viewer:pw1@cam2/x?pw=pw2' }],
    ['a query secret *** with none stored is refused', 'http://cam/snap?password=***', 'http://cam/snap', { refused: 'keeps the masked value password=*** but the stored URL has no password to keep: type the value' }],
    ['on create a *** password is refused', 'rtsp://admin:***@10.0.0.5/s', null, { refused: 'has the masked password ***: type the real password, not ***' }],
    ['on create a *** token is refused', 'rtsp://***@10.0.0.5/s', null, { refused: 'has the masked password ***: type the real password, not ***' }],
    ['on create a *** query secret is refused', 'http://cam/snap?token=***', null, { refused: 'has the masked value token=***: type the real value, not ***' }],
    ['on create a URL without *** is taken', 'rtsp://admin:s3cret@10.0.0.5/s', null, { url: 'rtsp://admin:s3cret@10.0.0.5/s' }],
  ])('%s', (_label, incoming, before, expected) => {
    expect(restoreMaskedSecrets(incoming, before)).toEqual(expected);
  });
});

describe('rawCharacterInPassword', () => {
  it.each<[string, string | null]>([
    ['rtsp://admin:pa/ss2@10.0.0.5/s', '/'],
    ['rtsp://admin:pa#ss3@10.0.0.5/s', '#'],
    ['rtsp://admin:pa?ss4@10.0.0.5/s', '?'],
    ['rtsp://admin:/pw@10.0.0.5/s', '/'],
    ['rtsp://admin:pa%2Fss2@10.0.0.5/s', null],
    ['rtsp://admin:p@ss@10.0.0.5/s', null],
    ['rtsp://admin:my secret@10.0.0.5/s', null],
    ['rtsp://10.0.0.5:554/stream1', null],
    // An @ in a path is not a password: after host:port, after user:pw@host, after a host without a port.
    ['rtsp://cam:554/clip@2x', null],
    ['rtsp://admin:pw@cam/clip@2x', null],
    ['rtsp://cam/a:b@c', null],
    ['rtsp://[::1]:554/clip@2x', null],
    ['/srv/video/gate.mp4', null],
  ])('%s → %s', (url, expected) => {
    expect(rawCharacterInPassword(url)).toBe(expected);
  });
});
