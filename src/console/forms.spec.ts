import {
  BadRequestException, ConflictException, HttpException, InternalServerErrorException, NotFoundException, ServiceUnavailableException,
} from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { validationFailed } from '../common/validation.js';
import { CreatePolicyDto } from '../schedules/policy.dto.js';
import { type FormSchema, formatExtraArgs, formBody, formErrors, parseExtraArgs, validated } from './forms.js';

describe('formBody: json-enc strings become the API body the schema names', () => {
  it.each<[string, FormSchema, Record<string, unknown>, Record<string, unknown>]>([
    ['text is trimmed', { name: 'text' }, { name: '  Front door ' }, { name: 'Front door' }],
    ['text keeps empty (the API says it must not be)', { name: 'text' }, { name: '' }, { name: '' }],
    ['text absent is left out', { name: 'text' }, {}, {}],
    ['a repeated single field takes the last value', { name: 'text' }, { name: ['a', 'b'] }, { name: 'b' }],
    ['optionalText empty is left out', { notes: 'optionalText' }, { notes: '  ' }, {}],
    ['optionalText kept trimmed', { notes: 'optionalText' }, { notes: ' x ' }, { notes: 'x' }],
    ['nullableText empty is null', { until: 'nullableText' }, { until: '' }, { until: null }],
    ['nullableText kept', { until: 'nullableText' }, { until: '10:00' }, { until: '10:00' }],
    ['int decimal', { port: 'int' }, { port: '554' }, { port: 554 }],
    ['int negative', { port: 'int' }, { port: '-3' }, { port: -3 }],
    ['int with spaces', { port: 'int' }, { port: ' 7 ' }, { port: 7 }],
    ['int empty is left out', { port: 'int' }, { port: '' }, {}],
    ['int with a fraction passes through', { port: 'int' }, { port: '4.5' }, { port: '4.5' }],
    ['int hex passes through', { port: 'int' }, { port: '0x1f' }, { port: '0x1f' }],
    ['int exponent passes through', { port: 'int' }, { port: '1e3' }, { port: '1e3' }],
    ['int text passes through', { port: 'int' }, { port: 'abc' }, { port: 'abc' }],
    ['int already a number stays', { port: 'int' }, { port: 5 }, { port: 5 }],
    ['number decimal', { cpu: 'number' }, { cpu: '2.5' }, { cpu: 2.5 }],
    ['number integer', { cpu: 'number' }, { cpu: '2' }, { cpu: 2 }],
    ['number empty is left out', { cpu: 'number' }, { cpu: '' }, {}],
    ['number exponent passes through', { cpu: 'number' }, { cpu: '1e3' }, { cpu: '1e3' }],
    ['number without leading digit passes through', { cpu: 'number' }, { cpu: '.5' }, { cpu: '.5' }],
    ['number Infinity passes through', { cpu: 'number' }, { cpu: 'Infinity' }, { cpu: 'Infinity' }],
    ['nullableInt empty is null', { profileId: 'nullableInt' }, { profileId: '' }, { profileId: null }],
    ['nullableInt decimal', { profileId: 'nullableInt' }, { profileId: '5' }, { profileId: 5 }],
    ['nullableInt text passes through', { profileId: 'nullableInt' }, { profileId: 'x' }, { profileId: 'x' }],
    ['nullableNumber empty is null', { memory: 'nullableNumber' }, { memory: '' }, { memory: null }],
    ['nullableNumber decimal', { memory: 'nullableNumber' }, { memory: '0.25' }, { memory: 0.25 }],
    ['nullableNumber text passes through', { memory: 'nullableNumber' }, { memory: '1,5' }, { memory: '1,5' }],
    ['bool checked', { isEnabled: 'bool' }, { isEnabled: 'on' }, { isEnabled: true }],
    ['bool true', { isEnabled: 'bool' }, { isEnabled: 'true' }, { isEnabled: true }],
    ['bool absent is false', { isEnabled: 'bool' }, {}, { isEnabled: false }],
    ['bool with a hidden companion', { isEnabled: 'bool' }, { isEnabled: ['', 'on'] }, { isEnabled: true }],
    ['bool other text is false', { isEnabled: 'bool' }, { isEnabled: 'off' }, { isEnabled: false }],
    ['ints several', { cameraIds: 'ints' }, { cameraIds: ['3', '1'] }, { cameraIds: [3, 1] }],
    ['ints one (not an array)', { cameraIds: 'ints' }, { cameraIds: '4' }, { cameraIds: [4] }],
    ['ints none selected', { cameraIds: 'ints' }, {}, { cameraIds: [] }],
    ['ints empty options dropped', { cameraIds: 'ints' }, { cameraIds: ['', '2'] }, { cameraIds: [2] }],
    ['ints non-decimal passes through', { cameraIds: 'ints' }, { cameraIds: ['1', '1.5', 'x'] }, { cameraIds: [1, '1.5', 'x'] }],
    ['fields the schema does not name are dropped', { name: 'text' }, { name: 'a', submit: 'Save', extra: '1' }, { name: 'a' }],
  ])('%s', (_name, schema, raw, body) => {
    expect(formBody(raw, schema)).toStrictEqual(body);
  });

  const windows: FormSchema = { windows: { rows: { dayOfWeek: 'int', startTime: 'text', endTime: 'text', profileId: 'int' } } };
  it.each<[string, Record<string, unknown>, unknown[]]>([
    ['no rows', { name: 'x' }, []],
    [
      'rows in index order, converted by the row schema',
      { 'windows[1].dayOfWeek': '2', 'windows[1].startTime': '22:00', 'windows[1].endTime': '06:00', 'windows[1].profileId': '7',
        'windows[0].dayOfWeek': '0', 'windows[0].startTime': ' 08:00', 'windows[0].endTime': '12:00', 'windows[0].profileId': '3' },
      [{ dayOfWeek: 0, startTime: '08:00', endTime: '12:00', profileId: 3 }, { dayOfWeek: 2, startTime: '22:00', endTime: '06:00', profileId: 7 }],
    ],
    ['indices sorted as numbers, gaps closed', { 'windows[10].startTime': 'b', 'windows[2].startTime': 'a' }, [{ startTime: 'a' }, { startTime: 'b' }]],
    ['row fields the schema does not name are dropped', { 'windows[0].startTime': 'a', 'windows[0].remove': 'on' }, [{ startTime: 'a' }]],
    ['keys of other shapes are not rows', { 'windows[0]': 'a', 'windowsX[0].startTime': 'b', 'windows[0].a.b': 'c', 'windows[x].startTime': 'd', 'xwindows[0].startTime': 'e' }, []],
    ['a row value left non-decimal passes through', { 'windows[0].dayOfWeek': 'Mon' }, [{ dayOfWeek: 'Mon' }]],
  ])('rows: %s', (_name, raw, rows) => {
    expect(formBody(raw, windows)).toStrictEqual({ windows: rows });
  });
});

