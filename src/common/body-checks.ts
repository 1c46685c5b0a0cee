import { BadRequestException, type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isWellFormed = (text: string) => !LONE_SURROGATE.test(text);
/** The text with each lone surrogate shown as U+FFFD, safe to echo in a message. */
export const wellFormed = (text: string) => text.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD');

/**
 * What is wrong with a parsed body before validation, in one walk over it (iterative: no
 * recursion to overflow), or null:
 * - objects or arrays nested more than `maxDepth` levels deep — validation's recursive walk would
 *   overflow the stack (a 500) on {"a":{"a":…}};
 * - a string (value or key) that is not well-formed UTF-16 — a lone surrogate such as the JSON
 *   escape "\ud800": such text cannot be stored as UTF-8 (SQLite would keep invalid bytes,
 *   PostgreSQL refuses it), so the body is refused whole.
 * Too deep wins over ill-formed, whichever comes first in the walk.
 */
export function bodyProblem(value: unknown, maxDepth: number): string | null {
  const stack: [unknown, number][] = [[value, 1]];
  let illFormed: string | undefined;
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current === 'string') {
      if (illFormed === undefined && !isWellFormed(current)) illFormed = current;
    } else if (current !== null && typeof current === 'object') {
      if (depth > maxDepth) return `Body is nested more than ${maxDepth} levels deep`;
      for (const [key, child] of Object.entries(current)) {
        if (illFormed === undefined && !isWellFormed(key)) illFormed = key;
        stack.push([child, depth + 1]);
      }
    }
  }
  return illFormed === undefined ? null : `Body contains invalid Unicode (a lone surrogate) in "${wellFormed(illFormed).slice(0, 40)}"`;
}

/** No body, or an empty JSON object: what a client sends to an endpoint that takes none. */
export const isEmptyBody = (body: unknown) =>
  body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0);

/**
 * Endpoints without a `@Body()` (delete, resume, enforce now) take no body: an empty JSON object
 * `{}` or nothing is accepted, anything else is a 400 naming the endpoint, so a client that
 * sends fields it believes matter learns they do not.
 */
@Injectable()
export class NoUnexpectedBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<{ method: string; url: string; body?: unknown }>();
    if (isEmptyBody(request.body)) return true;
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) ?? {}) as Record<string, unknown>;
    const takesBody = Object.keys(args).some((key) => Number(key.split(':', 1)[0]) === RouteParamtypes.BODY);
    if (takesBody) return true;
    throw new BadRequestException(`${request.method} ${request.url.split('?', 1)[0]} takes no body: send none or {}`);
  }
}
