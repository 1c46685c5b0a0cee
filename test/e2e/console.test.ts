import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startApp } from '../support/app-harness.js';
import { ARTIFACTS, HOSTILE, launchChromium } from '../support/chromium.js';
import { freePort } from '../support/processes.js';
import { embeddedEnforcerEnv, until } from '../support/wait.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const ZONE = 'Europe/Berlin';
const TOKEN = 'console-token-0123456789';
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/**
 * The operator console in a real headless Chromium against the real app, its embedded enforcer
 * and a live fixture runner: everything an operator does without typing JSON, once without and
 * once with BISK_API_TOKEN (logged in through the browser's Basic login).
 */
function consoleScenario(label: string, token: string | null) {
  describe(`the console in Chromium, ${label}`, { timeout: 60_000 }, () => {
    let h: Harness;
    let browser: Browser;
    let context: BrowserContext;
    let base: string;
    const alerts: string[] = [];
    const errors: string[] = [];
    const ids = { profile: 0, camera: 0, secretCamera: 0, policy: 0, runner: 0 };
    const today = DateTime.now().setZone(ZONE);
    const D = today.weekday - 1;
    const overnightDay = (D + 2) % 7;
    const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `console-${name}${token ? '-token' : ''}.png`), fullPage: true, timeout: 15_000 });

    const open = async (path: string) => {
      const page = await context.newPage();
      page.on('dialog', (dialog) => {
        // hx-confirm asks before deleting: accepted. Anything else would be a payload running.
        if (dialog.type() === 'confirm') void dialog.accept();
        else {
          alerts.push(`${dialog.type()}: ${dialog.message()}`);
          void dialog.dismiss();
        }
      });
      page.on('pageerror', (error) => errors.push(error.message));
      const response = await page.goto(`${base}${path}`, { timeout: 15_000 });
      expect(response?.status(), path).toBe(200);
      expect(response?.headers()['content-security-policy']).toMatch(/script-src 'nonce-[^']+'(;|$)/);
      return page;
    };

    beforeAll(async () => {
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      h = await startApp(
        'sqlite',
        {
          ...embeddedEnforcerEnv(port, { RUNNER_COMMAND: join(FIXTURES, 'dispatch.sh'), TZ: ZONE, HB_LOG_EVERY_SEC: '1', NODE_NAME: `console-${token ? 'token' : 'open'}` }),
          ...(token ? { BISK_API_TOKEN: token } : {}),
        },
        { listen: true },
      );
      browser = await launchChromium();
      context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...(token ? { httpCredentials: { username: 'operator', password: token } } : {}) });
      mkdirSync(ARTIFACTS, { recursive: true });
    });
    afterAll(async () => {
      await browser?.close();
      await h?.close();
    });

    if (token) {
      it('is refused without the login', async () => {
        const anonymous = await browser.newContext();
        const status = await (await anonymous.newPage()).goto(`${base}/dash/cameras/`).then((r) => r?.status(), (error: Error) => error.message);
        expect(status).not.toBe(200);
        await anonymous.close();
      });
    }

    it('creates a profile and cameras through the forms; the API’s messages appear at the fields; the password is never shown', async () => {
      const page = await open('/dash/profiles/new');
      await page.fill('#f-name', HOSTILE);
      await page.fill('#f-fps', '5');
      await page.fill('#f-hbInterval', '0');
      await page.fill('#f-extraArgs', `--label ${HOSTILE}\n--debug`);
      await page.click('#profile-form button[type=submit]');
      await expect.poll(() => page.textContent('[data-field="hbInterval"] .field-error')).toBe('hbInterval must not be less than 1');
      expect(Number((await h.dataSource.query('SELECT COUNT(*) AS n FROM stream_profiles'))[0].n)).toBe(0);
      await page.fill('#f-hbInterval', '1');
      await Promise.all([page.waitForURL(`${base}/dash/profiles/`), page.click('#profile-form button[type=submit]')]);
      ids.profile = Number(await page.getAttribute('#profiles tbody tr', 'data-profile'));
      expect(await page.textContent('#profiles tbody tr td a')).toBe(HOSTILE);
      const [stored] = await h.dataSource.query(`SELECT extra_args FROM stream_profiles WHERE id = ${ids.profile}`);
      expect(JSON.parse(stored.extra_args)).toEqual({ '--label': HOSTILE, '--debug': true });
      await shot(page, 'profiles');

      await page.goto(`${base}/dash/cameras/new`);
      await page.fill('#f-name', HOSTILE);
      await page.fill('#f-rtspUrl', 'fixture:heartbeat-steady');
      await page.fill('#f-location', HOSTILE);
      await page.fill('#f-targetFpsReq', '500');
      await page.click('#camera-form button[type=submit]');
      await expect.poll(() => page.textContent('[data-field="targetFpsReq"] .field-error')).toBe('targetFpsReq must not be greater than 120');
      expect(await page.inputValue('#f-name')).toBe(HOSTILE);
      await page.fill('#f-targetFpsReq', '');
      await page.click('#camera-form button[type=submit]');
      await page.waitForURL(/\/dash\/cameras\/\d+$/);
      ids.camera = Number(page.url().split('/').pop());

      await page.goto(`${base}/dash/cameras/new`);
      await page.fill('#f-name', 'Gate with a password');
      await page.fill('#f-rtspUrl', 'rtsp://admin:s3cret-pw@10.0.0.5:554/stream1');
      await page.click('#camera-form button[type=submit]');
      await page.waitForURL(/\/dash\/cameras\/\d+$/);
      ids.secretCamera = Number(page.url().split('/').pop());
      expect(await page.inputValue('#f-rtspUrl')).toBe('rtsp://admin:***@10.0.0.5:554/stream1');
      // Saved unchanged (masked), the stored password stays.
      await page.fill('#f-location', 'Main gate');
      // Saved, the page reloads itself (same URL): wait for that navigation, not just the URL.
      await Promise.all([page.waitForEvent('load'), page.click('#camera-form button[type=submit]')]);
      expect((await h.dataSource.query(`SELECT rtsp_url, location FROM cameras WHERE id = ${ids.secretCamera}`))[0]).toEqual({ rtsp_url: 'rtsp://admin:s3cret-pw@10.0.0.5:554/stream1', location: 'Main gate' });
      for (const path of ['/dash/cameras/', `/dash/cameras/${ids.secretCamera}`]) {
        const response = await page.goto(`${base}${path}`);
        expect(await response!.text()).not.toContain('s3cret-pw');
      }
      await page.close();
    });

    it('creates a policy with a whole day today and an overnight window; the week grid and the forecast draw them', async () => {
      const page = await open('/dash/policies/new');
      await page.fill('#f-name', HOSTILE);
      await page.fill('#f-notes', HOSTILE);
      await page.selectOption('#f-cameraIds', [String(ids.camera)]);
      await page.click('button[data-add-row=windows]');
      await page.selectOption('select[name="windows[0].dayOfWeek"]', String(D));
      await page.fill('input[name="windows[0].startTime"]', '00:00');
      await page.fill('input[name="windows[0].endTime"]', '00:00');
      await page.click('button[data-add-row=windows]');
      await page.selectOption('select[name="windows[1].dayOfWeek"]', String(overnightDay));
      await page.fill('input[name="windows[1].startTime"]', '22:00');
      await page.fill('input[name="windows[1].endTime"]', '06:00');
      await page.click('#policy-form button[type=submit]');
      await page.waitForURL(/\/dash\/policies\/\d+$/);
      ids.policy = Number(page.url().split('/').pop());
      expect(await page.textContent('h1')).toBe(HOSTILE);

      const bars = await page.$$eval('svg.week rect.bar', (rects) => rects.map((r) => ({ day: Number(r.dataset.day), from: Number(r.dataset.from), to: Number(r.dataset.to), tail: r.dataset.tail })));
      expect(bars).toEqual(
        expect.arrayContaining([
          { day: D, from: 0, to: 1440, tail: 'false' },
          { day: overnightDay, from: 22 * 60, to: 1440, tail: 'false' },
          { day: (overnightDay + 1) % 7, from: 0, to: 6 * 60, tail: 'true' },
        ]),
      );
      expect(bars).toHaveLength(3);
      expect(Number(await page.getAttribute('svg.week line.now', 'data-day'))).toBe(D);
      // The forecast: today whole, nothing tomorrow, the overnight window from 22:00 and its tail.
      const day = (i: number) => today.plus({ days: i }).toISODate();
      const forecastBars = (date: string) => page.$$eval(`svg.forecast g[data-date="${date}"] rect.bar`, (rects) => rects.map((r) => `${r.dataset.start}-${r.dataset.end}`));
      expect(await forecastBars(day(0)!)).toEqual(['00:00-24:00']);
      expect(await forecastBars(day(1)!)).toEqual([]);
      expect(await forecastBars(day(2)!)).toEqual(['22:00-24:00']);
      expect(await forecastBars(day(3)!)).toEqual(['00:00-06:00']);
      await shot(page, 'policy');

      // The camera's own page draws the same week.
      await page.goto(`${base}/dash/cameras/${ids.camera}`);
      expect(await page.$$eval('svg.week rect.bar', (rects) => rects.length)).toBe(3);
      await page.close();
    });

    it('refuses an overlapping window with the message at that window, writing nothing', async () => {
      const page = await open(`/dash/policies/${ids.policy}`);
      const before = await h.dataSource.query(`SELECT day_of_week, start_time, end_time FROM schedule_windows WHERE policy_id = ${ids.policy} ORDER BY id`);
      await page.click('button[data-add-row=windows]');
      await page.selectOption('select[name="windows[2].dayOfWeek"]', String(D));
      await page.fill('input[name="windows[2].startTime"]', '10:00');
      await page.fill('input[name="windows[2].endTime"]', '12:00');
      await page.click('#policy-form button[type=submit]');
      const short = DAYS[D].slice(0, 3);
      await expect.poll(() => page.textContent('tr[data-field="windows[2]"] .field-error')).toBe(`Overlapping windows on ${short}: 00:00–00:00 (whole day) conflicts with 10:00–12:00`);
      expect(page.url()).toBe(`${base}/dash/policies/${ids.policy}`);
      expect(await h.dataSource.query(`SELECT day_of_week, start_time, end_time FROM schedule_windows WHERE policy_id = ${ids.policy} ORDER BY id`)).toEqual(before);
      await shot(page, 'policy-overlap');
      await page.close();
    });

    it('an "off" exception on the overnight window’s date takes it out of the forecast (its tail stays: it falls on the next date)', async () => {
      const page = await open(`/dash/policies/${ids.policy}`);
      const date = today.plus({ days: 2 }).toISODate()!;
      await page.click('button[data-add-row=exceptions]');
      await page.fill('input[name="exceptions[0].date"]', date);
      await page.selectOption('select[name="exceptions[0].mode"]', 'off');
      // And a holiday next week, on the whole-day window's weekday.
      const holiday = today.plus({ days: 7 }).toISODate()!;
      await page.click('button[data-add-row=exceptions]');
      await page.fill('input[name="exceptions[1].date"]', holiday);
      await page.selectOption('select[name="exceptions[1].mode"]', 'off');
      await Promise.all([page.waitForEvent('load'), page.click('#policy-form button[type=submit]')]);
      await expect.poll(() => page.$$eval(`svg.forecast g[data-date="${date}"] rect.bar`, (r) => r.length)).toBe(0);
      expect(await page.textContent(`#forecast-exceptions li[data-date="${date}"]`)).toBe(`${DAYS[overnightDay].slice(0, 3)} ${date} — ${HOSTILE}: off`);
      const next = today.plus({ days: 3 }).toISODate()!;
      expect(await page.$$eval(`svg.forecast g[data-date="${next}"] rect.bar`, (rects) => rects.map((r) => `${r.dataset.start}-${r.dataset.end}`))).toEqual(['00:00-06:00']);
      // The week after: the holiday is there, with nothing drawn on it.
      await Promise.all([page.waitForEvent('load'), page.click('.forecast-nav a[rel=next]')]);
      expect(await page.$$eval(`svg.forecast g[data-date="${holiday}"] rect.bar`, (r) => r.length)).toBe(0);
      expect(await page.textContent(`#forecast-exceptions li[data-date="${holiday}"]`)).toContain(': off');
      expect(await page.$$eval(`svg.forecast g[data-date="${today.plus({ days: 8 }).toISODate()}"]`, (g) => g.length)).toBe(1);
      await page.close();
    });

    it('shows the runner start, restarts it to a new PID, and charts its heartbeats', async () => {
      const row = await until('the runner running', async () => {
        const [r] = await h.dataSource.query(`SELECT id, pid, status FROM runners WHERE camera_id = ${ids.camera}`);
        return r?.status === 'running' && r.pid ? r : undefined;
      });
      ids.runner = Number(row.id);
      // A snapshot where the enforcer tells this camera's runners to write them.
      const snapshots = join(h.db.dir, 'snapshots', `camera-${ids.camera}`);
      mkdirSync(snapshots, { recursive: true });
      execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x180', '-frames:v', '1', '-y', join(snapshots, `camera-${ids.camera}-profile-${ids.profile}-latest.jpg`)]);

      const page = await open('/dash/runners/');
      const tr = page.locator(`#runners tr[data-runner="${ids.runner}"]`);
      await expect.poll(() => tr.getAttribute('data-pid')).toBe(String(row.pid));
      expect(await tr.locator('.badge').textContent()).toBe('running');
      expect(await tr.locator('img.thumb').evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(320);
      await expect.poll(() => tr.locator('td').nth(8).textContent(), { timeout: 15_000 }).toMatch(/%/); // CPU after a second read
      await shot(page, 'runners');
      await tr.locator('button[data-api-action=restart]').click();
      await expect.poll(() => page.textContent('#message')).toMatch(new RegExp(`runner ${ids.runner} \\(pid ${row.pid}\\) stopped`));
      await expect.poll(async () => {
        const pid = await page.locator(`#runners tr[data-runner="${ids.runner}"]`).getAttribute('data-pid');
        return pid && pid !== String(row.pid) ? 'new' : pid;
      }, { timeout: 15_000 }).toBe('new');
      await page.close();

      await until('three stored heartbeats', async () => Number((await h.dataSource.query(`SELECT COUNT(*) AS n FROM runner_heartbeats WHERE camera_id = ${ids.camera}`))[0].n) >= 3);
      const detail = await open(`/dash/runners/${ids.runner}?hours=1`);
      const points = await detail.$$eval('svg.chart circle', (circles) => circles.map((c) => ({ series: c.dataset.series, title: c.textContent })));
      expect(points.filter((p) => p.series === '0').length).toBeGreaterThan(0);
      expect(points.find((p) => p.series === '0')!.title).toMatch(/: 25\.00$/);
      expect(points.find((p) => p.series === '1')!.title).toMatch(/: 5\.00$/);
      expect(await detail.textContent('#runner-log')).toMatch(/heartbeater heartbeat-steady pid/);
      await shot(detail, 'runner');
      await detail.close();
    });

    it('pauses a camera (30 min, then until a chosen time) and resumes it', async () => {
      const page = await open(`/dash/cameras/${ids.camera}`);
      await page.click(`#pause-${ids.camera} button[data-minutes="30"]`);
      await expect.poll(() => page.textContent(`#pause-${ids.camera} .badge`)).toMatch(/^paused until /);
      await expect.poll(() => page.textContent('#message')).toMatch(/Paused until/);
      expect((await h.request('GET', `/api/cameras/${ids.camera}`, undefined, token ? { authorization: `Bearer ${token}` } : {})).body.paused).toBe(true);
      await until('its runner stopped', async () => (await h.dataSource.query(`SELECT pid FROM runners WHERE camera_id = ${ids.camera}`))[0]?.pid === null);
      await page.click(`#pause-${ids.camera} button[data-resume]`);
      await expect.poll(() => page.locator(`#pause-${ids.camera} button[data-minutes="30"]`).count()).toBe(1);
      const until8 = today.plus({ days: 1 }).set({ hour: 8, minute: 0 }).toFormat("yyyy-LL-dd'T'HH:mm");
      await page.fill(`#until-${ids.camera}`, until8);
      await page.click(`#pause-${ids.camera} button[data-until]`);
      await expect.poll(() => page.textContent(`#pause-${ids.camera} .badge`)).toContain(`${until8.replace('T', ' ')}:00`);
      await shot(page, 'camera');
      await page.click(`#pause-${ids.camera} button[data-resume]`);
      await expect.poll(() => page.locator(`#pause-${ids.camera} button[data-resume]`).count()).toBe(0);
      expect((await h.dataSource.query(`SELECT pause_until FROM cameras WHERE id = ${ids.camera}`))[0].pause_until).toBeNull();
      await page.close();
    });

    it('lists events with filters and heartbeat history with a purge', async () => {
      const page = await open(`/dash/events/?cameraId=${ids.camera}&kind=start`);
      const kinds = await page.$$eval('#events tbody tr[data-event]', (rows) => rows.map((r) => r.getAttribute('data-kind')));
      expect(kinds.length).toBeGreaterThanOrEqual(2);
      expect(new Set(kinds)).toEqual(new Set(['start']));
      await shot(page, 'events');

      await page.goto(`${base}/dash/heartbeats/?runnerId=${ids.runner}`);
      expect(await page.locator('#heartbeats tbody tr[data-heartbeat]').count()).toBeGreaterThan(0);
      await shot(page, 'heartbeats');
      const cutoff = DateTime.now().setZone(ZONE).minus({ seconds: 1 }).startOf('second');
      await page.fill('#purge-form input[name=before]', cutoff.toFormat("yyyy-LL-dd'T'HH:mm:ss"));
      await page.click('#purge-form button[type=submit]');
      await expect.poll(() => page.textContent('#purge-form .ok')).toMatch(/^Deleted [1-9]\d* row\(s\)\.$/);
      const left = await h.dataSource.query(`SELECT COUNT(*) AS n FROM runner_heartbeats WHERE camera_id = ${ids.camera} AND ts < ?`, [cutoff.toUTC().toFormat('yyyy-LL-dd HH:mm:ss.SSS')]);
      expect(Number(left[0].n)).toBe(0);
      await page.close();
    });

    it('deletes a profile, a camera override and a camera from their pages (buttons inside forms send no fields)', async () => {
      const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      const spare = (await h.request('POST', '/api/profiles', { name: 'spare' }, auth)).body.id;
      expect((await h.request('PUT', `/api/resource-settings/cameras/${ids.secretCamera}`, { maxFps: 3 }, auth)).status).toBe(200);
      const page = await open(`/dash/profiles/${spare}`);
      await Promise.all([page.waitForURL(`${base}/dash/profiles/`), page.click('#profile-form button.danger')]);
      expect((await h.request('GET', `/api/profiles/${spare}`, undefined, auth)).status).toBe(404);
      await page.goto(`${base}/dash/resources/cameras/${ids.secretCamera}`);
      await Promise.all([page.waitForURL(`${base}/dash/resources/`), page.click('#resources-form button.danger')]);
      expect((await h.request('GET', `/api/resource-settings/cameras/${ids.secretCamera}`, undefined, auth)).status).toBe(404);
      await page.goto(`${base}/dash/cameras/${ids.secretCamera}`);
      await Promise.all([page.waitForURL(`${base}/dash/cameras/`), page.click('#delete-camera')]);
      expect((await h.request('GET', `/api/cameras/${ids.secretCamera}`, undefined, auth)).status).toBe(404);
      await page.close();
    });

    it('every page renders user text as text, keeps its nonce CSP, and works from the keyboard', async () => {
      for (const path of ['/dash/cameras/', `/dash/cameras/${ids.camera}`, '/dash/profiles/', `/dash/profiles/${ids.profile}`, '/dash/policies/', `/dash/policies/${ids.policy}`, '/dash/resources/', '/dash/runners/', '/dash/events/', '/dash/heartbeats/', '/dash/system/']) {
        const visit = async () => {
          const page = await open(path);
          expect(await page.locator('img[src="x"]').count(), path).toBe(0);
          await shot(page, path.replace(/\W+/g, '-').replace(/^-|-$/g, ''));
          await page.close();
        };
        await Promise.race([visit(), new Promise((_, reject) => setTimeout(() => reject(new Error(`${path} did not render within 15 s`)), 15_000))]);
      }
      expect(alerts).toEqual([]);
      expect(errors).toEqual([]);
    });

    it('is usable from the keyboard: skip link, then the navigation', async () => {
      const page = await open('/dash/profiles/');
      const focused = () => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document.activeElement?.textContent);
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('Skip to content');
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('System');
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('Cameras');
      await Promise.all([page.waitForURL(`${base}/dash/cameras/`, { timeout: 15_000 }), page.keyboard.press('Enter')]);
      await page.close();
      expect(alerts).toEqual([]);
      expect(errors).toEqual([]);
    });
  });
}

consoleScenario('without a token', null);
consoleScenario('behind BISK_API_TOKEN', TOKEN);
