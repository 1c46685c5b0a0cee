import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';
import { QueryInt } from '../common/pagination.js';

/** `?from=&days=` of the forecast endpoints. */
export class ForecastQuery {
  @ApiPropertyOptional({ example: '2026-12-01T00:00:00+03:00', description: 'start of the forecast (default now)' })
  @IsOptional() @IsISO8601({ strict: true }, { message: 'from must be an ISO-8601 date-time such as 2026-12-01T00:00:00+03:00' })
  from?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 31, default: 7, description: 'local days from `from`' })
  @IsOptional() @QueryInt() @IsInt({ message: 'days must be a whole number' }) @Min(1) @Max(31)
  days: number = 7;
}
