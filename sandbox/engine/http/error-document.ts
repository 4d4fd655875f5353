/**
 * ErrorDocument and ProxyErrorOverride at request time, as httpd's ap_die_r (http_request.c),
 * ap_response_code_string (core.c) and ap_proxy_should_override (proxy_util.c) decide them. The
 * choice is made here; the server layer renders it with buildErrorResponse.
 */
import type { ErrorDocumentEntry } from '../config/model.ts';
import { parseStringExpr, type ExprLookup } from '../routing/ap-expr.ts';
import { STATUS_LINES } from './error-page.ts';

/**
 * What httpd sends for an error status:
 * - `canned`: its own page (no ErrorDocument, or "default");
 * - `message`: the quoted text as the whole body (headers as for the canned page);
 * - `redirect`: a 302 to a URL, with the canned 302 page; the connection is still decided by the original status;
 * - `local`: an internal redirect to a local URL-path;
 * - `invalid`: the expression gave neither text, a URL nor "/…" (AH01580; canned page plus "Additionally, a 500 …").
 */
export type ErrorDocumentChoice =
  | { kind: 'canned' }
  | { kind: 'message'; text: string }
  | { kind: 'redirect'; location: string }
  | { kind: 'local'; path: string }
  | { kind: 'invalid'; value: string };

/** ap_index_of_response: a status without a reason phrase shares 500's slot. */
export function errorDocumentIndex(status: number): number {
  return STATUS_LINES[status] === undefined ? 500 : status;
}

/** util.c ap_is_url: a non-empty run of scheme characters followed by ":". */
export function isUrl(text: string): boolean {
  return /^[A-Za-z0-9+.-]+:/.test(text);
}

/** The ErrorDocument that applies to `status` with these merged per-directory settings. */
export function chooseErrorDocument(
  status: number,
  documents: Readonly<Record<number, ErrorDocumentEntry>> | undefined,
  lookup?: ExprLookup,
): ErrorDocumentChoice {
  const entry = documents?.[errorDocumentIndex(status)];
  if (!entry || entry.kind === 'default') return { kind: 'canned' };
  // core.c stores a message with a leading '"'; ap_die_r tells messages from URLs by it.
  const text = entry.kind === 'message' ? `"${entry.value}` : entry.value;
  const parsed = parseStringExpr(text);
  const response = parsed.ok && lookup ? parsed.evaluate(lookup) : text;
  if (response.startsWith('"')) return { kind: 'message', text: response.slice(1) };
  if (isUrl(response)) return { kind: 'redirect', location: response };
  if (response.startsWith('/')) return { kind: 'local', path: response };
  return { kind: 'invalid', value: response };
}

/** ap_proxy_should_override: On with no codes takes every 4xx and 5xx, On with codes only those. */
export function proxyShouldOverride(override: { on: boolean; codes: readonly number[] } | undefined, status: number): boolean {
  if (!override?.on) return false;
  return override.codes.length === 0 ? status >= 400 && status < 600 : override.codes.includes(status);
}
