import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Logger } from '@nestjs/common';
import { DateTime } from 'luxon';
import { type AppConfig, loadConfig } from '../config/app-config.js';
import { createHttpApp } from '../http-app.js';
import { FFMPEG_MISSING, findTool } from '../runner/ffmpeg.js';

/**
 * `bisk demo`: the product end to end on this machine. Makes a local test clip with ffmpeg,
 * creates (idempotently, by name) a camera fed by it, two profiles, an always-on policy and a
 * policy whose window opens at the start of the next minute, then serves the HTTP app with the
 * enforcer embedded. Within seconds a real ffmpeg runner is heartbeating.
 */

export const DEMO = {
  camera: 'Demo camera',
  profile: 'demo-5fps',
  windowProfile: 'demo-window-2fps',
  alwaysPolicy: 'Demo: always on',
  windowPolicy: 'Demo: window opening next minute',
} as const;

export function demoClipPath(config: AppConfig): string {
  return join(config.dataDir, 'demo', 'demo-clip.mp4');
}

/** A 10 s 640x360 test pattern with a running timestamp, made once. */
export function ensureDemoClip(path: string, ffmpegPath: string | undefined): void {
  if (existsSync(path)) return;
  const ffmpeg = findTool('ffmpeg', ffmpegPath);
  if (!ffmpeg) throw new Error(`${FFMPEG_MISSING} (the demo needs it to make its test video)`);
  mkdirSync(dirname(path), { recursive: true });
  execFileSync(ffmpeg, [
    '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-t', '10',
    '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'veryfast', '-y', path,
  ]);
}

type Inject = (method: string, url: string, body?: unknown) => Promise<{ status: number; body: any }>;

async function findOrCreate(inject: Inject, collection: string, name: string, body: Record<string, unknown>): Promise<any> {
  const list = await inject('GET', `/api/${collection}?limit=500`);
  const found = list.body.items.find((item: { name: string }) => item.name === name);
  if (found) return found;
  const created = await inject('POST', `/api/${collection}`, { name, ...body });
  if (created.status !== 201) throw new Error(`cannot create demo ${collection} "${name}": ${JSON.stringify(created.body)}`);
  return created.body;
}

/** The wall-clock minute after `now` in the zone, and the day it falls on (0 = Monday). */
export function nextMinuteWindow(now: Date, zone: string, minutes = 10) {
  const start = DateTime.fromJSDate(now, { zone }).startOf('minute').plus({ minutes: 1 });
  const end = start.plus({ minutes });
  return { dayOfWeek: start.weekday - 1, startTime: start.toFormat('HH:mm:ss'), endTime: end.toFormat('HH:mm:ss') };
}

export async function seedDemo(inject: Inject, clip: string, config: AppConfig, now = new Date()) {
  const camera = await findOrCreate(inject, 'cameras', DEMO.camera, { rtspUrl: clip, location: 'generated test video' });
  const profile = await findOrCreate(inject, 'profiles', DEMO.profile, { fps: 5, hbInterval: 5, snapshotEvery: 2 });
  const windowProfile = await findOrCreate(inject, 'profiles', DEMO.windowProfile, { fps: 2, hbInterval: 5, snapshotEvery: 2 });
  const always = await findOrCreate(inject, 'policies', DEMO.alwaysPolicy, {
    cameraIds: [camera.id],
    windows: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ dayOfWeek: day, startTime: '00:00', endTime: '00:00', profileId: profile.id })),
  });
  const window = nextMinuteWindow(now, config.timeZone);
  const windowPolicy = await findOrCreate(inject, 'policies', DEMO.windowPolicy, { cameraIds: [camera.id] });
  // The window is moved to the coming minute on every start, so the demo always shows one opening.
  const updated = await inject('PATCH', `/api/policies/${windowPolicy.id}`, { windows: [{ ...window, profileId: windowProfile.id }] });
  if (updated.status !== 200) throw new Error(`cannot set the demo window: ${JSON.stringify(updated.body)}`);
  return { camera, profile, windowProfile, always, windowPolicy, window };
}

/** Runs the demo until SIGTERM/SIGINT. */
export async function runDemo(base: AppConfig): Promise<void> {
  const logger = new Logger('Demo');
  const clip = demoClipPath(base);
  ensureDemoClip(clip, base.tools.ffmpegPath);
  const config = loadConfig({ ...process.env, ENFORCER_EMBEDDED: 'true' });
  const app = await createHttpApp(config);
  await app.init();
  const auth: Record<string, string> = config.http.apiToken ? { authorization: `Bearer ${config.http.apiToken}` } : {};
  const inject: Inject = async (method, url, body) => {
    const response = await app.inject({ method: method as 'GET', url, payload: body === undefined ? undefined : JSON.stringify(body), headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...auth } });
    return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined };
  };
  const seeded = await seedDemo(inject, clip, config);
  await app.listen({ host: config.http.host, port: config.http.port });
  await inject('POST', '/api/enforcer/enforce');
  const base_ = `http://${config.http.host}:${config.http.port}`;
  logger.log(`Demo running: camera ${seeded.camera.id} "${DEMO.camera}" on ${clip}`);
  logger.log(`"${DEMO.windowPolicy}" opens at ${seeded.window.startTime} (${config.timeZone}) and runs a second runner for 10 minutes`);
  logger.log(`Open the console: ${base_}/dash/cameras/${seeded.camera.id}   (its week, the next 7 days, its runners; every page is linked from there)`);
  logger.log(`System: ${base_}/dash/system/   Runners (JSON): ${base_}/api/runners   API docs: ${base_}/docs`);
  logger.log(`Snapshots: ${config.runners.snapshotDir}   Runner logs: ${config.runners.logDir}   Ctrl+C stops everything`);
  const signal = await new Promise<NodeJS.Signals>((done) => {
    process.once('SIGTERM', () => done('SIGTERM'));
    process.once('SIGINT', () => done('SIGINT'));
  });
  logger.log(`${signal} received; stopping runners and the server`);
  await app.close();
}
