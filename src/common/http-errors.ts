import { HttpException, HttpStatus } from '@nestjs/common';
import { classifyDbError } from '../database/db-errors.js';
import { maskCredentials } from './mask.js';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  errors?: unknown;
}

const FASTIFY_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON: 'Body is not valid JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Body is empty but Content-Type is application/json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'Body is too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported Content-Type; send application/json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length does not match the body',
};

/**
 * One error shape for every failure, whichever layer raised it (Nest, class-validator,
 * Fastify's body parser, the database). Client mistakes become 4xx with a message that
 * says what is wrong; anything else is a 500 whose details go to the log, not the client.
 */
export function toErrorBody(exception: unknown): { body: ErrorBody; internal: boolean } {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const body: ErrorBody =
      typeof response === 'string'
        ? { statusCode: status, error: statusText(status), message: response }
        : {
            statusCode: status,
            error: String((response as Record<string, unknown>).error ?? statusText(status)),
            message: flattenMessage((response as Record<string, unknown>).message ?? exception.message),
            ...((response as Record<string, unknown>).errors ? { errors: (response as Record<string, unknown>).errors } : {}),
          };
    return { body, internal: status >= 500 };
  }
  const fastify = exception as { statusCode?: number; code?: string; message?: string };
  if (typeof fastify?.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    const base = FASTIFY_MESSAGES[fastify.code ?? ''];
    const detail = fastify.message ?? '';
    const message = base && fastify.code === 'FST_ERR_CTP_INVALID_JSON' ? `${base}: ${detail}` : (base ?? detail);
    return {
      body: { statusCode: fastify.statusCode, error: statusText(fastify.statusCode), message: maskCredentials(message) },
      internal: false,
    };
  }
  const kind = classifyDbError(exception);
  if (kind === 'unique') {
    return { body: { statusCode: 409, error: 'Conflict', message: 'A record with the same unique value already exists' }, internal: false };
  }
  if (kind === 'foreign-key') {
    return { body: { statusCode: 409, error: 'Conflict', message: 'The record is referenced by, or refers to, a missing record' }, internal: false };
  }
  if (kind === 'unavailable') {
    return { body: { statusCode: 503, error: 'Service Unavailable', message: 'The database is unavailable; try again shortly' }, internal: true };
  }
  return { body: { statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' }, internal: true };
}

function flattenMessage(message: unknown): string {
  return Array.isArray(message) ? message.join('; ') : String(message);
}

function statusText(status: number): string {
  const name = HttpStatus[status];
  return name
    ? name
        .toLowerCase()
        .split('_')
        .map((w) => w[0].toUpperCase() + w.slice(1))
        .join(' ')
    : 'Error';
}
