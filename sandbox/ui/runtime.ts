/**
 * The UI's side of the sandbox runtime. sandbox/runtime/browser picks and starts a runtime
 * (WebContainer when the page is cross-origin isolated and it boots, else the local runtime of
 * `wslab serve`, else a reason and advice; `?runtime=local|webcontainer` forces one). This module
 * gives the UI one object from the first moment, booting until the choice is made, with:
 *  - a status that is always one of booting / ready / failed (with the reason, in the page's
 *    language where the runtime gives a code for it);
 *  - requests that resolve with the reply's result and reject with its error text;
 *  - restart(), for a sandbox that failed after it ran (idle timeout, server stopped).
 */
import type { SandboxMessage } from '../runtime/protocol.ts';
import { chooseRuntime, type RequestBody, type RuntimeChoice, type SandboxConnection } from '../runtime/browser/index.ts';
import type { Locale } from './i18n.ts';

export type { RequestBody };

export type RuntimeStatus =
  | { state: 'booting'; detail?: string }
  | { state: 'ready'; runtime: string }
  | { state: 'failed'; reason: string; advice?: string };

/** What the UI needs from a runtime. */
export interface UiConnection {
  status(): RuntimeStatus;
  /** Called on every change (not at once). */
  onStatus(listener: (status: RuntimeStatus) => void): () => void;
  /** Resolves with the reply's result; rejects with the reply's error text. */
  request<T = unknown>(request: RequestBody): Promise<T>;
  onMessage(listener: (message: SandboxMessage) => void): () => void;
  /** Start a new sandbox (after a failure). */
  restart(): void;
  close(): void;
}

const RUNTIME_NAMES: Record<string, string> = { local: 'local', webcontainer: 'WebContainer' };

/** The chooser's failures in Japanese (its own texts are English); codes it may add fall back to English. */
const FAILURES_JA: Partial<Record<Extract<RuntimeChoice, { ok: false }>['code'], { reason: string; advice: string }>> = {
  'not-isolated-no-local': {
    reason:
      'このページではサンドボックスを実行できません。WebContainer（ブラウザ内の Node）には、Cross-Origin-Opener-Policy: same-origin と Cross-Origin-Embedder-Policy: require-corp のヘッダー付きで配信された（クロスオリジン分離された）ページが必要で、ローカルのランタイムも応答しませんでした。',
    advice: '手元で `npx wslab serve`（プロジェクトのフォルダでは `npm start`）を実行し、表示されたアドレスを開いてください。サンドボックスがローカルで動きます。あるいは、ビルドしたサイトを上記 2 つのヘッダー付きで配信してください。',
  },
};

function failureText(choice: Extract<RuntimeChoice, { ok: false }>, locale: Locale): { reason: string; advice: string } {
  if (locale === 'ja') {
    const translated = FAILURES_JA[choice.code];
    if (translated) return translated;
  }
  return { reason: choice.reason, advice: choice.advice };
}

export interface ConnectOptions {
  locale: Locale;
  /** Strings for "trying WebContainer…" etc. */
  trying(runtime: string): string;
  /** Start a runtime; default chooseRuntime. Tests pass a stand-in. */
  choose?: (options: { onAttempt(runtime: string): void }) => Promise<RuntimeChoice>;
}

/** A UiConnection that is booting at once and follows the runtime chooser. */
export function connectRuntime(options: ConnectOptions): UiConnection {
  const statusListeners = new Set<(status: RuntimeStatus) => void>();
  const messageListeners = new Set<(message: SandboxMessage) => void>();
  let status: RuntimeStatus = { state: 'booting' };
  let current: Promise<SandboxConnection | null> = Promise.resolve(null);
  let connection: SandboxConnection | null = null;
  let unsubscribe: Array<() => void> = [];

  const setStatus = (next: RuntimeStatus) => {
    status = next;
    for (const listener of statusListeners) listener(next);
  };

  const start = () => {
    for (const stop of unsubscribe) stop();
    unsubscribe = [];
    connection = null;
    setStatus({ state: 'booting' });
    const choose = options.choose ?? ((chooseOptions) => chooseRuntime({ onAttempt: (runtime) => chooseOptions.onAttempt(runtime) }));
    current = choose({ onAttempt: (runtime) => setStatus({ state: 'booting', detail: options.trying(RUNTIME_NAMES[runtime] ?? runtime) }) }).then(
      (choice) => {
        if (!choice.ok) {
          const text = failureText(choice, options.locale);
          setStatus({ state: 'failed', reason: text.reason, advice: text.advice });
          return null;
        }
        connection = choice.connection;
        unsubscribe.push(choice.connection.onMessage((message) => messageListeners.forEach((listener) => listener(message))));
        unsubscribe.push(
          choice.connection.onStatus((state, reason) => {
            if (state === 'ready') setStatus({ state: 'ready', runtime: RUNTIME_NAMES[choice.connection.runtime] ?? choice.connection.runtime });
            else if (state === 'failed' || state === 'closed') setStatus({ state: 'failed', reason: reason ?? 'the sandbox stopped' });
          }),
        );
        return choice.connection;
      },
      (error: unknown) => {
        setStatus({ state: 'failed', reason: error instanceof Error ? error.message : String(error) });
        return null;
      },
    );
  };
  start();

  return {
    status: () => status,
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    async request<T>(body: RequestBody): Promise<T> {
      const ready = connection ?? (await current);
      if (!ready) throw new Error(status.state === 'failed' ? status.reason : 'the sandbox is not running');
      const reply = await ready.request(body);
      if (!reply.ok) throw new Error(reply.error);
      return reply.result as T;
    },
    onMessage(listener) {
      messageListeners.add(listener);
      return () => messageListeners.delete(listener);
    },
    restart() {
      connection?.close();
      start();
    },
    close() {
      for (const stop of unsubscribe) stop();
      connection?.close();
    },
  };
}
