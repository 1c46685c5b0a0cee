import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_INT32, QueryInt } from '../common/pagination.js';
import { IsInstant } from '../common/validators.js';

export const DEFAULT_HISTORY_PAGE = 100;
export const MAX_HISTORY_PAGE = 1000;

/** `?limit=&offset=&before=&since=` of a runner's heartbeat history (newest first). */
export class HeartbeatHistoryQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_HISTORY_PAGE, default: DEFAULT_HISTORY_PAGE })
  @IsOptional() @QueryInt() @IsInt({ message: 'limit must be a whole number' }) @Min(1) @Max(MAX_HISTORY_PAGE)
  limit: number = DEFAULT_HISTORY_PAGE;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_INT32, default: 0 })
  @IsOptional() @QueryInt() @IsInt({ message: 'offset must be a whole number' }) @Min(0) @Max(MAX_INT32)
  offset: number = 0;

  @ApiPropertyOptional({ example: '2026-12-01T08:00:00+03:00', description: 'only heartbeats stored strictly before this instant (Z or an offset required)' })
  @IsOptional() @IsInstant()
  before?: string;

  @ApiPropertyOptional({ example: '2026-11-30T08:00:00Z', description: 'only heartbeats stored at or after this instant (Z or an offset required)' })
  @IsOptional() @IsInstant()
  since?: string;
}

/** `?before=&runnerId=` of DELETE /api/heartbeats. */
export class PruneHeartbeatsQuery {
  @ApiProperty({ example: '2026-11-01T00:00:00Z', description: 'delete heartbeat history stored strictly before this instant (Z or an offset required)' })
  @IsInstant()
  before: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_INT32, description: "only this runner's history (its camera and profile pair)" })
  @IsOptional() @QueryInt() @IsInt({ message: 'runnerId must be a whole number' }) @Min(1) @Max(MAX_INT32)
  runnerId?: number;
}
