import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
/** The largest id or offset both engines take as an integer parameter. */
export const MAX_INT32 = 2_147_483_647;

/**
 * A whole number in a query string, written in decimal digits as sent: `0x10`, `1e3`, ` 5` or an
 * empty value stay text and fail the IsInt that follows (Number() would have read them as numbers).
 */
export const QueryInt = () => Transform(({ value }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value));

/** `?limit=&offset=` on every list; the response says the total so a client can page. */
export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @QueryInt()
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = DEFAULT_PAGE_SIZE;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_INT32, default: 0 })
  @IsOptional()
  @QueryInt()
  @IsInt({ message: 'offset must be a whole number' })
  @Min(0)
  @Max(MAX_INT32)
  offset: number = 0;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export function page<T>(items: T[], total: number, query: PageQuery): Page<T> {
  return { items, total, limit: query.limit, offset: query.offset };
}
