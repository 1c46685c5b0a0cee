import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { CreateCameraDto, PauseCameraDto, UpdateCameraDto } from '../cameras/camera.dto.js';
import { CreatePolicyDto, ExceptionDto, WindowDto } from '../schedules/policy.dto.js';
import { CreateProfileDto } from '../schedules/profile.dto.js';
import { ResourceSettingsDto } from '../schedules/resource-settings.dto.js';
import { flattenValidationErrors } from './validation.js';

/** What the API's validation pipe would report for `body` against `dto`: field → messages. */
async function problems(dto: new () => object, body: object): Promise<Record<string, string>> {
  const instance = plainToInstance(dto, body);
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  return Object.fromEntries(flattenValidationErrors(errors).map((e) => [e.field, e.messages.join('; ')]));
}

const W = { dayOfWeek: 0, startTime: '08:00', endTime: '16:00', profileId: 1 };

describe('window validation', () => {
  it.each([
    [{}, {}],
    [{ startTime: '00:00', endTime: '00:00' }, {}],
    [{ startTime: '22:00', endTime: '06:00:30' }, {}],
    [{ startTime: '23:59:59' }, {}],
    [{ dayOfWeek: 6 }, {}],
    [{ dayOfWeek: 7 }, { dayOfWeek: 'dayOfWeek must be from 0 (Monday) to 6 (Sunday)' }],
    [{ dayOfWeek: -1 }, { dayOfWeek: 'dayOfWeek must be from 0 (Monday) to 6 (Sunday)' }],
    [{ dayOfWeek: 1.5 }, { dayOfWeek: 'dayOfWeek must be a whole number from 0 (Monday) to 6 (Sunday)' }],
    [{ dayOfWeek: '1' }, { dayOfWeek: 'dayOfWeek must be a whole number from 0 (Monday) to 6 (Sunday)' }],
    [{ startTime: '25:00' }, { startTime: expect.stringContaining('startTime must be a time of day') }],
    [{ endTime: '12:60' }, { endTime: expect.stringContaining('(got "12:60")') }],
    [{ endTime: '24:00' }, { endTime: expect.stringContaining('endTime must be a time of day') }],
    [{ endTime: '8:00' }, { endTime: expect.stringContaining('endTime must be a time of day') }],
    [{ endTime: '08:00:60' }, { endTime: expect.stringContaining('endTime must be a time of day') }],
    [{ profileId: undefined }, { profileId: 'profileId is required' }],
    [{ profileId: 'x' }, { profileId: 'profileId must be the id of a stream profile' }],
    [{ extra: 1 }, { extra: 'property extra should not exist' }],
  ])('%j → %j', async (over, expected) => {
    expect(await problems(WindowDto, { ...W, ...over })).toEqual(expected);
  });
});

describe('exception field validation', () => {
  it.each([
    [{ date: '2026-12-25', mode: 'off' }, {}],
    [{ date: '2028-02-29', mode: 'off' }, {}],
    [{ date: '2026-02-29', mode: 'off' }, { date: expect.stringContaining('date must be a calendar date') }],
    [{ date: '25/12/2026', mode: 'off' }, { date: expect.stringContaining('date must be a calendar date') }],
    [{ date: '2026-12-25', mode: 'sometimes' }, { mode: 'mode must be one of off, on, window' }],
    [{ date: '2026-12-25', mode: 'window', startTime: '9', endTime: '10:00', profileId: 1 }, { startTime: expect.stringContaining('startTime must be a time of day') }],
    [{ date: '2026-12-25', mode: 'on', profileId: null }, {}],
  ])('%j → %j', async (body, expected) => {
    expect(await problems(ExceptionDto, body)).toEqual(expected);
  });
});

