import { randomBytes } from 'node:crypto';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { toErrorBody } from './http-errors.js';

/** The console's layout data for an error page (set by the console module: the zone and the token mode). */
let consolePageBase: () => Record<string, unknown> = () => ({});
let consoleCsp: (nonce: string) => string = () => "default-src 'none'";
export const setConsolePageBase = (base: () => Record<string, unknown>, csp: (nonce: string) => string) => {
  consolePageBase = base;
  consoleCsp = csp;
};

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<{ method: string; url: string; headers: Record<string, string | string[] | undefined> }>();
    // Terminus' 503 carries the health report itself: pass it through unchanged.
    if (exception instanceof HttpException && typeof exception.getResponse() === 'object' && 'details' in (exception.getResponse() as object)) {
      void reply.status(exception.getStatus()).send(exception.getResponse());
      return;
    }
    const { body, internal } = toErrorBody(exception);
    if (internal && exception instanceof HttpException) {
      // A 5xx the code chose to answer (no enforcer running, the database away): a fact, not a bug.
      this.logger.warn(`${request.method} ${request.url} → ${body.statusCode}: ${body.message}`);
    } else if (internal) {
      const detail = exception instanceof Error ? (exception.stack ?? exception.message) : String(exception);
      this.logger.error(`${request.method} ${request.url} → ${body.statusCode}: ${detail}`);
    }
    // A console page the browser navigated to (not one of its htmx requests, which show the
    // message themselves) gets the message as a page with the navigation bar.
    if (request.method === 'GET' && request.url.startsWith('/dash/') && !request.headers['hx-request'] && typeof (reply as { view?: unknown }).view === 'function') {
      const locals = (reply as unknown as { locals?: { nonce?: string } }).locals;
      const nonce = locals?.nonce ?? randomBytes(16).toString('base64');
      void reply.status(body.statusCode).header('content-type', 'text/html; charset=utf-8').header('content-security-policy', consoleCsp(nonce));
      void reply.view('error', { ...locals, nonce, ...consolePageBase(), title: `${body.statusCode} ${body.error}`, error: body });
      return;
    }
    void reply.status(body.statusCode).send(body);
  }
}
