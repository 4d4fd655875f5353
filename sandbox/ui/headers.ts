/**
 * Reading the heads the tap carries (latin1 text exactly as it crossed the wire) and comparing
 * what the client sent with what Apache forwarded, with the reason for each difference in terms
 * a learner can look up: Host rewritten, X-Forwarded-* added, hop-by-hop headers removed.
 * Pure functions, no DOM.
 */
import { computeWebSocketAccept, isValidWebSocketKey } from '../engine/websocket/accept.ts';

export interface ParsedHead {
  /** "GET /ws/ HTTP/1.1" or "HTTP/1.1 101 Switching Protocols". */
  startLine: string;
  headers: Array<[name: string, value: string]>;
}

/** Split a head into its start line and header fields (obsolete line folding joined). */
export function parseHead(head: string): ParsedHead {
  const lines = head.replace(/\r\n/g, '\n').split('\n');
  const startLine = lines.shift() ?? '';
  const headers: Array<[string, string]> = [];
  for (const line of lines) {
    if (line === '') break;
    if ((line.startsWith(' ') || line.startsWith('\t')) && headers.length > 0) {
      headers[headers.length - 1][1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  return { startLine, headers };
}

/** First value of a header (case-insensitive), or undefined. */
export function headerValue(head: ParsedHead, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return head.headers.find(([headerName]) => headerName.toLowerCase() === wanted)?.[1];
}

/** The hop-by-hop headers of RFC 9110 section 7.6.1 that a proxy must not forward. */
export const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

/** Why a header differs between the client's request and the proxied one. */
export type HeaderNote =
  | 'host-rewritten'
  | 'host-preserved'
  | 'x-forwarded-added'
  | 'hop-by-hop-removed'
  | 'upgrade-re-sent'
  | 'connection-re-sent'
  | 'added-by-config'
  | 'removed-by-config'
  | 'changed-by-config'
  | null;

export interface HeaderDiffRow {
  name: string;
  kind: 'same' | 'changed' | 'added' | 'removed';
  client?: string;
  backend?: string;
  note: HeaderNote;
}

export interface HeadDiff {
  clientLine: string;
  backendLine: string;
  /** The request target changed (ProxyPass maps the path). */
  targetChanged: boolean;
  rows: HeaderDiffRow[];
}

/** Names listed in a Connection header are hop-by-hop too. */
function connectionTokens(head: ParsedHead): string[] {
  return head.headers
    .filter(([name]) => name.toLowerCase() === 'connection')
    .flatMap(([, value]) => value.split(','))
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token !== '');
}

function joined(head: ParsedHead, name: string): string | undefined {
  const values = head.headers.filter(([headerName]) => headerName.toLowerCase() === name).map(([, value]) => value);
  return values.length > 0 ? values.join(', ') : undefined;
}

/**
 * Compare the client's request head with the head Apache sent to the backend. Rows keep the
 * client's order, then headers only the backend got, in the backend's order.
 */
export function diffHeads(clientHead: string, backendHead: string): HeadDiff {
  const client = parseHead(clientHead);
  const backend = parseHead(backendHead);
  const hopByHop = new Set([...HOP_BY_HOP, ...connectionTokens(client)]);
  const names: string[] = [];
  for (const [name] of [...client.headers, ...backend.headers]) {
    if (!names.some((seen) => seen.toLowerCase() === name.toLowerCase())) names.push(name);
  }
  const rows = names.map((displayName): HeaderDiffRow => {
    const key = displayName.toLowerCase();
    const clientValue = joined(client, key);
    const backendValue = joined(backend, key);
    const kind: HeaderDiffRow['kind'] =
      clientValue === undefined ? 'added' : backendValue === undefined ? 'removed' : clientValue === backendValue ? 'same' : 'changed';
    return { name: displayName, kind, client: clientValue, backend: backendValue, note: noteFor(key, kind, hopByHop) };
  });
  const target = (line: string) => line.split(' ')[1] ?? '';
  return {
    clientLine: client.startLine,
    backendLine: backend.startLine,
    targetChanged: target(client.startLine) !== target(backend.startLine),
    rows,
  };
}

function noteFor(key: string, kind: HeaderDiffRow['kind'], hopByHop: Set<string>): HeaderNote {
  if (key === 'host') return kind === 'same' ? 'host-preserved' : kind === 'changed' ? 'host-rewritten' : kind === 'added' ? 'host-rewritten' : null;
  if (kind === 'same') return null;
  if (key.startsWith('x-forwarded-') && kind === 'added') return 'x-forwarded-added';
  if (key === 'upgrade' && kind !== 'removed') return 'upgrade-re-sent';
  if (key === 'connection' && kind !== 'removed') return 'connection-re-sent';
  if (hopByHop.has(key) && kind === 'removed') return 'hop-by-hop-removed';
  if (kind === 'added') return 'added-by-config';
  if (kind === 'removed') return 'removed-by-config';
  return 'changed-by-config';
}

export type AcceptCheck =
  | { kind: 'not-websocket' }
  | { kind: 'no-key' }
  | { kind: 'invalid-key'; key: string }
  | { kind: 'missing'; key: string; expected: string }
  | { kind: 'match'; key: string; expected: string; got: string }
  | { kind: 'mismatch'; key: string; expected: string; got: string };

/**
 * Verify the Sec-WebSocket-Accept of a 101 against the key the client sent: the value must be
 * base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")) (RFC 6455 section 4.2.2).
 */
export function checkAccept(clientRequestHead: string, responseHead: string): AcceptCheck {
  const request = parseHead(clientRequestHead);
  const response = parseHead(responseHead);
  const key = headerValue(request, 'sec-websocket-key');
  if (!/^HTTP\/\d\.\d 101\b/.test(response.startLine)) {
    return key === undefined ? { kind: 'not-websocket' } : { kind: 'not-websocket' };
  }
  if (key === undefined) return { kind: 'no-key' };
  if (!isValidWebSocketKey(key)) return { kind: 'invalid-key', key };
  const expected = computeWebSocketAccept(key);
  const got = headerValue(response, 'sec-websocket-accept');
  if (got === undefined) return { kind: 'missing', key, expected };
  return got === expected ? { kind: 'match', key, expected, got } : { kind: 'mismatch', key, expected, got };
}

/** Status code of a response head, or null. */
export function statusOf(responseHead: string): number | null {
  const match = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(responseHead);
  return match ? Number(match[1]) : null;
}

/** Parse "Name: value" lines typed by the learner; blank lines ignored, bad lines reported. */
export function parseHeaderLines(text: string): { headers: Record<string, string>; errors: number[] } {
  const headers: Record<string, string> = {};
  const errors: number[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      errors.push(index + 1);
      return;
    }
    headers[name] = line.slice(colon + 1).trim();
  });
  return { headers, errors };
}
