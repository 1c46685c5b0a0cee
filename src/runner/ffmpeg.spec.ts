import { describe, expect, it } from 'vitest';
import { canHideUrl, ffconcatList, ffmpegArgs, friendlyError, isFileInput, parseInputFps, parseMajorVersion, parseProgressFrame } from './ffmpeg.js';

describe('friendlyError', () => {
  it.each([
    ['[rtsp @ 0x1] method DESCRIBE failed: 401 Unauthorized', 'auth failed (check the user name and password in the stream URL)'],
    ['[rtsp @ 0x1] method DESCRIBE failed: 404 Not Found', 'stream not found (check the path in the stream URL)'],
    ['/srv/missing.mp4: No such file or directory', 'stream not found (check the path in the stream URL)'],
    ['[tcp @ 0x1] Connection to tcp://10.0.0.9:554?timeout=0 failed: Connection timed out', 'timed out (camera unreachable or too slow)'],
    ['[tcp @ 0x1] Connection to tcp://127.0.0.1:1 failed: Connection refused', 'connection refused (wrong port, or the camera service is down)'],
    ['clip.txt: Invalid data found when processing input', 'invalid data (not a video stream, or a corrupt file)'],
    ['frame=  100 fps= 25', null],
  ])('%s', (line, expected) => {
    expect(friendlyError(line)).toBe(expected);
  });
});

describe('reading ffmpeg output', () => {
  it.each([
    ['  Stream #0:0[0x1](und): Video: h264 (High), yuv420p, 640x360, 38 kb/s, 25 fps, 25 tbr, 12800 tbn', 25],
    ['  Stream #0:0: Video: h264, yuv420p, 1920x1080, 12.50 tbr, 90k tbn', 12.5],
    ['  Stream #0:1: Audio: aac, 48000 Hz', null],
  ])('input fps of %s', (line, expected) => {
    expect(parseInputFps(line)).toBe(expected);
  });
  it.each([['frame=42', 42], ['frame=0 ', 0], ['fps=5.0', null]])('progress %s', (line, expected) => {
    expect(parseProgressFrame(line)).toBe(expected);
  });
  it.each([
    ['ffmpeg version 5.1.9-0+deb12u1 Copyright', 5], ['ffmpeg version n6.1.1 Copyright', 6], ['ffmpeg version 4.4.2-0ubuntu', 4],
    ['ffmpeg version N-47683-g0e8eb07980-static', null],
  ])('version of %s', (text, expected) => {
    expect(parseMajorVersion(text)).toBe(expected);
  });
});

describe('ffmpeg arguments', () => {
  const base = { fps: 5, snapshotFile: '/s/x.jpg' };
  it('loops a file at native rate', () => {
    const args = ffmpegArgs({ ...base, url: '/srv/clip.mp4' });
    expect(args.join(' ')).toContain('-stream_loop -1 -re -i /srv/clip.mp4 -map 0:v:0 -vf fps=5 -f null -');
    expect(args.join(' ')).toContain('-update 1 -q:v 5 -y /s/x.jpg -progress pipe:1');
  });
  it.each([
    [5, '-rtsp_transport tcp -timeout 10000000 -i rtsp://cam/s'],
    [4, '-rtsp_transport tcp -stimeout 10000000 -i rtsp://cam/s'],
    [null, '-rtsp_transport tcp -i rtsp://cam/s'],
  ])('uses the socket timeout option of ffmpeg %s for RTSP', (majorVersion, expected) => {
    const args = ffmpegArgs({ ...base, url: 'rtsp://cam/s', transport: 'tcp', majorVersion });
    expect(args.join(' ')).toContain(expected);
    expect(args).not.toContain('-stream_loop');
  });
  it('opens a stream named in a list on standard input without putting its URL on the command line', () => {
    const input = { ...base, url: 'rtsp://viewer:p@ss@cam/s', transport: 'tcp', majorVersion: 5, hwaccel: 'nvdec' };
    const args = ffmpegArgs({ ...input, listOnStdin: true });
    expect(args.join(' ')).toContain('-hwaccel cuda -f concat -safe 0 -protocol_whitelist pipe,file,rtsp,');
    expect(args.join(' ')).toContain('-i pipe:0 -map 0:v:0');
    expect(args.join(' ')).not.toMatch(/p@ss|rtsp:\/\/|rtsp_transport|timeout/);
    expect(ffconcatList(input)).toBe("ffconcat version 1.0\nfile 'rtsp://viewer:p@ss@cam/s'\noption rtsp_transport tcp\noption timeout 10000000\n");
    expect(ffconcatList({ ...base, url: "http://u:it's@cam/s" })).toContain("file 'http://u:it'\\''s@cam/s'");
  });
  it.each([
    ['rtsp://u:p@cam/s', 5, true], ['rtsp://u:p@cam/s', 6, true], ['rtsp://u:p@cam/s', 4, false], ['rtsp://u:p@cam/s', null, false], ['/srv/a.mp4', 6, false],
  ])('canHideUrl(%s, ffmpeg %s) = %s', (url, version, expected) => {
    expect(canHideUrl(url, version)).toBe(expected);
  });
  it.each([['/a/b.mp4', true], ['file:///a/b.mp4', true], ['rtsp://h/s', false], ['http://h/s.mjpg', false]])('isFileInput(%s) = %s', (url, expected) => {
    expect(isFileInput(url)).toBe(expected);
  });
});
