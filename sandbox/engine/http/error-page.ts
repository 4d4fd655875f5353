/**
 * httpd 2.4.71's own error and redirect responses (ap_send_error_response in
 * modules/http/http_protocol.c), byte for byte apart from the Date: status line, headers in
 * httpd's order, and the HTML body with its optional signature line. Every status and header
 * variant here was compared with a real httpd; test/engine/http/fixtures/httpd-error-pages.json
 * holds what it sent.
 */

export const HTTPD_VERSION = '2.4.71';
/** What `apache2 -v` calls "Server built" on the measured system; the MPM logs it at start (AH00490). */
export const HTTPD_BUILT = '2026-11-12T08:58:41';
/** Debian builds add their platform name to the banner. */
export const HTTPD_PLATFORM = 'Debian';
/** What mod_ssl adds to the banner under `ServerTokens Full` on the measured system. */
export const MOD_SSL_VERSION_COMPONENT = 'OpenSSL/3.0.19';
/**
 * The Allow header httpd sends with a 501 for a file it serves itself (measured; the order comes
 * from its method hash table, so it changes when TraceEnable removes TRACE).
 */
export const STATIC_ALLOW = { traceEnabled: 'POST,OPTIONS,HEAD,GET,TRACE', traceDisabled: 'OPTIONS,HEAD,GET,POST' } as const;

/** ServerAdmin's value when the config sets none. */
export const DEFAULT_SERVER_ADMIN = '[no address given]';

export type ServerTokens = 'Major' | 'Minor' | 'Minimal' | 'OS' | 'Full' | 'Prod';
/** httpd's default is Off; Debian's conf-enabled/security.conf turns it On. */
export type ServerSignature = 'Off' | 'On' | 'EMail';

/**
 * How the response ends the connection, which decides its Connection and Keep-Alive headers:
 * close sends "Connection: close"; an open HTTP/1.1 connection gets no header; keepAlive (an
 * HTTP/1.0 client that asked for it) gets "Keep-Alive: timeout=T, max=M" and "Connection: Keep-Alive".
 */
export interface ConnectionDisposition {
  close: boolean;
  /** `remaining` is null for MaxKeepAliveRequests 0 (unlimited): httpd then sends no max=. */
  keepAlive?: { timeoutSeconds: number; remaining: number | null };
}

export interface ErrorPageOptions {
  status: number;
  /** The name httpd signs with (ap_get_server_name): the request's host when it had one, else ServerName. */
  serverName: string;
  /** The port httpd signs with (ap_get_server_port): the Host header's port, else the server's, else 80/443. */
  port: number;
  /** Request method, quoted by 405, 413 and 501 pages. Default GET. */
  method?: string;
  /** Target of a redirect (3xx); also sent as the Location header. */
  location?: string;
  /** Text httpd adds to 400, 403, 411, 414, 501, 502 and 451 pages ("error-notes"). */
  errorNotes?: string;
  /**
   * Set when mod_proxy produced the error (ap_proxyerror): the status line reads "NNN Proxy Error"
   * and the reason is shown, even on a 500 page.
   */
  proxyErrorReason?: string;
  /** The Expect header a 417 page quotes. */
  expect?: string;
  /** Allow header for 405 and 501 (httpd sends one even when it is empty). */
  allow?: string;
  serverSignature?: ServerSignature;
  serverAdmin?: string;
  serverTokens?: ServerTokens;
  /** Components modules add under `ServerTokens Full`, e.g. MOD_SSL_VERSION_COMPONENT. */
  versionComponents?: string[];
  /** An ErrorDocument's quoted text: sent as the whole body in place of the HTML page. */
  customMessage?: string;
  /**
   * The status an ErrorDocument's own request failed with (ap_die_r's recursive_error): the
   * canned page gains "Additionally, a … error was encountered while trying to use an ErrorDocument".
   */
  recursiveError?: number;
  /** A HEAD request: headers only, and no Content-Length. */
  headOnly?: boolean;
  /** Default: close. */
  connection?: ConnectionDisposition;
  date?: Date;
}

