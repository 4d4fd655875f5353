/**
 * Which runtime runs the sandbox on this page:
 *  1. WebContainer, when the page is cross-origin isolated and WebContainer boots;
 *  2. otherwise the local runtime, when the page is served by `wslab serve` (its session
 *     endpoint answers);
 *  3. otherwise nothing, with the reason and what to do.
 * `?runtime=local` or `?runtime=webcontainer` in the page URL forces one (no fallback).
 *
 * When both are possible, WebContainer gets `webContainerFallbackMs` (default 15 s) before the
 * local runtime takes over, so a browser that cannot reach StackBlitz does not wait a minute.
 */
import type { RuntimeName, SandboxConnection } from './connection.ts';
import { LOCAL_SESSION_PATH, LocalSandboxConnection } from './local-connection.ts';
import type { LocalConnectionOptions } from './local-connection.ts';
import { WebContainerSandboxConnection } from './webcontainer-connection.ts';
import type { WebContainerConnectionOptions } from './webcontainer-connection.ts';

export interface RuntimeAttempt {
  runtime: RuntimeName;
  ok: boolean;
  /** Why it was not used (absent when ok). */
  reason?: string;
}

export type RuntimeChoice =
  | { ok: true; connection: SandboxConnection; attempts: RuntimeAttempt[] }
  | {
      ok: false;
      /** Stable code for the UI's own wording. */
      code: 'not-isolated-no-local' | 'webcontainer-failed-no-local' | 'forced-runtime-failed' | 'cancelled';
      /** What went wrong, for the learner. */
      reason: string;
      /** What to do about it. */
      advice: string;
      attempts: RuntimeAttempt[];
    };

export interface ChooseRuntimeOptions {
  /** The page URL (for ?runtime=); default location.href. */
  pageUrl?: string;
  /** Server origin for the local runtime; default location.origin. */
  origin?: string;
  signal?: AbortSignal;
  /** WebContainer boot limit when no local runtime exists. Default 60 s. */
  webContainerTimeoutMs?: number;
  /** WebContainer boot limit when the local runtime could take over. Default 15 s. */
  webContainerFallbackMs?: number;
  /** Told each time a runtime is tried, e.g. to show "Starting WebContainer…". */
  onAttempt?: (runtime: RuntimeName, connection: SandboxConnection) => void;
  /** Passed through to the connections (bundle URL, fetch, WebSocket factory...). */
  webContainer?: WebContainerConnectionOptions;
  local?: LocalConnectionOptions;
  /** Whether the page may use WebContainer; default globalThis.crossOriginIsolated. */
  crossOriginIsolated?: boolean;
}

const SERVE_ADVICE = 'Run the tutorial on your machine with `npx wslab serve` (or `npm start` in the project folder) and open the address it prints; the sandbox then runs locally.';

