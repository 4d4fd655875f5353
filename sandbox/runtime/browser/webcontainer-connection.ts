/**
 * The WebContainer runtime: Node in the browser tab. Boots WebContainer (one per page), mounts the
 * prebuilt sandbox bundle fetched from /sandbox/sandbox.mjs (one file, no npm install), spawns
 * `node sandbox.mjs` and speaks the protocol over the process's terminal: lines written to its
 * input, lines read from its output ("\r\n" endings and anything that is not a message ignored).
 *
 * Needs a cross-origin isolated page (COOP same-origin + COEP require-corp, which `wslab serve`
 * and the built site's headers give) and network access to StackBlitz's WebContainer service.
 */
import type { WebContainer, WebContainerProcess } from '@webcontainer/api';
import { LineProtocolConnection, withDeadline } from './connection.ts';
import type { RuntimeName } from './connection.ts';

export const DEFAULT_BUNDLE_URL = '/sandbox/sandbox.mjs';

/** What the connection needs from @webcontainer/api (tests and other hosts can pass their own). */
export interface WebContainerApi {
  WebContainer: { boot(options?: { coep?: 'require-corp' | 'credentialless' | 'none'; workdirName?: string }): Promise<WebContainer> };
}

export interface WebContainerConnectionOptions {
  bundleUrl?: string;
  /** Give up booting after this long (WebContainer's first boot downloads its runtime). Default 60 s. */
  bootTimeoutMs?: number;
  signal?: AbortSignal;
  /** Default: import('@webcontainer/api'), loaded only when this runtime is tried. */
  loadApi?: () => Promise<WebContainerApi>;
  fetch?: typeof fetch;
  /** Whether the page is cross-origin isolated; default globalThis.crossOriginIsolated. */
  crossOriginIsolated?: boolean;
}

/** Only one WebContainer may exist per page; it is shared and torn down with its connection. */
let sharedContainer: Promise<WebContainer> | null = null;

export class WebContainerSandboxConnection extends LineProtocolConnection {
  readonly runtime: RuntimeName = 'webcontainer';
  /** What booting is doing now, for a progress line. */
  phase = 'waiting';
  private process: WebContainerProcess | null = null;
  private writer: WritableStreamDefaultWriter<string> | null = null;
  private container: WebContainer | null = null;

  constructor(options: WebContainerConnectionOptions = {}) {
    super();
    const timeoutMs = options.bootTimeoutMs ?? 60_000;
    withDeadline(this.boot(options), timeoutMs, `WebContainer did not start within ${Math.round(timeoutMs / 1000)} s (it loads from stackblitz.com; is that reachable?)`, options.signal).catch(
      (error: Error) => this.fail(error.message),
    );
  }

  private async boot(options: WebContainerConnectionOptions): Promise<void> {
    if (!(options.crossOriginIsolated ?? globalThis.crossOriginIsolated)) {
      throw new Error('this page is not cross-origin isolated (it needs the Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy headers), so WebContainer cannot run');
    }
    const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    const bundleUrl = options.bundleUrl ?? DEFAULT_BUNDLE_URL;
    this.phase = 'downloading the sandbox';
    const bundle = doFetch(bundleUrl, { cache: 'no-cache' }).then(async (response) => {
      if (!response.ok) throw new Error(`the sandbox bundle ${bundleUrl} is missing (HTTP ${response.status}); build it with \`node sandbox/runtime/build-bundle.ts\``);
      return response.text();
    });
    bundle.catch(() => undefined);
    this.phase = 'starting WebContainer';
    const loadApi = options.loadApi ?? (() => import('@webcontainer/api') as Promise<WebContainerApi>);
    if (!sharedContainer) {
      sharedContainer = loadApi().then((api) => api.WebContainer.boot({ coep: 'require-corp', workdirName: 'wslab' }));
      sharedContainer.catch(() => {
        sharedContainer = null;
      });
    }
    let container: WebContainer;
    try {
      container = await sharedContainer;
    } catch (error) {
      throw new Error(`WebContainer did not start: ${(error as Error).message}`);
    }
    this.container = container;
    if (this.status !== 'booting') return;
    await container.mount({ 'sandbox.mjs': { file: { contents: await bundle } } });
    this.phase = 'starting Node';
    const process = await container.spawn('node', ['sandbox.mjs'], {
      env: { WSLAB_RUNTIME: 'webcontainer' },
      // A wide terminal: protocol lines are long, and nothing should ever wrap them.
      terminal: { cols: 10_000, rows: 50 },
    });
    this.process = process;
    this.writer = process.input.getWriter();
    void process.output
      .pipeTo(
        new WritableStream<string>({
          write: (chunk) => this.receiveText(chunk),
        }),
      )
      .catch(() => undefined);
    void process.exit.then((code) => this.fail(`the sandbox process exited (code ${code}) inside WebContainer`));
    this.phase = 'waiting for the sandbox';
    await this.ready;
    this.phase = 'ready';
  }

  protected sendLine(line: string): void {
    if (!this.writer) throw new Error('the sandbox process is not running');
    void this.writer.write(`${line}\n`).catch((error: Error) => this.fail(`could not write to the sandbox process: ${error.message}`));
  }

  protected shutdown(): void {
    try {
      this.process?.kill();
    } finally {
      this.process = null;
      this.writer = null;
      if (this.container) {
        this.container.teardown();
        this.container = null;
        sharedContainer = null;
      }
    }
  }
}
