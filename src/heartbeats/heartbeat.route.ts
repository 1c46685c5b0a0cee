import { ForbiddenException, HttpException, HttpStatus } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { sameSecret } from '../common/api-auth.js';
import { toErrorBody } from '../common/http-errors.js';
import { validationFailed } from '../common/validation.js';
import type { AppConfig } from '../config/app-config.js';
import { parseHeartbeat } from './heartbeat.payload.js';
import type { HeartbeatsService } from './heartbeats.service.js';

export const HEARTBEAT_PATH = '/api/runner/heartbeat';

/**
 * `POST /api/runner/heartbeat/` (trailing slash optional), registered on Fastify directly:
 * the fleet's hottest path skips Nest's per-request pipeline (measured in bench/RESULTS.md).
 * Open to runners without the API token; guarded by RUNNER_HEARTBEAT_KEY when set (header
 * X-BISK-KEY, `?key=` or `hb_key` in the body). Errors have the API's usual shape.
 */
export function registerHeartbeatRoute(fastify: FastifyInstance, heartbeats: HeartbeatsService, config: AppConfig): void {
  const expected = config.runners.heartbeatKey;
  fastify.route({
    method: 'POST',
    url: HEARTBEAT_PATH,
    handler: async (request, reply) => {
      try {
        const body = request.body;
        const parsed = parseHeartbeat(body);
        if (expected) {
          const header = request.headers['x-bisk-key'];
          const given =
            (typeof header === 'string' ? header : undefined) ??
            (request.query as Record<string, unknown> | undefined)?.key ??
            (parsed.ok ? parsed.heartbeat.key : (body as Record<string, unknown> | null)?.hb_key);
          if (typeof given !== 'string' || !sameSecret(given, expected)) throw new ForbiddenException('Invalid or missing heartbeat key');
        }
        if (!parsed.ok) throw validationFailed(parsed.errors);
        return await heartbeats.record(parsed.heartbeat);
      } catch (error) {
        const { body } = toErrorBody(error);
        return reply.status(body.statusCode).send(body);
      }
    },
  });
  fastify.route({
    method: 'GET',
    url: HEARTBEAT_PATH,
    handler: async (_request, reply) => {
      const { body } = toErrorBody(new HttpException({ statusCode: 405, error: 'Method Not Allowed', message: 'Use POST to send a heartbeat' }, HttpStatus.METHOD_NOT_ALLOWED));
      return reply.status(405).header('allow', 'POST').send(body);
    },
  });
}

/** The route's OpenAPI entry (it is not a Nest controller, so Swagger cannot see it). */
export const HEARTBEAT_OPENAPI = {
  post: {
    tags: ['runners'],
    summary: 'Runner heartbeat (the original runners’ payload)',
    parameters: [
      { name: 'X-BISK-KEY', in: 'header', required: false, schema: { type: 'string' } },
      { name: 'key', in: 'query', required: false, schema: { type: 'string' } },
    ],
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            required: ['camera_id', 'profile_id'],
            properties: Object.fromEntries(
              ['camera_id', 'camera', 'profile_id', 'profile', 'pid', 'camera_fps', 'fps', 'processed_fps', 'target_fps', 'detected', 'matched', 'latency_ms', 'snapshot_every', 'min_face_px']
                .map((name) => [name, { type: 'number' }])
                .concat([['last_error', { type: 'string' }], ['hb_key', { type: 'string' }]]),
            ),
          },
        },
      },
    },
    responses: { 200: { description: '{ ok, runnerId, stored }' }, 400: { description: 'malformed' }, 403: { description: 'bad key' }, 404: { description: 'unknown camera or profile' } },
  },
};