/** A response ready to serialise. */
export interface ErrorResponse {
  status: number;
  /** "HTTP/1.1 404 Not Found" */
  statusLine: string;
  headers: Array<[string, string]>;
  /** latin1 text (httpd declares iso-8859-1). */
  body: string;
}

const DOCTYPE = '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n';

/** httpd's reason phrases (status_lines[] in http_protocol.c). */
export const STATUS_LINES: Readonly<Record<number, string>> = {
  100: 'Continue',
  101: 'Switching Protocols',
  102: 'Processing',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  203: 'Non-Authoritative Information',
  204: 'No Content',
  205: 'Reset Content',
  206: 'Partial Content',
  207: 'Multi-Status',
  208: 'Already Reported',
  226: 'IM Used',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  305: 'Use Proxy',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Requested Range Not Satisfiable',
  417: 'Expectation Failed',
  421: 'Misdirected Request',
  422: 'Unprocessable Entity',
  423: 'Locked',
  424: 'Failed Dependency',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
  506: 'Variant Also Negotiates',
  507: 'Insufficient Storage',
  508: 'Loop Detected',
  510: 'Not Extended',
  511: 'Network Authentication Required',
};

/** Statuses after which httpd never keeps the connection (ap_status_drops_connection). */
const CONNECTION_DROPPING_STATUSES = new Set([400, 408, 411, 413, 414, 500, 503, 501]);

/** Whether httpd closes the connection after answering with this status, whatever the client asked. */
export function statusDropsConnection(status: number): boolean {
  return CONNECTION_DROPPING_STATUSES.has(status);
}

/** "404 Not Found"; httpd falls back to its 500 line for a code it has no phrase for. */
export function statusText(status: number): string {
  const phrase = STATUS_LINES[status];
  return phrase === undefined ? '500 Internal Server Error' : `${status} ${phrase}`;
}

/** The Server header and signature banner for a ServerTokens setting. */
export function serverBanner(tokens: ServerTokens = 'Full', versionComponents: string[] = []): string {
  const [major, minor] = HTTPD_VERSION.split('.');
  switch (tokens) {
    case 'Prod':
      return 'Apache';
    case 'Major':
      return `Apache/${major}`;
    case 'Minor':
      return `Apache/${major}.${minor}`;
    case 'Minimal':
      return `Apache/${HTTPD_VERSION}`;
    case 'OS':
      return `Apache/${HTTPD_VERSION} (${HTTPD_PLATFORM})`;
    case 'Full':
      return [`Apache/${HTTPD_VERSION} (${HTTPD_PLATFORM})`, ...versionComponents].join(' ');
  }
}

/** ap_escape_html: the four characters that matter in HTML text and attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[<>&"]/g, (character) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[character] as string);
}

/** The error-notes mod_proxy attaches to an error it raises (proxyerror_core). */
export function proxyErrorNotes(reason: string): string {
  return `The proxy server could not handle the request<p>Reason: <strong>${escapeHtml(reason)}</strong></p>`;
}

/** The "<hr>\n<address>…</address>\n" line, or "" when ServerSignature is Off. */
export function signatureLine(options: Pick<ErrorPageOptions, 'serverName' | 'port' | 'serverSignature' | 'serverAdmin' | 'serverTokens' | 'versionComponents'>): string {
  const mode = options.serverSignature ?? 'Off';
  if (mode === 'Off') return '';
  const banner = serverBanner(options.serverTokens, options.versionComponents);
  const name = escapeHtml(options.serverName);
  if (mode === 'EMail') {
    const admin = options.serverAdmin ?? DEFAULT_SERVER_ADMIN;
    const href = `${isUrl(admin) ? '' : 'mailto:'}${escapeHtml(admin)}`;
    return `<hr>\n<address>${banner} Server at <a href="${href}">${name}</a> Port ${options.port}</address>\n`;
  }
  return `<hr>\n<address>${banner} Server at ${name} Port ${options.port}</address>\n`;
}

