import { BadRequestException, type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isWellFormed = (text: string) => !LONE_SURROGATE.test(text);
/** The text with each lone surrogate shown as U+FFFD, safe to echo in a message. */
export const wellFormed = (text: string) => text.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD');

/**
 * The first string (value or key) in `value` that is not well-formed UTF-16 — a lone surrogate
 * such as the JSON escape "\ud800" — or undefined. Such text cannot be stored as UTF-8 (SQLite
 * would keep invalid bytes, PostgreSQL refuses it), so a body carrying one is refused whole.
 * Iterative, like the depth check: no recursion to overflow.
 */
export function findIllFormedString(value: unknown): string | undefined {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (typeof current === 'string') {
      if (!isWellFormed(current)) return current;
    } else if (current !== null && typeof current === 'object') {
      for (const [key, child] of Object.entries(current)) {
        if (!isWellFormed(key)) return key;
        stack.push(child);
      }
    }
  }
  return undefined;
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
