import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.BISK_TEST_CHROMIUM ?? '/usr/bin/chromium';
/** Screenshots of the pages, looked at by people (ignored by git). */
export const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
/** Text that runs script if a page ever renders it as HTML. */
export const HOSTILE = '<img src=x onerror=alert(1)>';

/** Debian's Chromium, headless, with nothing that would reach for the (closed) network. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium); .ci/run installs it`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