/** Build httpd's response for an error or redirect status. */
export function buildErrorResponse(options: ErrorPageOptions): ErrorResponse {
  const status = options.status;
  const title = options.proxyErrorReason !== undefined ? `${status} Proxy Error` : statusText(status);
  // A success httpd answers itself (the OPTIONS * pong) has no error page: an empty body, no type.
  const success = status >= 200 && status < 300;
  const additionally =
    options.recursiveError !== undefined
      ? `<p>Additionally, a ${statusText(options.recursiveError)}\nerror was encountered while trying to use an ErrorDocument to handle the request.</p>\n`
      : '';
  const body = success
    ? ''
    : options.customMessage !== undefined
      ? options.customMessage
      : `${DOCTYPE}<html><head>\n<title>${title}</title>\n</head><body>\n<h1>${title.slice(4)}</h1>\n` +
        cannedText(options) +
        additionally +
        signatureLine(options) +
        '</body></html>\n';

  const headers: Array<[string, string]> = [
    ['Date', httpDate(options.date ?? new Date())],
    ['Server', serverBanner(options.serverTokens, options.versionComponents)],
  ];
  if (isRedirect(status) && options.location) headers.push(['Location', options.location]);
  if ((status === 405 || status === 501) && options.allow !== undefined) headers.push(['Allow', options.allow]);
  // Measured: httpd's 413 (LimitRequestBody) and every HEAD answer go out without a length.
  if (!options.headOnly && status !== 413) headers.push(['Content-Length', String(body.length)]);
  const connection = options.connection ?? { close: true };
  if (connection.close) {
    headers.push(['Connection', 'close']);
  } else if (connection.keepAlive) {
    headers.push(['Keep-Alive', keepAliveHeaderValue(connection.keepAlive.timeoutSeconds, connection.keepAlive.remaining)]);
    headers.push(['Connection', 'Keep-Alive']);
  }
  if (!success) headers.push(['Content-Type', 'text/html; charset=iso-8859-1']);

  return { status, statusLine: `HTTP/1.1 ${title}`, headers, body: options.headOnly ? '' : body };
}

/** The Keep-Alive answer of ap_set_keepalive: "timeout=5, max=100", or "timeout=5" when unlimited. */
export function keepAliveHeaderValue(timeoutSeconds: number, remaining: number | null): string {
  return remaining === null ? `timeout=${timeoutSeconds}` : `timeout=${timeoutSeconds}, max=${remaining}`;
}

/** Serialise a response head and body as the bytes httpd writes. */
export function serializeResponse(response: ErrorResponse): Uint8Array {
  const text = `${response.statusLine}\r\n${response.headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n${response.body}`;
  const bytes = new Uint8Array(text.length);
  for (let index = 0; index < text.length; index++) bytes[index] = text.charCodeAt(index) & 0xff;
  return bytes;
}

/** An IMF-fixdate, as httpd writes Date. */
export function httpDate(date: Date): string {
  return date.toUTCString();
}

function isRedirect(status: number): boolean {
  return status >= 300 && status < 400;
}

function isUrl(text: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text);
}

