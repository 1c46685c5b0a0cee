import { MAX_INT32 } from '../common/pagination.js';

/** `?offset=` of a page link: decimal digits as sent, anything else the first page. */
export const offsetOf = (value: string | undefined) => (value && /^\d{1,10}$/.test(value) ? Math.min(Number(value), MAX_INT32) : 0);

export interface Pager {
  from: number;
  to: number;
  total: number;
  prev: string | null;
  next: string | null;
}

/** Previous/next links of a paginated list, keeping the other query parameters (`params`). */
export function pager(page: { total: number; limit: number; offset: number; items: unknown[] }, path: string, params: Record<string, string | number | undefined> = {}): Pager {
  const link = (offset: number) => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') query.set(key, String(value));
    if (offset > 0) query.set('offset', String(offset));
    const text = query.toString();
    return text ? `${path}?${text}` : path;
  };
  return {
    from: page.items.length ? page.offset + 1 : 0,
    to: page.offset + page.items.length,
    total: page.total,
    prev: page.offset > 0 ? link(Math.max(0, page.offset - page.limit)) : null,
    next: page.offset + page.items.length < page.total ? link(page.offset + page.limit) : null,
  };
}
