import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { toErrorBody } from './http-errors.js';

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<{ method: string; url: string }>();
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
    void reply.status(body.statusCode).send(body);
  }
}