/** get_canned_error_string: the paragraph under the heading for each status. */
function cannedText(options: ErrorPageOptions): string {
  const method = escapeHtml(options.method ?? 'GET');
  const notes = options.errorNotes ?? (options.proxyErrorReason !== undefined ? proxyErrorNotes(options.proxyErrorReason) : '');
  const withNotes = (prefix: string, suffix: string) => `${prefix}${notes}${suffix}`;
  const location = escapeHtml(options.location ?? '');
  switch (options.status) {
    case 301:
    case 302:
    case 307:
    case 308:
      return `<p>The document has moved <a href="${location}">here</a>.</p>\n`;
    case 303:
      return `<p>The answer to your request is located <a href="${location}">here</a>.</p>\n`;
    case 305:
      return '<p>This resource is only accessible through the proxy\n<br />\nYou will need to configure your client to use that proxy.</p>\n';
    case 401:
    case 407:
      return (
        '<p>This server could not verify that you\nare authorized to access the document\nrequested.  Either you supplied the wrong\n' +
        "credentials (e.g., bad password), or your\nbrowser doesn't understand how to supply\nthe credentials required.</p>\n"
      );
    case 400:
      return withNotes('<p>Your browser sent a request that this server could not understand.<br />\n', '</p>\n');
    case 403:
      return withNotes("<p>You don't have permission to access this resource.", '</p>\n');
    case 404:
      return '<p>The requested URL was not found on this server.</p>\n';
    case 405:
      return `<p>The requested method ${method} is not allowed for this URL.</p>\n`;
    case 406:
      return '<p>An appropriate representation of the requested resource could not be found on this server.</p>\n';
    case 408:
      return '<p>Server timeout waiting for the HTTP request from the client.</p>\n';
    case 410:
      return '<p>The requested resource is no longer available on this server and there is no forwarding address.\nPlease remove all references to this resource.</p>\n';
    case 411:
      return withNotes(`<p>A request of the requested method ${method} requires a valid Content-length.<br />\n`, '</p>\n');
    case 412:
      return '<p>The precondition on the request for this URL evaluated to false.</p>\n';
    case 413:
      return `The requested resource does not allow request data with ${method} requests, or the amount of data provided in\nthe request exceeds the capacity limit.\n`;
    case 414:
      return withNotes("<p>The requested URL's length exceeds the capacity\nlimit for this server.<br />\n", '</p>\n');
    case 415:
      return '<p>The supplied request data is not in a format\nacceptable for processing by this resource.</p>\n';
    case 416:
      return '<p>None of the range-specifier values in the Range\nrequest-header field overlap the current extent\nof the selected resource.</p>\n';
    case 417: {
      const start =
        options.expect !== undefined
          ? `<p>The expectation given in the Expect request-header\nfield could not be met by this server.\nThe client sent<pre>\n    Expect: ${escapeHtml(options.expect)}\n</pre>\n`
          : '<p>No expectation was seen, the Expect request-header \nfield was not presented by the client.\n';
      return withNotes(start, '</p><p>Only the 100-continue expectation is supported.</p>\n');
    }
    case 421:
      return '<p>The client needs a new connection for this\nrequest as the requested host name does not match\nthe Server Name Indication (SNI) in use for this\nconnection.</p>\n';
    case 426:
      return (
        '<p>The requested resource can only be retrieved\nusing SSL.  The server is willing to upgrade the current\n' +
        "connection to SSL, but your client doesn't support it.\nEither upgrade your client, or try requesting the page\nusing https://\n"
      );
    case 429:
      return '<p>The user has sent too many requests\nin a given amount of time.</p>\n';
    case 431:
      return '<p>The server refused this request because\nthe request header fields are too large.</p>\n';
    case 451:
      return withNotes('<p>Access to this URL has been denied for legal reasons.<br />\n', '</p>\n');
    case 501:
      return withNotes(`<p>${method} not supported for current URL.<br />\n`, '</p>\n');
    case 502:
      return withNotes('<p>The proxy server received an invalid\r\nresponse from an upstream server.<br />\r\n', '</p>\n');
    case 503:
      return '<p>The server is temporarily unable to service your\nrequest due to maintenance downtime or capacity\nproblems. Please try again later.</p>\n';
    case 504:
      return '<p>The gateway did not receive a timely response\nfrom the upstream server or application.</p>\n';
    case 508:
      return '<p>The server terminated an operation because\nit encountered an infinite loop.</p>\n';
    default:
      return internalErrorText(options);
  }
}

/** The 500 page, and the fallback for statuses without a text of their own. */
function internalErrorText(options: ErrorPageOptions): string {
  const notes = options.proxyErrorReason !== undefined ? proxyErrorNotes(options.proxyErrorReason) : undefined;
  // mod_proxy marks its notes safe to show ("verbose-error-to *"); anything else stays generic.
  if (notes !== undefined) return `${notes}<p />\n`;
  return (
    '<p>The server encountered an internal error or\nmisconfiguration and was unable to complete\nyour request.</p>\n' +
    `<p>Please contact the server administrator at \n ${escapeHtml(options.serverAdmin ?? DEFAULT_SERVER_ADMIN)}` +
    ' to inform them of the time this error occurred,\n and the actions you performed just before this error.</p>\n' +
    '<p>More information about this error may be available\nin the server error log.</p>\n'
  );
}
