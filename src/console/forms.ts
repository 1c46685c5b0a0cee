import { HttpException } from '@nestjs/common';
import { createValidationPipe, type FieldError } from '../common/validation.js';

/**
 * The console's forms post their fields as JSON strings (htmx's json-enc: every value a string,
 * repeated names as arrays). A form schema says what each field is in the API's body, so the
 * page submits exactly what an API client would and the API's own validation speaks.
 *
 * - `text`: trimmed string, `''` kept (the API says when it must not be empty)
 * - `optionalText`: `''` → left out
 * - `nullableText`: `''` → null
 * - `int` / `number`: decimal text → number, `''` → left out; anything else is passed on as sent
 *   so the API's type message names the field
 * - `nullableInt` / `nullableNumber`: as above, `''` → null
 * - `bool`: a checkbox: checked (`on`/`true`) → true, absent → false
 * - `ints`: a multi-select → array of numbers (none selected → [])
 * - `rows`: repeated groups named `name[i].field` → array of objects, in index order
 */
export type FieldKind = 'text' | 'optionalText' | 'nullableText' | 'int' | 'number' | 'nullableInt' | 'nullableNumber' | 'bool' | 'ints';
export interface FormSchema {
  [field: string]: FieldKind | { rows: FormSchema };
}

type Raw = Record<string, unknown>;

const DECIMAL = /^-?\d+(\.\d+)?$/;
const INTEGER = /^-?\d+$/;

const single = (value: unknown): unknown => (Array.isArray(value) ? value[value.length - 1] : value);
const list = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function convert(kind: FieldKind, value: unknown): unknown {
  if (kind === 'bool') return list(value).some((v) => v === 'on' || v === 'true' || v === true);
  if (kind === 'ints') return list(value).filter((v) => v !== '').map((v) => (typeof v === 'string' && INTEGER.test(v) ? Number(v) : v));
  const v = single(value);
  if (typeof v !== 'string') return v;
  const text = v.trim();
  switch (kind) {
    case 'text':
      return text;
    case 'optionalText':
      return text === '' ? undefined : text;
    case 'nullableText':
      return text === '' ? null : text;
    case 'int':
    case 'nullableInt':
      if (text === '') return kind === 'int' ? undefined : null;
      return INTEGER.test(text) ? Number(text) : text;
    case 'number':
    case 'nullableNumber':
      if (text === '') return kind === 'number' ? undefined : null;
      return DECIMAL.test(text) ? Number(text) : text;
  }
}

/** The API body a form stands for. Fields the schema does not name are dropped (buttons, helpers). */
export function formBody(raw: Raw, schema: FormSchema): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [field, kind] of Object.entries(schema)) {
    if (typeof kind === 'object') {
      const rows = new Map<number, Raw>();
      const pattern = new RegExp(`^${field}\\[(\\d{1,4})\\]\\.(\\w+)$`);
      for (const [key, value] of Object.entries(raw)) {
        const match = pattern.exec(key);
        if (!match) continue;
        const index = Number(match[1]);
        if (!rows.has(index)) rows.set(index, {});
        rows.get(index)![match[2]] = value;
      }
      body[field] = [...rows.entries()].sort(([a], [b]) => a - b).map(([, row]) => formBody(row, kind.rows));
      continue;
    }
    const value = convert(kind, raw[field]);
    if (value !== undefined || kind === 'bool') body[field] = value;
  }
  return body;
}

/** Errors a page shows: per field (next to it) and for the whole form (at its top). */
export interface FormErrors {
  fields: Record<string, string[]>;
  form: string[];
}
export const noErrors = (): FormErrors => ({ fields: {}, form: [] });

/** An error the API would have answered, as the form shows it; anything else is rethrown. */
export function formErrors(error: unknown): FormErrors {
  if (!(error instanceof HttpException) || error.getStatus() >= 500) throw error;
  const response = error.getResponse() as { message?: string | string[]; errors?: FieldError[] } | string;
  const out = noErrors();
  if (typeof response === 'object' && Array.isArray(response.errors) && response.errors.length) {
    for (const e of response.errors) (out.fields[e.field] ??= []).push(...e.messages);
  } else {
    const message = typeof response === 'string' ? response : Array.isArray(response.message) ? response.message.join('; ') : (response.message ?? error.message);
    out.form.push(message);
  }
  return out;
}

const pipe = createValidationPipe();

/** The body checked by the API's own validation of `dto` (same messages); throws as the API would. */
export async function validated<T>(dto: new () => T, body: Record<string, unknown>): Promise<T> {
  return (await pipe.transform(body, { type: 'body', metatype: dto })) as T;
}

/**
 * Extra runner arguments as an operator writes them, one per line: `--min_face_px 40`,
 * `--tracker bytetrack`, `--debug` (a flag alone is `true`). Numbers stay numbers. A line is
 * split at its first space; the API's own rules then judge names and values.
 */
export function parseExtraArgs(text: string): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    const space = trimmed.search(/\s/);
    const key = space === -1 ? trimmed : trimmed.slice(0, space);
    const value = space === -1 ? '' : trimmed.slice(space + 1).trim();
    out[key] = value === '' ? true : DECIMAL.test(value) ? Number(value) : value;
  }
  return out;
}

/** The inverse of parseExtraArgs, for the form. */
export const formatExtraArgs = (args: Record<string, unknown> | null | undefined) =>
  Object.entries(args ?? {}).map(([key, value]) => (value === true ? key : value === null ? `${key} null` : `${key} ${value}`)).join('\n');
