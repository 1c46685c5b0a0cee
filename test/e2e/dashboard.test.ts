import { mkdirSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startApp } from '../support/app-harness.js';
import { ARTIFACTS, HOSTILE, launchChromium } from '../support/chromium.js';
import { freePort } from '../support/processes.js';
import { embeddedEnforcerEnv, until } from '../support/wait.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** /dash/system/ in a real headless Chromium against the real app with a live runner. */
describe('/dash/system/ in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let port: number;
  let cameraId: number;

  beforeAll(async () => {
    port = await freePort();
    h = await startApp('sqlite', embeddedEnforcerEnv(port, { RUNNER_COMMAND: join(FIXTURES, 'dispatch.sh'), TZ: 'Asia/Baghdad' }), { listen: true });
    cameraId = (await h.request('POST', '/api/cameras', { name: HOSTILE, rtspUrl: 'fixture:heartbeat-steady' })).body.id;
    const profile = (await h.request('POST', '/api/profiles', { name: 'dash-profile', hbInterval: 1 })).body;
    await h.request('POST', '/api/policies', { name: 'dash-policy', cameraIds: [cameraId], windows: [0, 1, 2, 3, 4, 5, 6].map((d) => ({ dayOfWeek: d, startTime: '00:00', endTime: '00:00', profileId: profile.id })) });
    await until('runner heartbeating', async () => (await h.dataSource.query(`SELECT last_heartbeat_at FROM runners WHERE camera_id = ${cameraId}`))[0]?.last_heartbeat_at);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('shows the enforcer panel, tallies and a live runner; user text stays text; the buttons work', async () => {
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const response = await page.goto(`http://127.0.0.1:${port}/dash/system/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toMatch(/script-src 'nonce-/);

    await expect.poll(() => page.textContent('#enforcer-panel')).toMatch(/running/);
    expect(await page.textContent('#enforcer-pid')).toBe(String(process.pid));
    await expect.poll(() => page.textContent('#last-ok'), { timeout: 5000 }).toMatch(/\d+ s ago/);
    expect(await page.textContent('#tallies')).toMatch(/1 online/);
    const row = page.locator(`#runners tr[data-camera="${cameraId}"]`);
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.locator('td').first().textContent()).toBe(HOSTILE);
    expect(await page.locator('#runners img, #cameras img').count()).toBe(0);
    expect(await row.locator('.badge').textContent()).toBe('running');

    await page.click('#enforce');
    await expect.poll(() => page.textContent('#message')).toMatch(/Enforce requested/);
    await page.click('#enforce');
    await expect.poll(() => page.textContent('#message')).toMatch(/try again in \d+ s/);

    const before = await page.getAttribute('html', 'data-theme');
    await page.click('#theme');
    expect(await page.getAttribute('html', 'data-theme')).not.toBe(before);

    await page.click(`#cameras li[data-camera="${cameraId}"] button[data-minutes="30"]`);
    await expect.poll(() => page.textContent('#message')).toMatch(/Paused until/);
    await expect.poll(() => page.textContent(`#cameras li[data-camera="${cameraId}"]`)).toMatch(/paused until/);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });

    await page.click(`#cameras li[data-camera="${cameraId}"] button[data-resume="${cameraId}"]`);
    await expect.poll(() => page.textContent('#message')).toMatch(/Resumed/);
    await expect.poll(() => page.textContent(`#cameras li[data-camera="${cameraId}"]`)).not.toMatch(/paused until/);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('ignores HTML forms that a page on another port auto-submits to it (urlencoded, text/plain, empty bodies)', async () => {
    // A live runner (camera 1) that a forged "stop" would kill, and a paused camera that a forged "resume" would wake.
    const running = `SELECT id, pid, status FROM runners WHERE camera_id = ${cameraId}`;
    const runnerBefore = await until('the runner running', async () => {
      const row = (await h.dataSource.query(running))[0];
      return row?.status === 'running' && row.pid ? row : undefined;
    });
    const paused = (await h.request('POST', '/api/cameras', { name: 'csrf-paused', rtspUrl: 'rtsp://h/s' })).body.id;
    expect((await h.request('POST', `/api/cameras/${paused}/pause`, { minutes: 60 })).status).toBe(200);
    const events = `SELECT COUNT(*) AS n FROM enforcer_events WHERE camera_id = ${cameraId}`;
    const eventsBefore = Number((await h.dataSource.query(events))[0].n);
    const app = `http://127.0.0.1:${port}`;
    // What a hostile page can send without CORS: forms (no preflight) and a no-cors fetch with a "simple" type.
    const targets = [
      ['stop-form', '/api/runners/stop', 'application/x-www-form-urlencoded', ''],
      ['resume-form', `/api/cameras/${paused}/resume`, 'application/x-www-form-urlencoded', ''],
      ['enforce-form', '/api/enforcer/enforce', 'text/plain', ''],
      ['resume-text', `/api/cameras/${paused}/resume`, 'text/plain', '<input name="{&quot;a&quot;:&quot;" value="&quot;}">'],
    ];
    const html = `<!doctype html><title>hostile</title>${targets
      .map(([name, path, type, fields]) => `<iframe name="${name}"></iframe><form target="${name}" method="POST" action="${app}${path}" enctype="${type}">${fields}</form>`)
      .join('')}<script>for (const form of document.forms) form.submit();
      fetch(${JSON.stringify(`${app}/api/runners/stop`)}, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{}' }).then(() => { document.title = 'sent'; }, () => { document.title = 'sent'; });</script>`;
    const hostile = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end(html));
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    const page = await browser.newPage();
    try {
      await page.goto(`http://127.0.0.1:${(hostile.address() as AddressInfo).port}/`);
      await expect.poll(() => page.title()).toBe('sent');
      // Each form reached the app (its answer is in the frame) and was refused there.
      for (const [name] of targets) {
        const frame = page.frame({ name })!;
        await expect.poll(() => frame.textContent('body').catch(() => ''), { timeout: 5000 }).toMatch(/Cross-site request refused/);
      }
    } finally {
      await page.close();
      hostile.close();
    }
    expect((await h.request('GET', `/api/cameras/${paused}`)).body.paused).toBe(true);
    expect((await h.dataSource.query(running))[0]).toEqual(runnerBefore);
    expect(Number((await h.dataSource.query(events))[0].n)).toBe(eventsBefore);
  });
});

