/**
 * The sandbox's entry module (site/src/sandbox-hook/contract.ts). The lesson page imports it when
 * the reader first presses "Open sandbox"; importing it only registers the listener. The sandbox
 * itself (app.ts, and Monaco inside it) is a further lazy chunk, which prepareSandbox starts
 * downloading so that the page's "opening…" status covers it.
 */
import { OPEN_SANDBOX_EVENT, type OpenSandboxDetail } from '../../site/src/sandbox-hook/contract.ts';

type AppModule = typeof import('./app.ts');

let appModule: Promise<AppModule> | undefined;

function loadApp(): Promise<AppModule> {
  appModule ??= import('./app.ts').catch((error: unknown) => {
    appModule = undefined; // Let the next press try again.
    throw error;
  });
  return appModule;
}

function showLoadFailure(host: HTMLElement, error: unknown): void {
  const message = document.createElement('p');
  message.setAttribute('role', 'alert');
  message.textContent = `The sandbox could not load: ${error instanceof Error ? error.message : String(error)}`;
  host.replaceChildren(message);
  host.hidden = false;
}

window.addEventListener(OPEN_SANDBOX_EVENT, (event) => {
  const detail: OpenSandboxDetail = event.detail;
  loadApp()
    .then((module) => module.openSandbox(detail))
    .catch((error: unknown) => {
      console.error('wslab: the sandbox failed to load', error);
      showLoadFailure(detail.host, error);
    });
});

/** Called by the page once after import: fetch the sandbox chunk while "opening…" is shown. */
export async function prepareSandbox(): Promise<void> {
  await loadApp();
}