/** Is there a local runtime behind this page? (GET on the session endpoint; no session is made.) */
export async function probeLocalRuntime(origin: string, options: { fetch?: typeof fetch; sessionPath?: string; timeoutMs?: number } = {}): Promise<boolean> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 3_000);
  try {
    const response = await doFetch(new URL(options.sessionPath ?? LOCAL_SESSION_PATH, origin).toString(), { cache: 'no-store', signal: controller.signal });
    if (!response.ok) return false;
    const body = (await response.json().catch(() => null)) as { available?: boolean } | null;
    return body?.available === true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** The runtime forced by ?runtime=, if any. */
export function forcedRuntime(pageUrl: string): RuntimeName | null {
  const value = new URL(pageUrl).searchParams.get('runtime');
  return value === 'local' || value === 'webcontainer' ? value : null;
}

/** Pick and start a runtime; resolves once a connection is ready, or with why none can run. */
export async function chooseRuntime(options: ChooseRuntimeOptions = {}): Promise<RuntimeChoice> {
  const pageUrl = options.pageUrl ?? globalThis.location.href;
  const origin = options.origin ?? new URL(pageUrl).origin;
  const isolated = options.crossOriginIsolated ?? globalThis.crossOriginIsolated === true;
  const attempts: RuntimeAttempt[] = [];
  const forced = forcedRuntime(pageUrl);

  const tryLocal = async (): Promise<SandboxConnection | null> => {
    const connection = new LocalSandboxConnection({ origin, signal: options.signal, ...options.local });
    options.onAttempt?.('local', connection);
    return settle('local', connection);
  };
  const tryWebContainer = async (timeoutMs: number): Promise<SandboxConnection | null> => {
    const connection = new WebContainerSandboxConnection({ bootTimeoutMs: timeoutMs, signal: options.signal, crossOriginIsolated: isolated, ...options.webContainer });
    options.onAttempt?.('webcontainer', connection);
    return settle('webcontainer', connection);
  };
  const settle = async (runtime: RuntimeName, connection: SandboxConnection): Promise<SandboxConnection | null> => {
    try {
      await connection.ready;
      attempts.push({ runtime, ok: true });
      return connection;
    } catch (error) {
      attempts.push({ runtime, ok: false, reason: (error as Error).message });
      connection.close();
      return null;
    }
  };
  const cancelled = (): RuntimeChoice | null =>
    options.signal?.aborted ? { ok: false, code: 'cancelled', reason: 'starting the sandbox was cancelled', advice: '', attempts } : null;

  if (forced) {
    const connection = forced === 'local' ? await tryLocal() : await tryWebContainer(options.webContainerTimeoutMs ?? 60_000);
    if (connection) return { ok: true, connection, attempts };
    return (
      cancelled() ?? {
        ok: false,
        code: 'forced-runtime-failed',
        reason: `the ${forced === 'local' ? 'local' : 'WebContainer'} runtime (forced by ?runtime=${forced}) did not start: ${attempts.at(-1)?.reason ?? 'unknown reason'}`,
        advice: forced === 'local' ? SERVE_ADVICE : 'Remove ?runtime=webcontainer from the address to let the page pick a runtime that works here.',
        attempts,
      }
    );
  }

  const localAvailable = await probeLocalRuntime(origin, { fetch: options.local?.fetch, sessionPath: options.local?.sessionPath });
  if (isolated) {
    const connection = await tryWebContainer(localAvailable ? (options.webContainerFallbackMs ?? 15_000) : (options.webContainerTimeoutMs ?? 60_000));
    if (connection) return { ok: true, connection, attempts };
    const stop = cancelled();
    if (stop) return stop;
  } else {
    attempts.push({ runtime: 'webcontainer', ok: false, reason: 'the page is not cross-origin isolated (no COOP/COEP headers)' });
  }
  if (localAvailable) {
    const connection = await tryLocal();
    if (connection) return { ok: true, connection, attempts };
    const stop = cancelled();
    if (stop) return stop;
  } else {
    attempts.push({ runtime: 'local', ok: false, reason: 'no local runtime answered (the page is not served by `wslab serve`)' });
  }
  const webContainerReason = attempts.find((attempt) => attempt.runtime === 'webcontainer')?.reason ?? '';
  if (!isolated) {
    return {
      ok: false,
      code: 'not-isolated-no-local',
      reason:
        'The sandbox cannot run on this page: WebContainer (Node in the browser) needs a cross-origin isolated page, served with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp, and no local runtime answered.',
      advice: `${SERVE_ADVICE} Or host the built site with those two headers.`,
      attempts,
    };
  }
  return {
    ok: false,
    code: 'webcontainer-failed-no-local',
    reason: `The sandbox could not start: ${webContainerReason || 'WebContainer did not boot'}${localAvailable ? `; the local runtime failed too: ${attempts.at(-1)?.reason ?? ''}` : ', and no local runtime answered.'}`,
    advice: `WebContainer needs a recent Chrome, Edge, Firefox or Safari with access to stackblitz.com. ${SERVE_ADVICE}`,
    attempts,
  };
}