/** With BISK_API_TOKEN set, an operator logs into /dash/system/ through Chromium's own Basic login (user any, password the token). */
describe('/dash/system/ behind the token, in Chromium', () => {
  const TOKEN = 'dashboard-token-0123456789';
  let h: Harness;
  let browser: Browser;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    h = await startApp('sqlite', { ...embeddedEnforcerEnv(port, { TZ: 'Asia/Baghdad' }), BISK_API_TOKEN: TOKEN }, { listen: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('is refused without credentials and served, data included, after the browser’s Basic login', async () => {
    // Without credentials (or with wrong ones) Chromium has nothing to answer the Basic challenge
    // with: the page is a 401/403 or ERR_INVALID_AUTH_CREDENTIALS, never the dashboard.
    const visit = async (context: Awaited<ReturnType<Browser['newContext']>>) =>
      (await context.newPage()).goto(`http://127.0.0.1:${port}/dash/system/`).then((r) => r?.status(), (error: Error) => error.message);
    const anonymous = await browser.newContext();
    expect(await visit(anonymous)).not.toBe(200);
    await anonymous.close();

    const wrong = await browser.newContext({ httpCredentials: { username: 'operator', password: 'not-the-token-000000' } });
    expect(await visit(wrong)).not.toBe(200);
    await wrong.close();

    // Chromium answers only a challenge it can use: it must find "Basic" as a header of its own.
    const context = await browser.newContext({ httpCredentials: { username: 'operator', password: TOKEN } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const response = await page.goto(`http://127.0.0.1:${port}/dash/system/`);
    expect(response?.status()).toBe(200);
    await expect.poll(() => page.textContent('#enforcer-panel')).toMatch(/running/);
    await expect.poll(() => page.textContent('#last-ok'), { timeout: 5000 }).toMatch(/\d+ s ago/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-token.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });
});
