/**
 * The settings httpd reads a request head with. ap_read_request runs with r->server still the
 * connection's base server (the first vhost of the address the client connected to, or the main
 * server), and the head is never re-checked once the Host picks another vhost, so the limits and
 * HttpProtocolOptions that apply are that server's, whatever the request's own vhost says
 * (measured: scenarios 661, 662, 663).
 *
 * - LimitRequestLine / LimitRequestFieldsize / LimitRequestFields: the server's own value; a vhost
 *   was given the main server's values as they stood when its <VirtualHost> opened (config.c
 *   ap_init_virtual_host), which the config model already recorded; else httpd's defaults.
 * - HttpProtocolOptions: each choice is the vhost's if it wrote it, else the main server's
 *   (core.c merge_core_server_configs), else the default Strict, LenientMethods, Allow0.9.
 */
import type { HttpdConfig, ServerScope } from './model.ts';

export interface RequestReadingSettings {
  limits: { requestLine: number; fieldSize: number; fields: number };
  /** Require1.0 refuses HTTP/0.9 simple requests. */
  rejectHttp09: boolean;
  /** Unsafe relaxes the request-line and header parsing (not Strict). */
  strict: boolean;
  /** RegisteredMethods answers an unknown method 501. */
  registeredMethodsOnly: boolean;
  /** Methods registered by the config (RegisterHttpMethod, <Limit>). */
  registeredMethods: readonly string[];
}

/** DEFAULT_LIMIT_REQUEST_LINE, DEFAULT_LIMIT_REQUEST_FIELDSIZE, DEFAULT_LIMIT_REQUEST_FIELDS. */
export const DEFAULT_REQUEST_LIMITS = { requestLine: 8190, fieldSize: 8190, fields: 100 } as const;

/** What the server at `serverIndex` (null: the main server) reads request heads with. */
export function requestReadingSettings(config: HttpdConfig, serverIndex: number | null): RequestReadingSettings {
  const main = config.main.server;
  const own: ServerScope = serverIndex === null ? main : (config.virtualHosts[serverIndex]?.server ?? main);
  const options = own.httpProtocolOptions;
  const mainOptions = main.httpProtocolOptions;
  const http09 = (options?.http09 ?? mainOptions?.http09)?.value ?? 'allow0.9';
  const conformance = (options?.conformance ?? mainOptions?.conformance)?.value ?? 'strict';
  const methods = (options?.methods ?? mainOptions?.methods)?.value ?? 'lenient';
  return {
    limits: {
      requestLine: own.limitRequestLine?.value ?? DEFAULT_REQUEST_LIMITS.requestLine,
      fieldSize: own.limitRequestFieldSize?.value ?? DEFAULT_REQUEST_LIMITS.fieldSize,
      fields: own.limitRequestFields?.value ?? DEFAULT_REQUEST_LIMITS.fields,
    },
    rejectHttp09: http09 === 'require1.0',
    strict: conformance === 'strict',
    registeredMethodsOnly: methods === 'registered',
    registeredMethods: config.global.registeredMethods ?? [],
  };
}
