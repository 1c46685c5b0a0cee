import { DateTime } from 'luxon';
import { bytes, NAV, num } from '../console/console.view.js';
import type { SystemService } from './system.service.js';

/**
 * `/dash/system/`, rendered on the server: one HTML page, no build step, no CDN. Every value
 * that came from a user or a runner (camera and profile names, errors, paths) goes through
 * `esc`. A small inline script re-fetches the live part every 10 s (toggle), ticks the ages
 * every second, and drives "Enforce now" and the pause buttons through the JSON API.
 */
export type Overview = Awaited<ReturnType<SystemService['overview']>>;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (value: unknown): string => String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);

/** An element whose text the script keeps as "N s ago" from its ISO timestamp. */
const age = (iso: string | null | undefined) => (iso ? `<span class="age" data-ts="${esc(iso)}">${esc(iso)}</span>` : '—');

/** An absolute instant in the configured zone, e.g. "2026-11-29 17:35:36 +03". */
const when = (iso: string | null | undefined, zone: string) =>
  iso ? esc(DateTime.fromISO(iso, { zone }).toFormat('yyyy-LL-dd HH:mm:ss ZZ')) : '—';

/** The most runner rows the system page lists (a fleet's overview, not its inventory). */
export const SYSTEM_RUNNER_ROWS = 100;
/** The most cameras the system page lists with pause buttons (paused ones first). */
export const SYSTEM_CAMERA_ROWS = 50;

/** How much a runner needs an operator's look: failed, backing off or without heartbeats first. */
function attention(r: Overview['runners'][number]): number {
  const status = ({ failed: 50, backoff: 40, exited: 30, starting: 10, stopping: 10 } as Record<string, number>)[r.status] ?? 0;
  const heartbeat = ({ offline: 20, stale: 15, never: 5 } as Record<string, number>)[r.heartbeat] ?? 0;
  return status + heartbeat + (r.lastError ? 3 : 0) + (r.specCurrent === false ? 2 : 0);
}

const STATUS_CLASS: Record<string, string> = {
  online: 'ok', stale: 'warn', offline: 'bad', never: 'muted', none: 'muted',
};

