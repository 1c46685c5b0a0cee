import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { bisk, CLI, freePort, machine, ROOT, rssMb, sleep } from './support.js';

/**
 * Chaos soak (`npm run soak -- --minutes N`): the built HTTP app and a real `bisk run-enforcer`
 * on the embedded database (and on PostgreSQL when BISK_TEST_POSTGRES_URL is set), while a
 * driver changes schedules, pauses and profiles through the API, SIGKILLs runners, SIGKILLs and
 * restarts the enforcer, and fires fuzzed bad requests (fast-check). Checked all along and at
 * the end: never two live runners for one (camera, profile); desired = running after each quiet
 * period; no 5xx; every accepted change is in the database, whole; no runner left after the
 * final `bisk stop-runners`; enforcer and app memory do not grow without bound. Exits non-zero
 * with the list of violations.
 */
const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, seed: { type: 'string' }, engine: { type: 'string' } }, strict: true });
const MINUTES = Number(values.minutes);
const SEED = values.seed ? Number(values.seed) : Date.now() % 1_000_000;
if (!(MINUTES > 0)) throw new Error('--minutes must be a positive number');
const RUNNER = join(ROOT, 'bench/fixtures/idle-runner.sh');
const TOKEN = 'soak-api-token-0123456789';
const TZ = 'UTC';

let rng = SEED;
/** Deterministic choices for a given --seed (mulberry32). */
const random = () => {
  rng = (rng + 0x6d2b79f5) | 0;
  let t = Math.imul(rng ^ (rng >>> 15), 1 | rng);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];

interface Model {
  cameras: Map<number, { name: string }>;
  profiles: Map<number, { name: string; fps: number }>;
  policies: Map<number, { name: string; windows: number; cameraIds: number[] }>;
}

class Soak {
  readonly violations: string[] = [];
  readonly counts = { requests: 0, accepted: 0, rejected: 0, fuzzed: 0, hostile: 0, runnerKills: 0, enforcerKills: 0, quietChecks: 0, samples: 0 };
  readonly model: Model = { cameras: new Map(), profiles: new Map(), policies: new Map() };
  private enforcer: ChildProcess | null = null;
  private app: ChildProcess | null = null;
  private base = '';
  private readonly node = `soak-${SEED}`;
  private enforcerRss: { warm: number; last: number; startedAt: number }[] = [];
  private appRss = { warm: NaN, last: NaN };

  constructor(private readonly engine: 'sqlite' | 'postgres', private readonly env: NodeJS.ProcessEnv) {}

  private violation(what: string): void {
    if (this.violations.length < 50) this.violations.push(`${new Date().toISOString()} ${what}`);
    process.stderr.write(`VIOLATION: ${what}\n`);
  }

