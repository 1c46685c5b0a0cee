import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ApiProperty, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Get } from '@nestjs/common';
import { IsInt, IsNumber, IsOptional, IsString, Min } from 'class-validator';

/**
 * The same Nest app on either HTTP platform, carrying what the product carries on the hot
 * path: global validation, Swagger registered, Terminus health, and a heartbeat-shaped
 * POST with a class-validator DTO (the runner heartbeat the fleet will send).
 */
class HeartbeatDto {
  @ApiProperty() @IsInt() @Min(1) camera_id: number;
  @ApiProperty() @IsInt() @Min(1) profile_id: number;
  @ApiProperty() @IsInt() pid: number;
  @ApiProperty() @IsOptional() @IsNumber() camera_fps?: number;
  @ApiProperty() @IsOptional() @IsNumber() processed_fps?: number;
  @ApiProperty() @IsOptional() @IsNumber() target_fps?: number;
  @ApiProperty() @IsOptional() @IsInt() detected?: number;
  @ApiProperty() @IsOptional() @IsInt() matched?: number;
  @ApiProperty() @IsOptional() @IsNumber() latency_ms?: number;
  @ApiProperty() @IsOptional() @IsString() last_error?: string;
}

@Controller()
class BenchController {
  constructor(private readonly health: HealthCheckService) {}

  @Post('api/runner/heartbeat')
  @HttpCode(200)
  heartbeat(@Body() body: HeartbeatDto) {
    return { ok: true, camera: body.camera_id };
  }

  @Get('health/live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }
}

@Module({ imports: [TerminusModule.forRoot({ logger: false })], controllers: [BenchController] })
class BenchModule {}

export async function startPlatformApp(platform: 'fastify' | 'express', port: number) {
  const adapter = platform === 'fastify' ? new FastifyAdapter({ logger: false }) : new ExpressAdapter();
  const app = await NestFactory.create(BenchModule, adapter as never, { logger: false });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  SwaggerModule.setup('docs', app, SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('bench').build()));
  await app.listen(port, '127.0.0.1');
  return app;
}

// Child mode: `node platform-app.js fastify 8123` serves until killed.
if (process.argv[1]?.endsWith('platform-app.js') && process.argv[2]) {
  const app = await startPlatformApp(process.argv[2] as 'fastify' | 'express', Number(process.argv[3]));
  process.send?.({ ready: true });
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}