describe('camera validation', () => {
  const C = { name: 'Gate', rtspUrl: 'rtsp://h/s' };
  it.each([
    [{}, {}],
    [{ name: '' }, { name: 'name must not be empty' }],
    [{ name: 'x'.repeat(101) }, { name: 'name must be shorter than or equal to 100 characters' }],
    [{ name: 42 }, { name: 'name must be a string' }],
    [{ rtspUrl: undefined }, { rtspUrl: 'rtspUrl is required' }],
    [{ rtspTransport: 'http' }, { rtspTransport: 'rtspTransport must be one of auto, tcp, udp' }],
    [{ hbInterval: 0 }, { hbInterval: 'hbInterval must not be less than 1' }],
    [{ targetFpsReq: null, detSetReq: null, node: null }, {}],
    [{ detSetReq: '720' }, { detSetReq: 'detSetReq must be one of auto, 640, 800, 1024, 1600, 2048' }],
    [{ node: 'gpu box' }, { node: expect.stringContaining('node must be a host name') }],
    [{ isActive: null }, { isActive: 'isActive must be a boolean value' }],
  ])('%j → %j', async (over, expected) => {
    expect(await problems(CreateCameraDto, { ...C, ...over })).toEqual(expected);
  });

  it.each([
    [{}, {}],
    [{ location: 'Hall' }, {}],
    [{ name: null }, { name: 'name must be a string' }],
    [{ targetFpsReq: null }, {}],
  ])('update %j → %j', async (body, expected) => {
    expect(await problems(UpdateCameraDto, body)).toEqual(expected);
  });

  it.each([
    [{ minutes: 30 }, {}],
    [{ until: '2026-12-01T08:00:00+03:00' }, {}],
    [{ minutes: 30.5 }, { minutes: 'minutes must be an integer number' }],
    [{ until: '2026-13-01' }, { until: expect.stringContaining('until must be an ISO-8601 date-time') }],
  ])('pause %j → %j', async (body, expected) => {
    expect(await problems(PauseCameraDto, body)).toEqual(expected);
  });
});

describe('profile, policy and resource validation', () => {
  it.each([
    [CreateProfileDto, { name: 'p', fps: 0 }, { fps: 'fps must not be less than 0.1' }],
    [CreateProfileDto, { name: 'p', fps: 'fast' }, { fps: expect.stringContaining('fps must be a number of frames per second from 0.1 to 120') }],
    [CreateProfileDto, { name: 'p', rtspTransport: '' }, {}],
    [CreateProfileDto, { name: 'p', extraArgs: { '--a': 1, b: 'x', c: true, d: null } }, {}],
    [CreateProfileDto, { name: 'p', extraArgs: ['--a'] }, { extraArgs: expect.stringContaining('extraArgs must be an object') }],
    [CreateProfileDto, { name: 'p', extraArgs: { a: { nested: 1 } } }, { extraArgs: expect.stringContaining('extraArgs must be an object') }],
    [CreateProfileDto, { name: 'p', extraArgs: { '--rtsp': 'rtsp://elsewhere/x' } }, { extraArgs: expect.stringContaining('extraArgs may not set "--rtsp": the enforcer passes --rtsp to every runner itself') }],
    [CreateProfileDto, { name: 'p', extraArgs: { ok: 1, 'hb-key': 'x' } }, { extraArgs: expect.stringContaining('may not set "hb-key": the enforcer passes --hb_key') }],
    [CreateProfileDto, { name: 'p', extraArgs: { snapshots: '/etc' } }, { extraArgs: expect.stringContaining('may not set "snapshots"') }],
    [CreateProfileDto, { name: 'p', extraArgs: { x: '--hb=http://elsewhere/steal' } }, { extraArgs: expect.stringContaining('extraArgs.x may not start with "-": a runner would read "--hb=http://elsewhere/steal" as an option of its own') }],
    [CreateProfileDto, { name: 'p', extraArgs: { x: '-v' } }, { extraArgs: expect.stringContaining('extraArgs.x may not start with "-"') }],
    [CreateProfileDto, { name: 'p', extraArgs: { offset: '-5', scale: -0.5, label: 'a-b' } }, {}],
    [CreatePolicyDto, { name: 'p', cameraIds: [1, 'x'] }, { cameraIds: 'cameraIds must contain camera ids (whole numbers)' }],
    [CreatePolicyDto, { name: 'p', windows: [{ ...W, dayOfWeek: 9 }] }, { 'windows[0].dayOfWeek': 'windows[0].dayOfWeek must be from 0 (Monday) to 6 (Sunday)' }],
    [CreatePolicyDto, { name: 'p', windows: 'all week' }, { windows: 'windows must be an array' }],
    [ResourceSettingsDto, { cpuAffinity: '0-3,6' }, {}],
    [ResourceSettingsDto, { cpuAffinity: '0-' }, { cpuAffinity: expect.stringContaining('cpuAffinity must be a CPU list') }],
    [ResourceSettingsDto, { cpuNice: 20 }, { cpuNice: 'cpuNice must not be greater than 19' }],
    [ResourceSettingsDto, { device: null, hwaccel: 'nvdec', gpuIndex: 0 }, {}],
  ])('%o %j → %j', async (dto, body, expected) => {
    expect(await problems(dto as new () => object, body)).toEqual(expected);
  });
});
