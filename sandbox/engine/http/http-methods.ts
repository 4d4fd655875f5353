/**
 * httpd's method registry (modules/http/http_protocol.c ap_method_registry_init and
 * lookup_builtin_method): the methods it knows without configuration, matched case-sensitively.
 * HEAD shares GET's number. RegisterHttpMethod and <Limit>/<LimitExcept> add names at startup;
 * `HttpProtocolOptions RegisteredMethods` answers any other method 501.
 */
const BUILTIN_METHODS: ReadonlySet<string> = new Set([
  'GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'PROPFIND', 'PROPPATCH', 'MKCOL',
  'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'VERSION-CONTROL', 'CHECKOUT', 'UNCHECKOUT', 'CHECKIN', 'UPDATE', 'LABEL', 'REPORT',
  'MKWORKSPACE', 'MKACTIVITY', 'BASELINE-CONTROL', 'MERGE',
]);

/** Whether httpd knows the method without any configuration (exact case). */
export function isBuiltinMethod(method: string): boolean {
  return BUILTIN_METHODS.has(method);
}

/** ap_method_number_of(method) != M_INVALID: built in, or registered by the config (exact case). */
export function isRegisteredMethod(method: string, registered: readonly string[] = []): boolean {
  return BUILTIN_METHODS.has(method) || registered.includes(method);
}