export function renderLive(o: Overview, pauseUntilTomorrow: string): string {
  const e = o.enforcer;
  const h = o.host;
  const gpus = h.gpus.length
    ? h.gpus.map((g) => `<li>${esc(g.name)}: ${num(g.utilizationPercent, 0)}% · ${num((g.memoryUsedMiB ?? 0) / 1024)} / ${num((g.memoryTotalMiB ?? 0) / 1024)} GiB</li>`).join('')
    : `<li class="muted">${h.gpuError ? `GPU probe failed: ${esc(h.gpuError)}` : 'no NVIDIA GPU'}</li>`;
  // An overview: the runners that need a look first, at most SYSTEM_RUNNER_ROWS; the Runners page lists them all.
  const shown = [...o.runners].sort((a, b) => attention(b) - attention(a)).slice(0, SYSTEM_RUNNER_ROWS);
  const more = o.runners.length - shown.length;
  const runners = shown.length
    ? shown
        .map(
          (r) => `<tr class="st-${esc(r.status)} hb-${STATUS_CLASS[r.heartbeat] ?? 'muted'}" data-camera="${r.cameraId}">
  <td>${esc(r.cameraName ?? `#${r.cameraId}`)}</td><td>${esc(r.profileName ?? `#${r.profileId}`)}</td><td>${esc(r.node)}</td>
  <td>${r.pid ?? '—'}</td><td><span class="badge ${esc(r.status)}">${esc(r.status)}</span></td>
  <td>${num(r.targetFps)} / ${num(r.cameraFps)} / ${num(r.processedFps)}</td><td>${r.snapshotEvery ?? '—'}</td>
  <td><span class="dot ${STATUS_CLASS[r.heartbeat] ?? 'muted'}"></span>${age(r.lastHeartbeatAt)}</td>
  <td>${r.restartsLastHour}</td><td class="err">${esc(r.lastError)}</td>
  <td><details><summary>${esc(r.specHash.slice(0, 8) || '—')}${r.specCurrent === false ? ' (drift)' : ''}</summary><pre>${esc(JSON.stringify(r.spec, null, 1))}</pre></details></td>
</tr>`,
        )
        .join('\n') + (more > 0 ? `\n<tr><td colspan="11" class="muted">… and ${more} more runner(s) (those that need a look are listed first): <a href="/dash/runners/">every runner on the Runners page</a></td></tr>` : '')
    : '<tr><td colspan="11" class="muted">no runners</td></tr>';
  // Paused cameras first (each with its Resume), then the rest, up to SYSTEM_CAMERA_ROWS; the Cameras page has them all.
  const listed = [...o.cameras].sort((a, b) => Number(b.paused) - Number(a.paused)).slice(0, SYSTEM_CAMERA_ROWS);
  const cameras = listed
    .map(
      (c) => `<li data-camera="${c.id}"><span class="cam-name">${esc(c.name)}</span>
  ${c.paused ? `<span class="badge paused">paused until ${when(c.pauseUntil, o.timeZone)}</span> <button data-resume="${c.id}">Resume</button>` : `<button data-pause="${c.id}" data-minutes="30">Pause 30 min</button> <button data-pause="${c.id}" data-minutes="120">Pause 2 h</button> <button data-pause="${c.id}" data-until="${esc(pauseUntilTomorrow)}">Until tomorrow 08:00</button>`}</li>`,
    )
    .join('\n') + (o.cameras.length > listed.length ? `\n<li class="muted">… and ${o.cameras.length - listed.length} more camera(s): <a href="/dash/cameras/">every camera on the Cameras page</a></li>` : '');
  return `<section class="cards">
  <article id="enforcer-panel"><h2>Enforcer</h2>
    <p class="state ${e.alive ? 'ok' : 'bad'}">${e.alive ? 'running' : 'not running'}</p>
    <dl><dt>PID</dt><dd id="enforcer-pid">${esc(e.runningPid ?? '—')}</dd>
    <dt>Node</dt><dd>${esc(e.node ?? '—')}</dd>
    <dt>Last run</dt><dd id="last-run">${age(e.lastRun)}</dd>
    <dt>Last OK</dt><dd id="last-ok">${age(e.lastOk)}</dd>
    <dt>Last error</dt><dd${e.lastError ? ' class="err"' : ''}>${esc(e.lastError ?? '—')}</dd>
    <dt>Interval</dt><dd>${esc(e.intervalSeconds ?? '—')} s</dd>
    <dt>Next wake-up</dt><dd>${when(e.nextWake, o.timeZone)}</dd></dl>
  </article>
  <article><h2>Host ${esc(h.hostname)}</h2><dl>
    <dt>CPU</dt><dd id="cpu">${num(h.cpu.percent)}% of ${h.cpu.threads ?? '—'} threads (${h.cpu.cores ?? '—'} cores)</dd>
    <dt>Load</dt><dd>${h.cpu.load.map((l) => num(l, 2)).join(' / ')}${h.cpu.loadPercentOfThreads ? ` (${h.cpu.loadPercentOfThreads.map((p) => `${num(p, 0)}%`).join(' / ')})` : ''}</dd>
    <dt>RAM</dt><dd id="ram">${h.memory ? `${bytes(h.memory.usedBytes)} / ${bytes(h.memory.totalBytes)} (${num(h.memory.percent)}%)` : '—'}</dd>
    <dt>Disk</dt><dd id="disk">${h.disk ? `${num(h.disk.usedPercent)}% used, ${bytes(h.disk.freeBytes)} free (${esc(h.disk.path)})` : '—'}</dd>
    <dt>GPU</dt><dd><ul id="gpus">${gpus}</ul></dd></dl>
    <p class="muted">sampled ${age(h.collectedAt)}</p>
  </article>
  <article id="tallies"><h2>Runners</h2>
    <p class="tally"><span class="ok">${o.tallies.online}</span> online · <span class="warn">${o.tallies.stale}</span> stale · <span class="bad">${o.tallies.offline}</span> offline · <span class="muted">${o.tallies.never}</span> no heartbeat yet</p>
    <p>${o.tallies.desired} wanted now · ${o.tallies.total} runner row(s) · ${o.pausedCameras.length} camera(s) paused</p>
  </article>
</section>
<h2>Nodes</h2>
<table id="nodes"><thead><tr><th>Node</th><th>State</th><th>Lease until</th><th>Runner processes</th><th>Wanted now</th></tr></thead>
<tbody>${o.nodes.length ? o.nodes.map((n) => `<tr><td>${esc(n.name)}</td><td><span class="dot ${n.alive ? 'ok' : 'bad'}"></span>${n.alive ? 'live' : 'lease expired'}</td><td>${when(n.leaseExpiresAt, o.timeZone)}</td><td>${n.runners}</td><td>${n.desired}</td></tr>`).join('\n') : '<tr><td colspan="5" class="muted">no enforcer has taken a lease yet</td></tr>'}</tbody></table>
<h2>Runner table</h2>
<table id="runners"><thead><tr><th>Camera</th><th>Profile</th><th>Node</th><th>PID</th><th>Status</th><th>fps target / camera / processed</th><th>Snapshot every</th><th>Heartbeat</th><th>Restarts (1 h)</th><th>Last error</th><th>Spec</th></tr></thead>
<tbody>${runners}</tbody></table>
<h2>Cameras</h2><ul id="cameras">${cameras}</ul>
<p class="muted">Updated ${when(o.at, o.timeZone)} (${esc(o.timeZone)})</p>`;
}

export function renderPage(o: Overview, pauseUntilTomorrow: string, nonce: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>BISK Enforcer — system</title>
<style>
:root{--bg:#f7f7f9;--fg:#1d1f24;--card:#fff;--line:#dcdde3;--muted:#6b6f7a;--ok:#1a7f37;--warn:#b26b00;--bad:#c62828;--accent:#2456c9}
:root[data-theme=dark]{--bg:#14161b;--fg:#e6e7ea;--card:#1d2027;--line:#333845;--muted:#9aa0ad;--ok:#3fb950;--warn:#d29922;--bad:#f85149;--accent:#6f9cff}
@media (prefers-color-scheme: dark){:root:not([data-theme=light]){--bg:#14161b;--fg:#e6e7ea;--card:#1d2027;--line:#333845;--muted:#9aa0ad;--ok:#3fb950;--warn:#d29922;--bad:#f85149;--accent:#6f9cff}}
body{margin:0;font:14px/1.45 system-ui,sans-serif;background:var(--bg);color:var(--fg)}
header{display:flex;gap:1rem;align-items:center;padding:.75rem 1rem;border-bottom:1px solid var(--line);background:var(--card);flex-wrap:wrap}
header h1{font-size:1.1rem;margin:0}
header nav{display:flex;gap:.2rem;flex-wrap:wrap;margin-right:auto}header nav a{padding:.25rem .55rem;border-radius:6px;text-decoration:none;color:var(--fg)}header nav a[aria-current=page]{background:var(--accent);color:#fff}
main{padding:1rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:1rem}
article{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.75rem 1rem}
h2{font-size:1rem;margin:.25rem 0 .5rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem;margin:0}dt{color:var(--muted)}dd{margin:0;word-break:break-word}
ul{margin:0;padding-left:1.1rem}
table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line)}
th,td{padding:.35rem .5rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-weight:600;color:var(--muted)}
.ok{color:var(--ok)}.warn{color:var(--warn)}.bad{color:var(--bad)}.muted{color:var(--muted)}.err{color:var(--bad);max-width:28rem;white-space:pre-wrap}
.state{font-weight:600;margin:0 0 .4rem}
.badge{display:inline-block;padding:0 .4rem;border-radius:4px;border:1px solid var(--line)}
.badge.running{color:var(--ok)}.badge.backoff,.badge.starting,.badge.stopping{color:var(--warn)}.badge.failed{color:var(--bad)}.badge.paused{color:var(--warn)}
.dot{display:inline-block;width:.6rem;height:.6rem;border-radius:50%;margin-right:.35rem;background:var(--muted)}
.dot.ok{background:var(--ok)}.dot.warn{background:var(--warn)}.dot.bad{background:var(--bad)}
tr.hb-bad td:first-child{border-left:3px solid var(--bad)}tr.hb-warn td:first-child{border-left:3px solid var(--warn)}tr.hb-ok td:first-child{border-left:3px solid var(--ok)}
button{font:inherit;padding:.2rem .6rem;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--fg);cursor:pointer}
button.primary{background:var(--accent);color:#fff;border-color:var(--accent)}
#message{min-height:1.2em}
pre{white-space:pre-wrap;margin:.3rem 0 0;font-size:12px}
#cameras li{margin:.25rem 0}
</style></head>
<body>
<header><h1>BISK Enforcer — system</h1>
<nav aria-label="Sections">${NAV.map((item) => `<a href="${item.href}"${item.key === 'system' ? ' aria-current="page"' : ''}>${esc(item.label)}</a>`).join('')}</nav>
<label><input type="checkbox" id="auto" checked> Auto-refresh (10 s)</label>
<button id="enforce" class="primary">Enforce now</button>
<button id="theme">Light / dark</button>
<span id="message" role="status"></span></header>
<main id="live">${renderLive(o, pauseUntilTomorrow)}</main>
<script nonce="${esc(nonce)}">
(() => {
  const live = document.getElementById('live');
  const message = document.getElementById('message');
  const say = (text, bad) => { message.textContent = text; message.className = bad ? 'bad' : 'ok'; };
  const root = document.documentElement;
  const saved = localStorage.getItem('bisk-theme');
  if (saved) root.dataset.theme = saved;
  document.getElementById('theme').addEventListener('click', () => {
    const dark = root.dataset.theme ? root.dataset.theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
    root.dataset.theme = dark ? 'light' : 'dark';
    localStorage.setItem('bisk-theme', root.dataset.theme);
  });
  const tick = () => {
    for (const el of document.querySelectorAll('.age[data-ts]')) {
      const s = Math.max(0, Math.round((Date.now() - Date.parse(el.dataset.ts)) / 1000));
      el.textContent = s < 90 ? s + ' s ago' : s < 5400 ? Math.round(s / 60) + ' min ago' : Math.round(s / 3600) + ' h ago';
      el.title = el.dataset.ts;
    }
  };
  const refresh = async () => {
    try {
      const res = await fetch('?fragment=1', { headers: { accept: 'text/html' }, credentials: 'same-origin' });
      if (res.ok) { live.innerHTML = await res.text(); tick(); }
    } catch (e) { say('refresh failed: ' + e.message, true); }
  };
  const post = async (url, body) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}), credentials: 'same-origin' });
    const data = await res.json().catch(() => ({}));
    return { ok: res.ok, status: res.status, data };
  };
  document.getElementById('enforce').addEventListener('click', async () => {
    const r = await post('/api/enforcer/enforce');
    say(r.ok ? 'Enforce requested' + (r.data.signalled ? ' — the enforcer was woken' : '') : (r.data.message || ('HTTP ' + r.status)), !r.ok);
    if (r.ok) setTimeout(refresh, 1200);
  });
  live.addEventListener('click', async (event) => {
    const button = event.target.closest('button');
    if (!button) return;
    if (button.dataset.resume) {
      const r = await post('/api/cameras/' + button.dataset.resume + '/resume');
      say(r.ok ? 'Resumed' : (r.data.message || 'HTTP ' + r.status), !r.ok);
    } else if (button.dataset.pause) {
      const body = button.dataset.until ? { until: button.dataset.until } : { minutes: Number(button.dataset.minutes) };
      const r = await post('/api/cameras/' + button.dataset.pause + '/pause', body);
      say(r.ok ? 'Paused until ' + r.data.pauseUntil : (r.data.message || 'HTTP ' + r.status), !r.ok);
    } else return;
    refresh();
  });
  let timer = setInterval(() => document.getElementById('auto').checked && refresh(), 10000);
  setInterval(tick, 1000);
  tick();
  void timer;
})();
</script>
</body></html>`;
}