describe('formErrors: what the API would have answered, as the form shows it', () => {
  it.each<[string, HttpException, { fields: Record<string, string[]>; form: string[] }]>([
    [
      'field list → next to each field, repeated fields merged',
      validationFailed([
        { field: 'name', messages: ['name must not be empty'] },
        { field: 'windows[0].startTime', messages: ['a'] },
        { field: 'windows[0].startTime', messages: ['b'] },
      ]),
      { fields: { name: ['name must not be empty'], 'windows[0].startTime': ['a', 'b'] }, form: [] },
    ],
    ['message only → the form', new ConflictException('Overlapping windows on Tue: 08:00–12:00 conflicts with 10:00–14:00'), { fields: {}, form: ['Overlapping windows on Tue: 08:00–12:00 conflicts with 10:00–14:00'] }],
    ['an empty field list → the message', new BadRequestException({ message: 'camera is busy', errors: [] }), { fields: {}, form: ['camera is busy'] }],
    ['a list of messages → one line', new BadRequestException({ message: ['a', 'b'] }), { fields: {}, form: ['a; b'] }],
    ['a plain string response', new HttpException('Gone for good', 410), { fields: {}, form: ['Gone for good'] }],
    ['no message of its own', new NotFoundException(), { fields: {}, form: ['Not Found'] }],
  ])('%s', (_name, error, shown) => {
    expect(formErrors(error)).toStrictEqual(shown);
  });

  it.each<[string, unknown]>([
    ['500', new InternalServerErrorException('db down')],
    ['503', new ServiceUnavailableException()],
    ['a plain Error', new Error('bug')],
    ['a non-error value', 'oops'],
  ])('%s is rethrown as is', (_name, error) => {
    expect(() => formErrors(error)).toThrow();
    try {
      formErrors(error);
    } catch (thrown) {
      expect(thrown).toBe(error);
    }
  });
});

