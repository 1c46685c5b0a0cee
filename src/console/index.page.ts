import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

/** /dash/: the console opens on the system page (the enforcer, the host, every runner at a glance). */
@ApiExcludeController()
@Controller('dash')
export class ConsoleIndex {
  @Get()
  index(@Res() reply: FastifyReply) {
    void reply.redirect('/dash/system/', 302);
  }
}
