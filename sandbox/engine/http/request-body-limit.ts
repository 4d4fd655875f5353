/**
 * LimitRequestBody as ap_http_filter (modules/http/http_filters.c) applies it while a request
 * body is read: a Content-Length above the limit is refused before any body byte is read
 * (AH01588); a chunked body is refused once the data read so far passes it (AH01591). Either way
 * the answer is 413. mod_proxy's requests never get here: the filter takes no limit for them.
 */
import type { ErrorLogEntry } from '../logs/error-log.ts';

/** AP_DEFAULT_LIMIT_REQUEST_BODY since httpd 2.4.54: 1 GiB when no LimitRequestBody applies. */
export const DEFAULT_LIMIT_REQUEST_BODY = 2 ** 30;

/** The limit in effect: the nearest LimitRequestBody, or the default; 0 means none. */
export function effectiveRequestBodyLimit(configured: number | null): number {
  return configured ?? DEFAULT_LIMIT_REQUEST_BODY;
}

/** AH01588 when a Content-Length is above the limit, else null. */
export function contentLengthOverLimit(length: number, limit: number, client: string): ErrorLogEntry | null {
  if (limit === 0 || length <= limit) return null;
  return { module: 'http', level: 'info', code: 'AH01588', message: `Requested content-length of ${length} is larger than the configured limit of ${limit}`, client };
}

/** AH01591 once `readSoFar` bytes of chunk data are above the limit, else null. */
export function chunkedBodyOverLimit(readSoFar: number, limit: number, client: string): ErrorLogEntry | null {
  if (limit === 0 || readSoFar <= limit) return null;
  return { module: 'http', level: 'info', code: 'AH01591', message: `Read content length of ${readSoFar} is larger than the configured limit of ${limit}`, client };
}
