import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_DIR } from './support.js';

/**
 * Draws bench/results/*.svg from the JSON the benchmarks wrote: tick cost vs number of cameras
 * (dry-run planning, plus the steady-state tick) and restart latency per supervisor. Plain SVG,
 * no dependencies, readable in any browser and on GitHub.
 */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const read = (name: string) => JSON.parse(readFileSync(join(RESULTS_DIR, `${name}.json`), 'utf8'));

function frame(title: string, subtitle: string, body: string, w = 640, h = 360): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="system-ui, sans-serif" font-size="12">
<rect width="${w}" height="${h}" fill="#fff"/>
<text x="20" y="24" font-size="15" font-weight="600">${esc(title)}</text>
<text x="20" y="42" fill="#555">${esc(subtitle)}</text>
${body}
</svg>
`;
}

/** Tick cost vs cameras, log-log axes. */
function tickChart(): string {
  const data = read('enforcer');
  const pts = data.planning as { cameras: number; median: number; p95: number }[];
  const x0 = 70, y0 = 310, w = 520, h = 240;
  const lx = (v: number) => Math.log10(v);
  const [minX, maxX] = [lx(Math.min(...pts.map((p) => p.cameras))) - 0.1, lx(Math.max(...pts.map((p) => p.cameras))) + 0.1];
  const maxY = Math.max(...pts.map((p) => p.p95), data.steady.p95) * 1.15;
  const X = (c: number) => x0 + ((lx(c) - minX) / (maxX - minX)) * w;
  const Y = (ms: number) => y0 - (ms / maxY) * h;
  let body = `<line x1="${x0}" y1="${y0}" x2="${x0 + w}" y2="${y0}" stroke="#333"/><line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y0 - h}" stroke="#333"/>`;
  for (let i = 0; i <= 4; i++) {
    const ms = (maxY / 4) * i;
    body += `<line x1="${x0}" y1="${Y(ms)}" x2="${x0 + w}" y2="${Y(ms)}" stroke="#eee"/><text x="${x0 - 8}" y="${Y(ms) + 4}" text-anchor="end">${ms.toFixed(0)}</text>`;
  }
  body += `<text x="18" y="${y0 - h / 2}" transform="rotate(-90 18 ${y0 - h / 2})" text-anchor="middle">ms per tick</text>`;
  body += `<text x="${x0 + w / 2}" y="${y0 + 36}" text-anchor="middle">cameras × 7 windows (log scale)</text>`;
  const line = (key: 'median' | 'p95', color: string, dash = '') =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" ${dash} points="${pts.map((p) => `${X(p.cameras).toFixed(1)},${Y(p[key]).toFixed(1)}`).join(' ')}"/>`;
  body += line('p95', '#f0a030', 'stroke-dasharray="5 4"') + line('median', '#2060c0');
  for (const p of pts) {
    body += `<circle cx="${X(p.cameras)}" cy="${Y(p.median)}" r="3.5" fill="#2060c0"/><text x="${X(p.cameras)}" y="${y0 + 16}" text-anchor="middle">${p.cameras.toLocaleString('en')}</text>`;
    body += `<text x="${X(p.cameras) + 6}" y="${Y(p.median) - 6}" fill="#2060c0">${p.median.toFixed(0)}</text>`;
  }
  const s = data.steady;
  body += `<rect x="${X(s.cameras) - 4}" y="${Y(s.median) - 4}" width="8" height="8" fill="#30a050"/>`;
  body += `<g transform="translate(${x0 + 10},${y0 - h + 4})"><line x1="0" y1="0" x2="22" y2="0" stroke="#2060c0" stroke-width="2"/><text x="28" y="4">dry-run planning, median</text>
<line x1="0" y1="16" x2="22" y2="16" stroke="#f0a030" stroke-width="2" stroke-dasharray="5 4"/><text x="28" y="20">dry-run planning, p95</text>
<rect x="7" y="28" width="8" height="8" fill="#30a050"/><text x="28" y="36">steady tick, ${s.cameras.toLocaleString('en')} cameras / ${s.running} running: ${s.median.toFixed(0)} ms</text></g>`;
  return frame('Enforcer tick cost vs fleet size (SQLite)', `${data.machine.split(', ').slice(0, 2).join(', ')}; ${s.queries.join('/')} SQL statements per tick at any size`, body);
}

/** Restart latency per supervisor: p50 and p95 bars, log scale (the spread is 100×). */
function restartChart(): string {
  const data = read('supervisors');
  const rows = data.results as { name: string; restart: { p50: number; p95: number } }[];
  const x0 = 170, y0 = 70, w = 420, barH = 16, gap = 40;
  const maxV = Math.max(...rows.map((r) => r.restart.p95)) * 1.3;
  const minV = 1;
  const X = (v: number) => x0 + (Math.log10(Math.max(v, minV)) / Math.log10(maxV)) * w;
  let body = '';
  for (const t of [1, 10, 100, 1000, 10000].filter((t) => t <= maxV)) {
    body += `<line x1="${X(t)}" y1="${y0 - 8}" x2="${X(t)}" y2="${y0 + rows.length * gap}" stroke="#eee"/><text x="${X(t)}" y="${y0 + rows.length * gap + 16}" text-anchor="middle">${t} ms</text>`;
  }
  rows.forEach((r, i) => {
    const y = y0 + i * gap;
    body += `<text x="${x0 - 10}" y="${y + barH}" text-anchor="end">${esc(r.name)}</text>`;
    body += `<rect x="${x0}" y="${y}" width="${X(r.restart.p50) - x0}" height="${barH}" fill="#2060c0"/><text x="${X(r.restart.p50) + 6}" y="${y + 12}">p50 ${r.restart.p50.toFixed(0)} ms</text>`;
    body += `<rect x="${x0}" y="${y + barH + 2}" width="${X(r.restart.p95) - x0}" height="${barH / 2}" fill="#f0a030"/><text x="${X(r.restart.p95) + 6}" y="${y + barH + 10}" fill="#a06010">p95 ${r.restart.p95.toFixed(0)}</text>`;
  });
  return frame('Restart after an outside SIGKILL (kill → replacement running)', `${data.programs} programs, ${data.kills} kills each, log scale; ${data.machine.split(', ').slice(0, 2).join(', ')}`, body, 640, y0 + rows.length * gap + 40);
}

writeFileSync(join(RESULTS_DIR, 'tick-cost.svg'), tickChart());
writeFileSync(join(RESULTS_DIR, 'restart-latency.svg'), restartChart());
console.log('wrote bench/results/tick-cost.svg and bench/results/restart-latency.svg');
