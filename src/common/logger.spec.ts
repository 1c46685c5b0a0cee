import { afterEach, describe, expect, it, vi } from 'vitest';
import { BiskLogger } from './logger.js';

describe('BiskLogger', () => {
  afterEach(() => vi.restoreAllMocks());

  const capture = () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
    return lines;
  };

  it('writes one journald line per event with its priority, credentials masked', () => {
    const lines = capture();
    const logger = new BiskLogger('debug', true);
    logger.log('camera 1 at rtsp://admin:secret@10.0.0.5/s', 'Cameras');
    logger.warn('runner exited', 'Enforcer');
    logger.error('tick failed\n    at somewhere', 'Enforcer');
    logger.debug('detail', 'Enforcer');
    expect(lines).toEqual([
      '<6>[Cameras] camera 1 at rtsp://admin:***@10.0.0.5/s\n',
      '<4>[Enforcer] runner exited\n',
      '<3>[Enforcer] tick failed ⏎     at somewhere\n',
      '<7>[Enforcer] detail\n',
    ]);
  });

  it('keeps Nest start-up chatter at debug level', () => {
    const lines = capture();
    new BiskLogger('log', true).log('AppModule dependencies initialized', 'InstanceLoader');
    expect(lines).toEqual([]);
  });

  it('masks credentials off the journal too, without colour when not on a TTY', () => {
    const lines = capture();
    new BiskLogger('log', false).log('rtsp://u:p@h/s', 'X');
    expect(lines.join('')).toContain('rtsp://u:***@h/s');
    expect(lines.join('')).not.toContain('\u001b[');
  });
});
