import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { clampDetSet, effectiveSpec, mergeResources, type SpecCamera, type SpecProfile, type SpecResources, specHash } from './spec.js';

const camera = (over: Partial<SpecCamera> = {}): SpecCamera => ({
  id: 10, rtspUrl: 'rtsp://u:p@h/s', rtspTransport: 'tcp', hbInterval: 20, snapshotEvery: 7,
  preferCameraOverProfile: false, targetFpsReq: 12, detSetReq: '1600', ...over,
});
const profile = (over: Partial<SpecProfile> = {}): SpecProfile => ({
  id: 1, fps: 6, detectionSet: '800', rtspTransport: 'udp', hbInterval: 10, snapshotEvery: 3, extraArgs: { '--x': 1 }, ...over,
});
const none = { device: null, hwaccel: null, gpuIndex: null, cpuNice: null, cpuAffinity: null, maxFps: null, detSetMax: null };
const res = (over: Partial<SpecResources> = {}): SpecResources => ({ ...none, isActive: true, ...over });

describe('effective spec: profile first unless the camera asks', () => {
  it.each([
    ['profile knobs by default', camera(), profile(), { fps: 6, detSet: '800', rtspTransport: 'udp', hbInterval: 10, snapshotEvery: 3 }],
    ['camera knobs when preferred', camera({ preferCameraOverProfile: true }), profile(), { fps: 12, detSet: '1600', rtspTransport: 'tcp', hbInterval: 20, snapshotEvery: 7 }],
    ['preferred camera without requests falls back to the profile', camera({ preferCameraOverProfile: true, targetFpsReq: null, detSetReq: null }), profile(), { fps: 6, detSet: '800' }],
    ['an inheriting profile transport takes the camera’s', camera(), profile({ rtspTransport: '' }), { rtspTransport: 'tcp' }],
  ])('%s', (_label, c, p, expected) => {
    expect(effectiveSpec(c, p, none)).toMatchObject(expected);
  });
});

describe('resource caps', () => {
  it.each([
    ['fps capped', { maxFps: 4 }, { fps: 4, capMaxFps: 4 }],
    ['fps under the cap unchanged', { maxFps: 25 }, { fps: 6 }],
    ['detector clamped', { detSetMax: '640' as const }, { detSet: '640' }],
    ['detector under the cap unchanged', { detSetMax: '1024' as const }, { detSet: '800' }],
    ['placement defaults to cpu/none', {}, { device: 'cpu', hwaccel: 'none', gpuIndex: null }],
    ['placement passed through', { device: 'cuda' as const, hwaccel: 'nvdec' as const, gpuIndex: 1, cpuNice: 5, cpuAffinity: '0-3' }, { device: 'cuda', hwaccel: 'nvdec', gpuIndex: 1, cpuNice: 5, cpuAffinity: '0-3' }],
  ])('%s', (_label, r, expected) => {
    expect(effectiveSpec(camera(), profile(), { ...none, ...r })).toMatchObject(expected);
  });

  it.each([
    ['auto', '1024', '1024'], ['auto', null, 'auto'], ['auto', 'auto', 'auto'], ['2048', '1600', '1600'],
    ['640', '2048', '640'], ['1600', 'auto', '1600'],
  ] as const)('clampDetSet(%s, %s) = %s', (requested, cap, expected) => {
    expect(clampDetSet(requested, cap)).toBe(expected);
  });

  it.each([
    ['override wins field by field', res({ device: 'cuda', maxFps: 10 }), res({ maxFps: 5, gpuIndex: 2 }), { device: 'cuda', maxFps: 5, gpuIndex: 2 }],
    ['null override fields inherit', res({ cpuNice: 3 }), res({ cpuNice: null }), { cpuNice: 3 }],
    ['an inactive override is ignored', res({ maxFps: 10 }), res({ maxFps: 5, isActive: false }), { maxFps: 10 }],
    ['an inactive global row is ignored', res({ maxFps: 10, isActive: false }), null, { maxFps: null }],
  ])('%s', (_label, global, override, expected) => {
    expect(mergeResources(global, override)).toMatchObject(expected);
  });
});

describe('spec hash', () => {
  const base = effectiveSpec(camera(), profile(), none);
  it('is the SHA-256 of the sorted-key JSON (hashes stored on runner rows stay valid across versions)', () => {
    const spec = { ...base, extraArgs: { '-vf': 'scale=640:-1', '-an': true, '-z': null, '-b': 3 } };
    const sorted = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v;
    expect(specHash(spec)).toBe(createHash('sha256').update(JSON.stringify(sorted(spec))).digest('hex'));
  });
  it('is stable whatever the key order', () => {
    const reordered = Object.fromEntries(Object.entries(base).reverse()) as typeof base;
    expect(specHash(reordered)).toBe(specHash(base));
    expect(specHash(base)).toMatch(/^[0-9a-f]{64}$/);
  });
  it.each([
    ['fps', { fps: 7 }], ['url', { rtspUrl: 'rtsp://u:p@h/other' }], ['extra args', { extraArgs: { '--x': 2 } }],
    ['gpu', { gpuIndex: 0 }], ['affinity', { cpuAffinity: '1' }],
  ])('changes with %s (drift)', (_label, change) => {
    expect(specHash({ ...base, ...change })).not.toBe(specHash(base));
  });
});
