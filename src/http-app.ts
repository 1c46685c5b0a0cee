import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { BadRequestException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { Eta } from 'eta';
import { AppModule } from './app.module.js';
import { AllExceptionsFilter } from './common/all-exceptions.filter.js';
import { checkAuthorization, isPublicPath } from './common/api-auth.js';
import { bodyProblem, NoUnexpectedBodyGuard } from './common/body-checks.js';
import { BiskLogger } from './common/logger.js';
import { refuseRequest } from './common/request-guard.js';
import { contentSecurityPolicy, VIEWS_DIR } from './console/console.view.js';
import { createValidationPipe } from './common/validation.js';
import type { AppConfig } from './config/app-config.js';
import { HEARTBEAT_OPENAPI, HEARTBEAT_PATH, registerHeartbeatRoute } from './heartbeats/heartbeat.route.js';
import { HeartbeatsService } from './heartbeats/heartbeats.service.js';
import { VERSION } from './version.js';

/** Largest JSON body accepted; the API's largest legitimate body (a policy with its windows) is a few kB. */
export const BODY_LIMIT_BYTES = 256 * 1024;

/** Deepest JSON body accepted: a policy with windows is 3 levels; extraArgs values are flat. */
export const MAX_BODY_DEPTH = 16;

/** `<`, `>` and `&` are escaped inside JSON strings, so a name like `<script>` can never be sniffed as HTML. */
const JSON_UNSAFE = /[<>&\u2028\u2029]/g;
const escapeJsonChar = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
export const safeJson = (payload: unknown) => JSON.stringify(payload).replace(JSON_UNSAFE, escapeJsonChar);

/**
 * Builds the HTTP application (not yet listening) the same way for `main.ts` and the e2e tests.
 * Fastify was chosen by measurement (bench/RESULTS.md, "HTTP platform").
 */
export async function createHttpApp(config: AppConfig, options: { logger?: boolean } = {}) {
  const adapter = new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, logger: false, return503OnClosing: true, routerOptions: { ignoreTrailingSlash: true } });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: options.logger === false ? false : new BiskLogger(config.logLevel),
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();

  fastify.setReplySerializer((payload) => safeJson(payload));
  // Before anything else: the Host rule (no-token mode), same-origin and JSON-only for changes
  // (refuseRequest says why each exists). A refused request is never routed or parsed.
  const guard = { tokenMode: Boolean(config.http.apiToken), boundHost: config.http.host };
  fastify.addHook('onRequest', async (request, reply) => {
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    };
    const refusal = refuseRequest(
      { method: request.method, host: header('host'), origin: header('origin'), secFetchSite: header('sec-fetch-site'), contentType: header('content-type') },
      guard,
    );
    if (refusal) return reply.status(refusal.statusCode).send(refusal);
  });
  // JSON bodies: Fastify's own parser (prototype poisoning refused), except that an empty body
  // is no body — the JSON content type is required on every change, with or without one.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser('application/json', { bodyLimit: BODY_LIMIT_BYTES }, (request, body, done) => {
    if (body.length === 0) return done(null, undefined);
    // Bytes that are not UTF-8 would be decoded to U+FFFD and stored as such: refused instead.
    if (!isUtf8(body)) return done(new BadRequestException('Body is not valid UTF-8'), undefined);
    parseJson(request as Parameters<typeof parseJson>[0], body.toString('utf8'), done);
  });
  // A body nested deeper than any request of this API needs, or carrying a lone surrogate, is
  // refused before validation (bodyProblem says why), in one walk over it.
  fastify.addHook('preValidation', async (request, reply) => {
    const problem = bodyProblem(request.body, MAX_BODY_DEPTH);
    if (problem !== null) return reply.status(400).send({ statusCode: 400, error: 'Bad Request', message: problem });
  });
  fastify.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
  });
  const token = config.http.apiToken;
  if (token) {
    fastify.addHook('onRequest', async (request, reply) => {
      const path = request.url.split('?', 1)[0];
      if (isPublicPath(path)) return;
      const result = checkAuthorization(request.headers.authorization, token);
      if (!result.ok) {
        // Two challenges, one header each: browsers offer their login prompt (Basic) only when it is
        // its own header, and API clients still see Bearer.
        if (result.status === 401) reply.header('www-authenticate', ['Bearer realm="bisk"', 'Basic realm="bisk"']);
        return reply
          .status(result.status)
          .send({ statusCode: result.status, error: result.status === 401 ? 'Unauthorized' : 'Forbidden', message: result.message });
      }
    });
  }

  // Pages (/dash/…): Nest's MVC rendering through @fastify/view with Eta, which escapes every
  // `<%= %>` interpolation. Each page gets a fresh nonce; the policy allows only scripts carrying it.
  app.setViewEngine({ engine: { eta: new Eta({ views: VIEWS_DIR, cache: true, autoEscape: true }) }, templates: VIEWS_DIR, production: true });
  // (preHandler: after @fastify/view's own onRequest hook, which resets `reply.locals`.)
  fastify.addHook('preHandler', async (request, reply) => {
    if (!request.url.startsWith('/dash/')) return;
    const nonce = randomBytes(16).toString('base64');
    const withLocals = reply as typeof reply & { locals?: Record<string, unknown> };
    withLocals.locals = { ...withLocals.locals, nonce };
    reply.header('content-security-policy', contentSecurityPolicy(nonce));
  });

  registerHeartbeatRoute(fastify, app.get(HeartbeatsService), config);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalGuards(new NoUnexpectedBodyGuard());
  app.useGlobalFilters(new AllExceptionsFilter());

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('BISK Enforcer')
      .setDescription('Cameras, stream profiles, schedule policies and resource settings; runners and the enforcer.')
      .setVersion(VERSION)
      .addBearerAuth()
      .build(),
  );
  document.paths[`${HEARTBEAT_PATH}/`] = HEARTBEAT_OPENAPI as OpenAPIObject['paths'][string];
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}
