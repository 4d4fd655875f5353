/**
 * The sandbox from the page: start a runtime, send requests, listen to events. Runs in the
 * browser (DOM, no node:*). The UI builds on this module only.
 *
 * ## Start
 *
 *   import { chooseRuntime } from '../runtime/browser/index.ts';
 *
 *   const choice = await chooseRuntime({ onAttempt: (runtime, connection) => showBooting(runtime) });
 *   if (!choice.ok) { showProblem(choice.reason, choice.advice); return; }   // choice.code for i18n
 *   const sandbox = choice.connection;                                       // status 'ready'
 *
 * chooseRuntime tries WebContainer when the page is cross-origin isolated (falls back after 15 s
 * when a local runtime exists, 60 s otherwise), then the local runtime of `wslab serve`; with
 * `?runtime=local` or `?runtime=webcontainer` in the page URL it tries only that one. It resolves
 * once a sandbox said `ready` (backends up; no config running yet), or with `ok: false`, a
 * `code` ('not-isolated-no-local' | 'webcontainer-failed-no-local' | 'forced-runtime-failed' |
 * 'cancelled'), a `reason` and `advice` in English, and `attempts` (what each runtime said).
 * Pass `signal` to cancel. `new LocalSandboxConnection()` / `new WebContainerSandboxConnection()`
 * start one runtime directly.
 *
 * ## SandboxConnection
 *
 *   sandbox.runtime                 'local' | 'webcontainer'
 *   sandbox.status / sandbox.reason 'booting' | 'ready' | 'failed' | 'closed', and why (failed/closed)
 *   sandbox.ready                   Promise<void>, rejects with Error(reason) if it fails first
 *   sandbox.onStatus((status, reason) => …)   → unsubscribe; called at once with the current status
 *   sandbox.onMessage((event) => …)           → unsubscribe; every non-reply message, in order
 *   sandbox.request(body, { timeoutMs }?)     → Promise<reply>; never rejects (timeouts and lost
 *                                               connections resolve as { ok: false, error })
 *   sandbox.close()                 kills the sandbox (process and socket)
 *
 * A connection that fails (the local server stopped, the idle timeout of 30 min without a request
 * passed, the process died) goes to 'failed' with a reason; make a new one to continue. Requests
 * made while 'booting' are sent once ready.
 *
 * ## Requests (sandbox/runtime/protocol.ts has the exact types; the id is added for you)
 *
 *   { type: 'apply-config', text }          → ConfigResult { configtest (the exact text of
 *       `apachectl configtest`, "Syntax OK" or "AH00526: Syntax error on line N of
 *       /etc/apache2/sites-enabled/000-default.conf: …" plus apache2ctl's "Action 'configtest'
 *       failed." lines), exitCode, diagnostics (for Monaco markers: file, line, column, length,
 *       severity, code, message; show those whose file is /etc/apache2/sites-enabled/000-default.conf),
 *       applied (true: this config now runs; false: the previous one, if any, keeps running),
 *       startupErrors (httpd's start-time failure lines, e.g. AH02432, when configtest passed but
 *       httpd would not start) }. The first success starts Apache, later ones are graceful restarts.
 *   { type: 'backend', backend: 'echo' | 'app', action: 'start' | 'stop' } → BackendStates
 *   { type: 'client-open', client: 'c1', options: { path, host?, headers?, protocols?, origin?, tls? } }
 *       → ok once started; then client-event messages for 'c1'. `path` is "/ws/" or a URL
 *       ("ws://localhost:8000/ws/", "wss://example.com/ws/"); the port comes from the URL or the
 *       Host, else the config's Listen 80 (443 when tls).
 *   { type: 'client-open-many', prefix: 'w', count: 5, options }   → clients w-1 … w-5
 *   { type: 'client-send', client, text } or { …, binaryHex: '00ff' }
 *   { type: 'client-close', client, code?, reason? }
 *   { type: 'http-request', method: 'GET', path: '/', headers?, body?, tls? } → HttpResult { status, headers: [name, value][], body }
 *   { type: 'run-checks', checks: exercise.checks } → CheckResult[] { id, passed, failures, outcome }
 *   { type: 'ping' }
 *
 * ## Events (onMessage)
 *
 *   { type: 'ready', version, runtime }
 *   { type: 'tap', event: TapEvent }   connection-open, head (each hop, raw text), route (which
 *       directive decided, file and line), response, frame, tunnel-close, connection-close,
 *       worker-wait, error-log { line } (the error log, with httpd's format), access-log { line }
 *       (the access log; held back while BufferedLogs On, as httpd does).
 *   { type: 'backend-state', states: { echo: 'running' | 'stopped', app: … } }
 *   { type: 'backend-observation', observation: { backend, method, path, headers } }
 *   { type: 'client-event', client, event }   open { status: 101, headers, protocol } |
 *       rejected { status, headers, body } (final) | message { direction: 'in' | 'out', text | binaryHex } |
 *       error { message } (then closed) | closed { code, reason } (final)
 *   { type: 'notice', level: 'info' | 'warn' | 'error', message }   limits hit, faults, the
 *       process stopping; show them.
 *
 * Limits: 1 MiB per request line, 64 test clients, 50 checks per run-checks. Test clients and
 * checks can only reach the sandbox's own Apache; Apache can only reach localhost:8080 (echo) and
 * localhost:3000 (app). Other loopback ports refuse connections, other hosts are blocked (503).
 */
export { chooseRuntime, forcedRuntime, probeLocalRuntime } from './choose-runtime.ts';
export type { ChooseRuntimeOptions, RuntimeAttempt, RuntimeChoice } from './choose-runtime.ts';
export { LineProtocolConnection } from './connection.ts';
export type { ReplyOf, RequestBody, RequestOptions, RequestType, ResultMap, RuntimeName, SandboxConnection, SandboxEvent, SandboxStatus } from './connection.ts';
export { LOCAL_SESSION_PATH, LocalSandboxConnection, requestSessionGrant } from './local-connection.ts';
export type { LocalConnectionOptions, SessionGrant, WebSocketLike } from './local-connection.ts';
export { DEFAULT_BUNDLE_URL, WebContainerSandboxConnection } from './webcontainer-connection.ts';
export type { WebContainerApi, WebContainerConnectionOptions } from './webcontainer-connection.ts';
export type { BackendStates, CheckResult, ClientEvent, ClientOpenOptions, ConfigResult, HttpResult, SandboxMessage, SandboxRequest } from '../protocol.ts';
export { PROTOCOL_VERSION, VIRTUAL_PORTS, VIRTUAL_TLS_FILES } from '../protocol.ts';