  async request(method: string, path: string, body?: unknown, raw?: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
    this.counts.requests++;
    // JSON on every change, with or without a body (the app requires it), as any API client sends.
    const json = body !== undefined || raw !== undefined || ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method);
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(json ? { 'content-type': 'application/json' } : {}), ...headers },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    // The one designed 503: "enforce now" while no enforcer runs (the chaos kills it on purpose).
    const designed = res.status === 503 && path === '/api/enforcer/enforce' && /No enforcer is running/.test(parsed?.message ?? '');
    if (res.status >= 500 && !designed) this.violation(`${method} ${path} → ${res.status} ${text.slice(0, 200)}`);
    if (res.status < 300) this.counts.accepted++;
    else this.counts.rejected++;
    return { status: res.status, body: parsed };
  }

  async start(): Promise<void> {
    const port = await freePort();
    this.base = `http://127.0.0.1:${port}`;
    await bisk(['migrate'], this.env);
    this.app = spawn(process.execPath, [join(ROOT, 'dist/src/main.js')], { env: { ...this.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${this.base}/health/live`)).ok) break;
      } catch {
        // not listening yet
      }
      if (i > 200) throw new Error('the HTTP app did not start');
      await sleep(100);
    }
    this.startEnforcer();
  }

  startEnforcer(): void {
    this.enforcer = spawn(process.execPath, [CLI, 'run-enforcer'], { env: this.env, stdio: ['ignore', 'ignore', 'inherit'] });
    this.enforcerRss.push({ warm: NaN, last: NaN, startedAt: Date.now() });
  }

  async killEnforcer(): Promise<void> {
    const child = this.enforcer;
    if (!child || child.exitCode !== null) return;
    this.counts.enforcerKills++;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  /** Live runner processes of this soak: runner id → PIDs (from the marker in their environment). */
  liveRunners(): Map<number, number[]> {
    const live = new Map<number, number[]>();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') continue;
        const marker = /(?:^|\0)BISK_RUNNER_MARKER=([^\0]*)/.exec(readFileSync(`/proc/${name}/environ`, 'utf8'))?.[1];
        if (!marker?.startsWith(`${this.node}:`)) continue;
        const id = Number(marker.slice(this.node.length + 1));
        live.set(id, [...(live.get(id) ?? []), Number(name)]);
      } catch {
        // gone meanwhile, or not ours to read
      }
    }
    return live;
  }

  /** Never two live processes for one runner row (one row per camera, profile and node). */
  checkNoDuplicates(): void {
    this.counts.samples++;
    for (const [id, pids] of this.liveRunners()) if (pids.length > 1) this.violation(`runner ${id} has ${pids.length} live processes: ${pids.join(', ')}`);
  }

  sampleMemory(warm: boolean): void {
    const e = this.enforcerRss.at(-1);
    if (e && this.enforcer?.pid) {
      const rss = rssMb(this.enforcer.pid);
      if (warm && Number.isNaN(e.warm)) e.warm = rss;
      if (!Number.isNaN(rss)) e.last = rss;
    }
    if (this.app?.pid) {
      const rss = rssMb(this.app.pid);
      if (warm && Number.isNaN(this.appRss.warm)) this.appRss.warm = rss;
      if (!Number.isNaN(rss)) this.appRss.last = rss;
    }
  }

  // ---- valid changes ----------------------------------------------------------------------

  async createProfile(): Promise<void> {
    const name = `soak-profile-${this.model.profiles.size}-${Math.floor(random() * 1e6)}`;
    const fps = pick([1, 2, 5, 10]);
    const res = await this.request('POST', '/api/profiles', { name, fps });
    if (res.status === 201) this.model.profiles.set(res.body.id, { name, fps });
  }

  async createCamera(): Promise<void> {
    const name = `soak-cam-${Math.floor(random() * 1e9)}`;
    const res = await this.request('POST', '/api/cameras', { name, rtspUrl: `rtsp://viewer:secret@10.0.0.${Math.floor(random() * 250)}/s` });
    if (res.status === 201) this.model.cameras.set(res.body.id, { name });
  }

  /**
   * Windows around "now" (opening and closing within the next minutes, one after another: the
   * API refuses windows of one policy that overlap) or all day.
   */
  windows(): { dayOfWeek: number; startTime: string; endTime: string; profileId: number }[] {
    const now = DateTime.now().setZone(TZ);
    const profiles = [...this.model.profiles.keys()];
    if (random() < 0.3) return [{ dayOfWeek: now.weekday - 1, startTime: '00:00', endTime: '00:00', profileId: pick(profiles) }];
    const count = 1 + Math.floor(random() * 3);
    let start = now.plus({ seconds: Math.floor(random() * 120) - 30 });
    return Array.from({ length: count }, () => {
      const end = start.plus({ seconds: 10 + Math.floor(random() * 60) });
      const window = { dayOfWeek: start.weekday - 1, startTime: start.toFormat('HH:mm:ss'), endTime: end.toFormat('HH:mm:ss'), profileId: pick(profiles) };
      start = end.plus({ seconds: Math.floor(random() * 30) });
      return window;
    });
  }

  async createPolicy(): Promise<void> {
    const name = `soak-policy-${Math.floor(random() * 1e9)}`;
    const cameraIds = [...this.model.cameras.keys()].filter(() => random() < 0.4);
    const windows = this.windows();
    const res = await this.request('POST', '/api/policies', { name, cameraIds, windows });
    if (res.status === 201) this.model.policies.set(res.body.id, { name, windows: windows.length, cameraIds });
  }

  async changeSomething(): Promise<void> {
    const roll = random();
    const cameras = [...this.model.cameras.keys()];
    const policies = [...this.model.policies.keys()];
    const profiles = [...this.model.profiles.keys()];
    if (roll < 0.3 && policies.length) {
      const id = pick(policies);
      const windows = this.windows();
      const res = await this.request('PATCH', `/api/policies/${id}`, { windows });
      if (res.status === 200) this.model.policies.get(id)!.windows = windows.length;
    } else if (roll < 0.45 && cameras.length) {
      await this.request('POST', `/api/cameras/${pick(cameras)}/pause`, { minutes: 1 });
    } else if (roll < 0.55 && cameras.length) {
      await this.request('POST', `/api/cameras/${pick(cameras)}/resume`);
    } else if (roll < 0.65 && profiles.length) {
      const id = pick(profiles);
      const fps = pick([1, 2, 5, 10, 15]);
      const res = await this.request('PATCH', `/api/profiles/${id}`, { fps });
      if (res.status === 200) this.model.profiles.get(id)!.fps = fps;
    } else if (roll < 0.72 && cameras.length) {
      await this.request('PATCH', `/api/cameras/${pick(cameras)}`, { isActive: random() < 0.7 });
    } else if (roll < 0.8 && cameras.length > 6) {
      const id = pick(cameras);
      const res = await this.request('DELETE', `/api/cameras/${id}`);
      if (res.status === 204) {
        this.model.cameras.delete(id);
        for (const p of this.model.policies.values()) p.cameraIds = p.cameraIds.filter((c) => c !== id);
      }
    } else if (roll < 0.88) {
      await this.createCamera();
    } else if (roll < 0.93) {
      await this.createPolicy();
    } else {
      await this.request('POST', '/api/enforcer/enforce');
    }
  }

  // ---- bad input ----------------------------------------------------------------------------

  /**
   * Input built to break the parser and the validators rather than the rules: nesting far past
   * the limit, numbers no field can hold, text that is not Unicode, bodies where none is taken,
   * forms and foreign origins. Each must be a 4xx — a 5xx or an accepted change is a violation.
   */
  async hostile(): Promise<void> {
    const camera = pick([...this.model.cameras.keys(), 1]);
    const profile = pick([...this.model.profiles.keys(), 1]);
    const policy = pick([...this.model.policies.keys(), 1]);
    const depth = pick([17, 100, 5_000, 50_000]);
    const objects = (inner: string) => `${'{"a":'.repeat(depth)}${inner}${'}'.repeat(depth)}`;
    const arrays = (inner: string) => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
    const huge = pick(['1e400', '-1e400', '9'.repeat(400), '123456789012345678901234567890', '2147483648', '-2147483649', '1.7976931348623157e309']);
    const lone = pick(['\\ud800', '\\udfff', 'a\\ud83d', '\\udc00\\ud800', 'x\\udbff\\u0041']);
    const notUtf8 = Buffer.concat([Buffer.from('{"name":"soak-'), Buffer.from(pick([[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82]])), Buffer.from('","rtspUrl":"x"}')]);
    const form = { 'content-type': pick(['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) };
    const cases: [string, string, (string | Buffer)?, Record<string, string>?][] = [
      ['POST', '/api/cameras', `{"name":${objects('1')},"rtspUrl":"x"}`],
      ['PATCH', `/api/policies/${policy}`, `{"notes":${arrays('')}}`],
      ['POST', '/api/policies', `{"name":"soak-deep","windows":${arrays('{}')}}`],
      ['POST', '/api/runner/heartbeat/', objects('1')],
      ['POST', '/api/profiles', `{"name":"soak-huge","fps":${huge}}`],
      ['PATCH', `/api/cameras/${camera}`, `{"hbInterval":${huge}}`],
      ['POST', `/api/cameras/${camera}/pause`, `{"minutes":${huge}}`],
      ['POST', '/api/policies', `{"name":"soak-huge","cameraIds":[${huge}]}`],
      ['POST', '/api/runners/stop', `{"cameraId":${huge}}`],
      ['GET', `/api/cameras?offset=${huge}`],
      ['GET', `/api/cameras?limit=${huge}`],
      ['GET', `/api/enforcer/events?cameraId=${huge}`],
      ['GET', `/api/cameras/${huge}`],
      ['POST', '/api/cameras', `{"name":"soak-${lone}","rtspUrl":"x"}`],
      ['PATCH', `/api/profiles/${profile}`, `{"name":"${lone}"}`],
      ['POST', '/api/profiles', `{"name":"soak-key","extraArgs":{"k${lone}":"v"}}`],
      ['PATCH', `/api/policies/${policy}`, `{"notes":"${lone}"}`],
      ['POST', '/api/runner/heartbeat/', `{"camera_id":${camera},"profile_id":${profile},"last_error":"${lone}"}`],
      ['POST', '/api/cameras', notUtf8],
      ['POST', `/api/cameras/${camera}/resume`, '{"until":null}'],
      ['POST', '/api/enforcer/enforce', '[]'],
      ['DELETE', `/api/cameras/${camera}`, '{"force":true}'],
      ['POST', '/api/runners/stop', '', form],
      ['POST', `/api/cameras/${camera}/resume`, '', form],
      ['POST', '/api/enforcer/enforce', '', form],
      ['POST', `/api/cameras/${camera}/resume`, '{}', { origin: 'http://evil.example' }],
      ['POST', '/api/runners/stop', '{}', { 'sec-fetch-site': 'cross-site' }],
    ];
    // All of them each time (with this round's depth, number and text): cheap, and every rule is tried all along.
    for (const [method, path, raw, headers] of cases) {
      this.counts.hostile++;
      const res = await this.request(method, path, undefined, raw, headers);
      if (res.status < 400 || res.status >= 500) this.violation(`hostile ${method} ${path.slice(0, 80)} (${(raw ?? '').length} bytes) → ${res.status}, not a 4xx`);
    }
  }

  async fuzz(): Promise<void> {
    this.counts.fuzzed++;
    const value = fc.oneof(
      fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.string({ unit: 'grapheme', maxLength: 50 }),
      fc.string({ minLength: 3000, maxLength: 6000 }), fc.constantFrom('', ' ', '\u0000', '\u202e', '../../etc/passwd', "'; DROP TABLE cameras; --", '<script>'),
    );
    const body = fc.oneof(
      fc.record({ name: value, rtspUrl: value, fps: value, windows: fc.oneof(value, fc.array(fc.record({ dayOfWeek: value, startTime: value, endTime: value, profileId: value }), { maxLength: 3 })) }, { requiredKeys: [] }),
      fc.dictionary(fc.string({ maxLength: 20 }), value, { maxKeys: 6 }),
      fc.array(value, { maxLength: 4 }),
      value,
    );
    const [payload] = fc.sample(body, { numRuns: 1, seed: Math.floor(random() * 2 ** 31) });
    const text = typeof payload === 'string' ? payload : (JSON.stringify(payload) ?? 'undefined');
    const ids = [...this.model.cameras.keys(), 0, -1, 99999999];
    const target = pick([
      ['POST', '/api/cameras'], ['POST', '/api/profiles'], ['POST', '/api/policies'], ['PATCH', `/api/cameras/${pick(ids)}`],
      ['PATCH', `/api/policies/${pick([...this.model.policies.keys(), 0])}`], ['POST', `/api/cameras/${pick(ids)}/pause`], ['PATCH', `/api/profiles/${pick([...this.model.profiles.keys(), 7777777])}`],
      ['GET', `/api/cameras?limit=${encodeURIComponent(text.slice(0, 500))}`], ['GET', `/api/cameras/${encodeURIComponent(text).slice(0, 100)}`],
    ]);
    const raw = target[0] !== 'GET' && random() < 0.1 ? `{"name": "unterminated ${'x'.repeat(Math.floor(random() * 50))}` : undefined;
    const before = new Set(this.model.cameras.keys());
    const res = await this.request(target[0], target[1], target[0] === 'GET' ? undefined : payload, raw);
    // A fuzzed body that happened to be valid is an accepted change like any other.
    if (res.status === 201 && target[1] === '/api/cameras' && !before.has(res.body.id)) this.model.cameras.set(res.body.id, { name: res.body.name });
    if (res.status === 201 && target[1] === '/api/profiles') this.model.profiles.set(res.body.id, { name: res.body.name, fps: res.body.fps });
    if (res.status === 201 && target[1] === '/api/policies') this.model.policies.set(res.body.id, { name: res.body.name, windows: res.body.windows.length, cameraIds: res.body.cameraIds ?? [] });
    if (res.status === 200 && target[1].startsWith('/api/profiles/') && this.model.profiles.has(res.body.id)) this.model.profiles.set(res.body.id, { name: res.body.name, fps: res.body.fps });
    if (res.status === 200 && target[1].startsWith('/api/cameras/') && this.model.cameras.has(res.body.id)) this.model.cameras.set(res.body.id, { name: res.body.name });
    if (res.status === 200 && target[1].startsWith('/api/policies/') && this.model.policies.has(res.body.id)) {
      this.model.policies.set(res.body.id, { name: res.body.name, windows: res.body.windows.length, cameraIds: res.body.cameraIds ?? [] });
    }
    if (res.status >= 400 && res.status < 500 && typeof res.body?.message !== 'string' && !Array.isArray(res.body?.message)) {
      this.violation(`${target[0]} ${target[1]} → ${res.status} without a message: ${JSON.stringify(res.body).slice(0, 200)}`);
    }
  }

  killRunner(): void {
    const live = [...this.liveRunners().values()].flat();
    if (live.length === 0) return;
    try {
      process.kill(pick(live), 'SIGKILL');
      this.counts.runnerKills++;
    } catch {
      // already gone
    }
  }

  // ---- quiet-period and final checks --------------------------------------------------------

  /** No chaos for a while: the enforcer must bring what runs to exactly what is desired. */
  async quietCheck(): Promise<void> {
    this.counts.quietChecks++;
    if (!this.enforcer || this.enforcer.exitCode !== null || this.enforcer.signalCode !== null) this.startEnforcer();
    let last = '';
    for (let i = 0; i < 60; i++) {
      await sleep(500);
      this.checkNoDuplicates();
      const plan = await this.request('GET', '/api/enforcer/plan');
      const runners = await this.request('GET', '/api/runners?limit=500');
      if (plan.status !== 200 || runners.status !== 200) continue;
      const live = this.liveRunners();
      const running = new Set<string>();
      for (const r of runners.body.items as { id: number; cameraId: number; profileId: number; node: string }[]) {
        if (r.node === this.node && live.has(r.id)) running.add(`${r.cameraId}:${r.profileId}`);
      }
      const desired = new Set((plan.body.desired as { cameraId: number; profileId: number }[]).map((d) => `${d.cameraId}:${d.profileId}`));
      const missing = [...desired].filter((k) => !running.has(k));
      const extra = [...running].filter((k) => !desired.has(k));
      const orphans = [...live.keys()].filter((id) => !(runners.body.items as { id: number }[]).some((r) => r.id === id));
      if (missing.length === 0 && extra.length === 0 && orphans.length === 0) return;
      last = `missing ${missing.join(' ') || '-'}, extra ${extra.join(' ') || '-'}, orphan runner ids ${orphans.join(' ') || '-'}`;
    }
    this.violation(`desired ≠ running after a 30 s quiet period: ${last}`);
  }

  /** Every accepted change is in the database, whole (what the API lists equals the model). */
  async checkRows(): Promise<void> {
    const list = async (path: string) => {
      const res = await this.request('GET', `${path}?limit=500`);
      if (res.status !== 200) throw new Error(`GET ${path} → ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.items as any[];
    };
    const [cameras, profiles, policies] = await Promise.all([list('/api/cameras'), list('/api/profiles'), list('/api/policies')]);
    const same = (what: string, got: number[], want: number[]) => {
      const a = [...got].sort((x, y) => x - y).join(',');
      const b = [...want].sort((x, y) => x - y).join(',');
      if (a !== b) this.violation(`${what}: database has [${a}], accepted requests say [${b}]`);
    };
    same('cameras', cameras.map((c) => c.id), [...this.model.cameras.keys()]);
    same('profiles', profiles.map((p) => p.id), [...this.model.profiles.keys()]);
    same('policies', policies.map((p) => p.id), [...this.model.policies.keys()]);
    for (const c of cameras) if (this.model.cameras.get(c.id) && this.model.cameras.get(c.id)!.name !== c.name) this.violation(`camera ${c.id} name ${c.name} ≠ ${this.model.cameras.get(c.id)!.name}`);
    for (const p of profiles) if (this.model.profiles.get(p.id) && this.model.profiles.get(p.id)!.fps !== p.fps) this.violation(`profile ${p.id} fps ${p.fps} ≠ ${this.model.profiles.get(p.id)!.fps}`);
    for (const p of policies) {
      const want = this.model.policies.get(p.id);
      if (want && want.windows !== p.windows.length) this.violation(`policy ${p.id} has ${p.windows.length} windows, the last accepted request set ${want.windows}`);
      if (want && [...p.cameraIds].sort().join() !== [...want.cameraIds].sort().join()) this.violation(`policy ${p.id} cameras [${p.cameraIds}] ≠ [${want.cameraIds}]`);
    }
  }

  async finish(): Promise<void> {
    await this.quietCheck();
    this.sampleMemory(false);
    await this.checkRows();
    // The enforcer dies hard, leaving its runners; `bisk stop-runners` must still stop every one.
    await this.killEnforcer();
    await bisk(['stop-runners'], this.env).catch((error: Error) => this.violation(`stop-runners failed: ${error.message}`));
    const left = [...this.liveRunners().values()].flat();
    if (left.length > 0) {
      this.violation(`${left.length} runner process(es) left after stop-runners: ${left.join(', ')}`);
      for (const pid of left) process.kill(pid, 'SIGKILL');
    }
    this.app?.kill('SIGTERM');
    await new Promise((r) => (this.app?.exitCode !== null ? r(null) : this.app.once('exit', r)));
    // Memory: the longest-lived enforcer and the app, end vs after warm-up.
    const longest = [...this.enforcerRss].filter((e) => !Number.isNaN(e.warm)).sort((a, b) => a.startedAt - b.startedAt)[0];
    if (longest && longest.last > longest.warm * 1.5 + 20) this.violation(`enforcer RSS grew from ${longest.warm.toFixed(1)} to ${longest.last.toFixed(1)} MB`);
    if (this.appRss.last > this.appRss.warm * 1.5 + 40) this.violation(`app RSS grew from ${this.appRss.warm.toFixed(1)} to ${this.appRss.last.toFixed(1)} MB`);
  }

  async run(minutes: number): Promise<void> {
    await this.start();
    for (let i = 0; i < 3; i++) await this.createProfile();
    for (let i = 0; i < 12; i++) await this.createCamera();
    for (let i = 0; i < 4; i++) await this.createPolicy();
    const end = Date.now() + minutes * 60_000;
    const warmAt = Date.now() + Math.min(20_000, (minutes * 60_000) / 4);
    let nextQuiet = Date.now() + Math.min(45_000, (minutes * 60_000) / 2);
    let nextEnforcerKill = Date.now() + 10_000 + random() * 20_000;
    const sampler = setInterval(() => {
      this.checkNoDuplicates();
      this.sampleMemory(Date.now() >= warmAt && Date.now() - (this.enforcerRss.at(-1)?.startedAt ?? 0) > 10_000);
    }, 200);
    try {
      while (Date.now() < end) {
        const roll = random();
        if (roll < 0.45) await this.changeSomething();
        else if (roll < 0.8) await (random() < 0.3 ? this.hostile() : this.fuzz());
        else if (roll < 0.95) this.killRunner();
        if (Date.now() >= nextEnforcerKill) {
          await this.killEnforcer();
          await sleep(random() * 2000);
          this.startEnforcer();
          nextEnforcerKill = Date.now() + 20_000 + random() * 40_000;
        }
        if (Date.now() >= nextQuiet) {
          await this.quietCheck();
          nextQuiet = Date.now() + 45_000;
        }
        await sleep(50 + random() * 250);
      }
      await this.finish();
    } finally {
      clearInterval(sampler);
      this.enforcer?.kill('SIGKILL');
      this.app?.kill('SIGKILL');
    }
  }

  report(): string {
    const e = [...this.enforcerRss].filter((x) => !Number.isNaN(x.warm)).map((x) => `${x.warm.toFixed(0)}→${x.last.toFixed(0)}`);
    return `${this.engine}: ${this.counts.requests} requests (${this.counts.accepted} accepted, ${this.counts.rejected} rejected, ${this.counts.fuzzed} fuzzed, ${this.counts.hostile} hostile), ${this.counts.runnerKills} runner kills, ${this.counts.enforcerKills} enforcer kills, ${this.counts.quietChecks} quiet checks, ${this.counts.samples} duplicate scans; enforcer RSS MB per life ${e.join(', ')}; app RSS ${this.appRss.warm.toFixed(0)}→${this.appRss.last.toFixed(0)} MB; ${this.violations.length} violation(s)`;
  }
}

async function soak(engine: 'sqlite' | 'postgres'): Promise<Soak> {
  const dir = mkdtempSync(join(tmpdir(), 'bisk-soak-'));
  let databaseUrl = join(dir, 'bisk.sqlite');
  let dropDatabase = async () => {};
  if (engine === 'postgres') {
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ connectionString: process.env.BISK_TEST_POSTGRES_URL });
    await admin.connect();
    const name = `bisk_soak_${process.pid}_${Date.now()}`;
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(process.env.BISK_TEST_POSTGRES_URL!);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    };
  }
  const env = {
    ...process.env, DATABASE_URL: databaseUrl, TZ, BISK_API_TOKEN: TOKEN, BISK_DATA_DIR: dir, ENFORCER_LOCK_FILE: join(dir, 'enforcer.lock'),
    ENFORCER_INTERVAL_SECONDS: '2', RUNNER_COMMAND: RUNNER, RUNNER_LOG_DIR: join(dir, 'logs'), RUNNER_STOP_TIMEOUT_SECONDS: '2',
    RUNNER_BACKOFF_MAX_SECONDS: '2', NODE_NAME: `soak-${SEED}`, LOG_LEVEL: 'error', REDIS_URL: '',
  };
  const s = new Soak(engine, env);
  try {
    await s.run(MINUTES);
  } finally {
    await dropDatabase();
    rmSync(dir, { recursive: true, force: true });
  }
  return s;
}

const engines: ('sqlite' | 'postgres')[] = values.engine ? [values.engine as 'sqlite' | 'postgres'] : ['sqlite', ...(process.env.BISK_TEST_POSTGRES_URL ? ['postgres' as const] : [])];
console.log(`Soak — ${machine()}; ${MINUTES} min per engine, seed ${SEED} (rerun with --seed ${SEED})`);
let failed = false;
for (const engine of engines) {
  const s = await soak(engine);
  console.log(s.report());
  for (const v of s.violations) console.log(`  ✗ ${v}`);
  failed ||= s.violations.length > 0;
}
process.exit(failed ? 1 : 0);