describe('validated: the API’s own validation of a form’s body', () => {
  const POLICY: FormSchema = {
    name: 'text', isEnabled: 'bool', notes: 'text', cameraIds: 'ints',
    windows: { rows: { dayOfWeek: 'int', startTime: 'text', endTime: 'text', profileId: 'int' } },
  };

  it('a good form becomes the DTO', async () => {
    const body = formBody({ name: ' Weekdays ', isEnabled: 'on', notes: '', cameraIds: ['1', '2'], 'windows[0].dayOfWeek': '1', 'windows[0].startTime': '08:00', 'windows[0].endTime': '12:00', 'windows[0].profileId': '3' }, POLICY);
    const dto = await validated(CreatePolicyDto, body);
    expect(dto).toBeInstanceOf(CreatePolicyDto);
    expect({ ...dto, windows: dto.windows?.map((w) => ({ ...w })) }).toStrictEqual({
      name: 'Weekdays', isEnabled: true, notes: '', cameraIds: [1, 2], windows: [{ dayOfWeek: 1, startTime: '08:00', endTime: '12:00', profileId: 3 }],
    });
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['an empty name', { name: '' }, 'name', /name must not be empty/],
    ['a day that is not a number', { name: 'a', 'windows[0].dayOfWeek': 'Mon', 'windows[0].startTime': '08:00', 'windows[0].endTime': '09:00', 'windows[0].profileId': '1' }, 'windows[0].dayOfWeek', /^windows\[0\]\.dayOfWeek must be a whole number/],
    ['a fraction for a profile id', { name: 'a', 'windows[0].dayOfWeek': '1', 'windows[0].startTime': '08:00', 'windows[0].endTime': '09:00', 'windows[0].profileId': '1.5' }, 'windows[0].profileId', /profileId must be the id of a stream profile/],
    ['a bad time', { name: 'a', 'windows[1].dayOfWeek': '1', 'windows[1].startTime': '25:00', 'windows[1].endTime': '09:00', 'windows[1].profileId': '1' }, 'windows[0].startTime', /startTime must be a time of day/],
    ['a camera id that is not a number', { name: 'a', cameraIds: ['1', 'x'] }, 'cameraIds', /cameraIds must contain camera ids/],
  ])('%s → a message next to the field', async (_name, raw, field, message) => {
    const error = await validated(CreatePolicyDto, formBody(raw, POLICY)).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestException);
    const shown = formErrors(error);
    expect(Object.keys(shown.fields)).toStrictEqual([field]);
    expect(shown.fields[field].join(' ')).toMatch(message);
    expect(shown.form).toStrictEqual([]);
  });

  it('a field the DTO does not know is refused, not dropped', async () => {
    const error = await validated(CreatePolicyDto, { name: 'a', colour: 'red' }).then(() => null, (e: unknown) => e);
    expect(formErrors(error).fields).toHaveProperty('colour');
  });
});

describe('extra runner arguments, one per line', () => {
  it.each<[string, string, Record<string, string | number | boolean>]>([
    ['nothing', '', {}],
    ['blank lines and spaces', '\n  \n\t\n', {}],
    ['a number stays a number', '--min_face_px 40', { '--min_face_px': 40 }],
    ['a negative fraction', '--gain -0.5', { '--gain': -0.5 }],
    ['a word', '--tracker bytetrack', { '--tracker': 'bytetrack' }],
    ['a flag alone is true', '--debug', { '--debug': true }],
    ['a flag with trailing spaces is true', '  --debug   ', { '--debug': true }],
    ['split at the first space only', '--title Front  door ', { '--title': 'Front  door' }],
    ['split at a tab', '--fps\t5', { '--fps': 5 }],
    ['CRLF lines', '--a 1\r\n--b x\r\n', { '--a': 1, '--b': 'x' }],
    ['non-decimal numbers stay text', '--a 1e3\n--b 0x10\n--c .5', { '--a': '1e3', '--b': '0x10', '--c': '.5' }],
    ['the later of two equal names wins', '--a 1\n--a 2', { '--a': 2 }],
    ['several', '--min_face_px 40\n--tracker bytetrack\n--debug', { '--min_face_px': 40, '--tracker': 'bytetrack', '--debug': true }],
  ])('parse: %s', (_name, text, args) => {
    expect(parseExtraArgs(text)).toStrictEqual(args);
  });

  it.each<[string, Record<string, unknown> | null | undefined, string]>([
    ['none', null, ''],
    ['undefined', undefined, ''],
    ['empty', {}, ''],
    ['one per line, a true flag alone', { '--min_face_px': 40, '--tracker': 'bytetrack', '--debug': true }, '--min_face_px 40\n--tracker bytetrack\n--debug'],
    ['null and false written out', { '--a': null, '--b': false }, '--a null\n--b false'],
  ])('format: %s', (_name, args, text) => {
    expect(formatExtraArgs(args)).toBe(text);
  });

  it.each<[string, Record<string, string | number | boolean>]>([
    ['numbers, words and flags', { '--min_face_px': 40, '--gain': -0.25, '--tracker': 'bytetrack', '--debug': true }],
    ['text with inner spaces', { '--title': 'Front door cam' }],
    ['names without dashes', { fps: 5, mode: 'fast' }],
  ])('round trip: %s', (_name, args) => {
    expect(parseExtraArgs(formatExtraArgs(args))).toStrictEqual(args);
  });
});
