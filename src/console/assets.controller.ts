import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { VIEWS_DIR } from './console.view.js';

const require = createRequire(import.meta.url);

/** The only files served under /dash/assets/: a fixed list, read once (no path from the request reaches the disk). */
const FILES: Record<string, { path: () => string; type: string }> = {
  'htmx.min.js': { path: () => require.resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript; charset=utf-8' },
  'json-enc.js': { path: () => require.resolve('htmx-ext-json-enc/json-enc.js'), type: 'text/javascript; charset=utf-8' },
  'console.js': { path: () => join(VIEWS_DIR, 'assets', 'console.js'), type: 'text/javascript; charset=utf-8' },
  'console.css': { path: () => join(VIEWS_DIR, 'assets', 'console.css'), type: 'text/css; charset=utf-8' },
};

@ApiExcludeController()
@Controller('dash/assets')
export class AssetsController {
  private readonly cache = new Map<string, { body: Buffer; etag: string; type: string }>();

  @Get(':name')
  serve(@Param('name') name: string, @Res() reply: FastifyReply) {
    const file = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
    if (!file) throw new NotFoundException(`no asset named ${name}`);
    let entry = this.cache.get(name);
    if (!entry) {
      const body = readFileSync(file.path());
      entry = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`, type: file.type };
      this.cache.set(name, entry);
    }
    void reply.header('content-type', entry.type).header('cache-control', 'no-cache').header('etag', entry.etag);
    if (reply.request.headers['if-none-match'] === entry.etag) return void reply.status(304).send();
    return void reply.send(entry.body);
  }
}
