/**
 * The sandbox, mounted into the lesson page's <aside>: status line, config editor with live
 * configtest, Run, backend toggles, the test client, the traffic view and httpd's logs, and the
 * exercise controls (Check, Show solution, Reset, share link, progress export/import).
 *
 * Loaded only when the reader opens the sandbox (entry.ts imports this module on demand); Monaco
 * is a further lazy import inside, so the status line and controls appear before the editor.
 */
import type { Check } from '../engine/probe.ts';
import type { CheckFailure } from '../engine/probe.ts';
import type { ConfigDiagnostic } from '../engine/config/diagnostics.ts';
import type { BackendStates, CheckResult, ConfigResult, SandboxMessage } from '../runtime/protocol.ts';
import type { OpenSandboxDetail, SandboxExercise } from '../../site/src/sandbox-hook/contract.ts';
import { markLessonDone } from '../../site/src/scripts/progress.ts';
import { el, icon, inlineText, replaceChildren } from './dom.ts';
import { countProblems, LEARNER_FILE } from './editor/markers.ts';
import { liveConfigtest } from './live-configtest.ts';
import { strings, type Locale, type SandboxStrings } from './i18n.ts';
import { connectRuntime, type RequestBody, type RuntimeStatus, type UiConnection } from './runtime.ts';
import { safeHtmlFragment } from './safe-html.ts';
import { hashWithoutSharedConfig, readSharedConfig, shareLink } from './share.ts';
import {
  clearPrevious,
  exportProgress,
  importProgress,
  loadConfig,
  loadPrevious,
  savePrevious,
  saveConfig,
  type StorageLike,
} from './storage.ts';
import { applyTapEvent, emptyTraffic, startGeneration, type ArrowLabels, type TrafficState } from './traffic-model.ts';
import { ClientPanel } from './views/client-panel.ts';
import { LogsView } from './views/logs-view.ts';
import { TrafficView } from './views/traffic-view.ts';
import { addSandboxStyles } from './styles.ts';

type ConfigEditorModule = typeof import('./editor/config-editor.ts');
type ConfigEditor = InstanceType<ConfigEditorModule['ConfigEditor']>;

export interface SandboxOptions {
  /** How to reach a runtime; default: sandbox/runtime/browser's choice (connectRuntime). */
  connect?: () => UiConnection;
  storage?: StorageLike;
}

const ARROW_LABELS_JA: ArrowLabels = {
  connect: (client, tls) => `TCP${tls ? '+TLS' : ''} 接続（${client}）`,
  workerWait: (busy, limit) => `ワーカー待ち（${limit} 中 ${busy} が使用中）`,
  tunnelClosed: (reason, duration) => `トンネル終了: ${reason}（${duration}）`,
  connectionClosed: (reason) => `接続終了（${reason}）`,
};

const PLAY_ICON = 'M5 3l8 5-8 5z';

function isLearnerFile(file: string): boolean {
  return file === LEARNER_FILE;
}

/** The part of an exercise check the protocol carries (titles and hints stay in the page). */
function protocolCheck(check: SandboxExercise['checks'][number]): Check {
  const { id, setup, probe, expect } = check;
  return setup ? { id, setup, probe, expect } : { id, probe, expect };
}

function defaultPath(exercise: SandboxExercise): string {
  const ws = exercise.checks.find((check) => check.probe.kind === 'ws' || check.probe.kind === 'ws-many');
  return ws && 'path' in ws.probe ? ws.probe.path : '/';
}

function formatValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? 'undefined' : text.length > 400 ? `${text.slice(0, 399)}…` : text;
}

function timeOfDay(date: Date, locale: Locale): string {
  return date.toLocaleTimeString(locale === 'ja' ? 'ja-JP' : 'en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export class SandboxApp {
  readonly root: HTMLElement;
  private readonly t: SandboxStrings;
  private readonly locale: Locale;
  private readonly storage: StorageLike;
  private connection: UiConnection | null = null;
  private editor: ConfigEditor | null = null;
  private pendingText: string;
  private appliedText: string | null = null;
  private lastRun: { text: string; result: ConfigResult } | null = null;
  private traffic: TrafficState = emptyTraffic();
  private readonly arrowLabels: ArrowLabels | undefined;
  private liveTimer = 0;
  private saveTimer = 0;
  private saveWarned = false;
  private busy = false;

  // Elements updated later.
  private readonly statusRuntime: HTMLElement;
  private readonly statusRun: HTMLElement;
  private readonly statusAdvice: HTMLElement;
  private readonly restartButton: HTMLButtonElement;
  private readonly notices: HTMLElement;
  private readonly banner: HTMLElement;
  private readonly checkResults: HTMLElement;
  private readonly editorHost: HTMLElement;
  private readonly diffHost: HTMLElement;
  private readonly diffBar: HTMLElement;
  private readonly runButton: HTMLButtonElement;
  private readonly checkButton: HTMLButtonElement;
  private readonly solutionButton: HTMLButtonElement;
  private readonly runMessage: HTMLElement;
  private readonly problems: HTMLElement;
  private readonly configtestLabel: HTMLElement;
  private readonly configtestOutput: HTMLElement;
  private readonly backendButtons: Record<'echo' | 'app', HTMLButtonElement>;
  private readonly client: ClientPanel;
  private readonly trafficView: TrafficView;
  private readonly logsView: LogsView;

  private readonly detail: OpenSandboxDetail;
  private readonly options: SandboxOptions;

  constructor(detail: OpenSandboxDetail, options: SandboxOptions = {}) {
    this.detail = detail;
    this.options = options;
    this.locale = detail.locale === 'ja' ? 'ja' : 'en';
    this.t = strings(this.locale);
    this.storage = options.storage ?? window.localStorage;
    this.arrowLabels = this.locale === 'ja' ? ARROW_LABELS_JA : undefined;
    const t = this.t;
    const exercise = detail.exercise;
    this.pendingText = loadConfig(this.storage, detail.lesson)?.config ?? exercise.startConfig;

    // Status line: always visible.
    this.statusRuntime = el('span', { class: 'wsb-pill wsb-pill-booting', testid: 'runtime-status', 'data-state': 'booting' }, `${t.runtime.label}: ${t.runtime.booting}`);
    this.statusRun = el('span', { class: 'wsb-run-state', testid: 'run-state' }, t.running.none);
    this.statusAdvice = el('p', { class: 'wsb-advice', testid: 'runtime-advice' });
    this.restartButton = el('button', { type: 'button', class: 'wsb-btn wsb-btn-small', testid: 'runtime-restart', hidden: true, onclick: () => this.restartRuntime() }, t.runtime.restart);
    this.notices = el('div', { class: 'wsb-notices', testid: 'notices' });
    // Only the runtime's state is announced; the run state changes with every keystroke.
    this.statusRuntime.setAttribute('role', 'status');
    const status = el('div', { class: 'wsb-status' }, this.statusRuntime, this.statusRun, this.restartButton, this.statusAdvice);

    // Exercise controls.
    this.checkButton = el('button', { type: 'button', class: 'wsb-btn wsb-btn-primary', testid: 'check-button', onclick: () => void this.runChecks() }, t.exercise.check);
    this.solutionButton = el('button', { type: 'button', class: 'wsb-btn', testid: 'solution-button', 'aria-pressed': 'false', onclick: () => this.toggleSolution() }, t.exercise.showSolution);
    const importInput = el('input', { type: 'file', accept: 'application/json,.json', class: 'wsb-visually-hidden', testid: 'import-input', tabindex: -1 });
    importInput.addEventListener('change', () => void this.importFile(importInput));
    const progressMenu = el(
      'details',
      { class: 'wsb-menu' },
      el('summary', { class: 'wsb-btn', testid: 'progress-menu' }, t.progress.menu),
      el(
        'div',
        { class: 'wsb-menu-items' },
        el('button', { type: 'button', class: 'wsb-btn', testid: 'export-button', onclick: () => this.exportFile() }, t.progress.export),
        el('button', { type: 'button', class: 'wsb-btn', testid: 'import-button', onclick: () => importInput.click() }, t.progress.import),
        importInput,
      ),
    );
    this.banner = el('div', { class: 'wsb-banner', testid: 'banner', hidden: true, role: 'region', 'aria-live': 'polite' });
    this.checkResults = el('ol', { class: 'wsb-check-results', testid: 'check-results', hidden: true });
    const instructions = el(
      'details',
      { class: 'wsb-instructions' },
      el('summary', {}, `${t.exercise.instructions}: ${exercise.title[this.locale]}`),
      safeHtmlFragment(exercise.instructionsHtml[this.locale]),
    );

    // Editor, Run, configtest.
    this.editorHost = el('div', { class: 'wsb-editor', testid: 'sandbox-editor' }, el('p', { class: 'wsb-muted wsb-editor-loading' }, t.editor.loading));
    this.diffHost = el('div', { class: 'wsb-editor wsb-diff-editor', testid: 'solution-diff', hidden: true });
    this.diffBar = el(
      'div',
      { class: 'wsb-diff-bar', hidden: true },
      el('p', { class: 'wsb-small' }, el('strong', {}, t.exercise.solutionHeading), ' ', t.exercise.solutionNote),
      el('button', { type: 'button', class: 'wsb-btn wsb-btn-small', testid: 'use-solution', onclick: () => this.useSolution() }, t.exercise.copySolution),
    );
    this.runButton = el('button', { type: 'button', class: 'wsb-btn wsb-btn-primary', testid: 'run-button', onclick: () => void this.applyConfig(), title: 'Ctrl+Enter' }, icon(PLAY_ICON), t.editor.run);
    this.runMessage = el('div', { class: 'wsb-run-message', testid: 'run-message', role: 'alert' });
    this.problems = el('span', { class: 'wsb-problems', testid: 'problems-summary' });
    this.configtestLabel = el('span', {}, t.editor.liveConfigtest);
    this.configtestOutput = el('pre', { class: 'wsb-pre wsb-configtest', testid: 'configtest-output' });

    // Backends.
    const backendButton = (name: 'echo' | 'app') =>
      el('button', { type: 'button', class: 'wsb-toggle', testid: `backend-${name}`, 'data-state': 'unknown', 'aria-pressed': 'false', onclick: () => void this.toggleBackend(name) });
    this.backendButtons = { echo: backendButton('echo'), app: backendButton('app') };
    this.renderBackends(null);

    this.client = new ClientPanel({ t, defaultPath: defaultPath(exercise), request: (body) => this.request(body) });
    this.trafficView = new TrafficView({
      locale: this.locale,
      t,
      showLine: (line, connection) => this.editor?.highlightLine(line, `${t.traffic.connection(connection)}`),
      isLearnerFile,
      onClear: () => this.clearTraffic(),
    });
    this.logsView = new LogsView(t);

    this.root = el(
      'div',
      { class: 'wsb-root', testid: 'sandbox-root', lang: this.locale },
      el(
        'header',
        { class: 'wsb-header' },
        el('h2', { class: 'wsb-title' }, t.title),
        el('button', { type: 'button', class: 'wsb-btn wsb-btn-small wsb-close', testid: 'sandbox-close', onclick: () => this.hide() }, t.close),
      ),
      status,
      this.notices,
      el(
        'section',
        { class: 'wsb-section wsb-exercise' },
        instructions,
        el(
          'div',
          { class: 'wsb-row' },
          this.checkButton,
          this.solutionButton,
          el('button', { type: 'button', class: 'wsb-btn', testid: 'reset-button', onclick: () => this.reset() }, t.exercise.reset),
          el('button', { type: 'button', class: 'wsb-btn', testid: 'share-button', onclick: () => void this.share() }, t.share.share),
          progressMenu,
        ),
        this.banner,
        this.checkResults,
      ),
      el(
        'section',
        { class: 'wsb-section wsb-editor-section' },
        el('h3', { class: 'wsb-editor-label', id: 'wsb-editor-label' }, t.editor.label),
        this.diffBar,
        this.editorHost,
        this.diffHost,
        el('div', { class: 'wsb-row' }, this.runButton, this.problems),
        this.runMessage,
        el('details', { class: 'wsb-configtest-panel', open: true }, el('summary', { testid: 'configtest-label' }, this.configtestLabel), this.configtestOutput),
      ),
      el(
        'section',
        { class: 'wsb-section wsb-backends' },
        el('h3', {}, t.backends.heading),
        el('div', { class: 'wsb-row' }, this.backendButtons.echo, this.backendButtons.app),
      ),
      this.client.element,
      this.trafficView.element,
      this.logsView.element,
    );
  }

  /** Render into the host, start the editor and the runtime. */
  async start(): Promise<void> {
    addSandboxStyles();
    replaceChildren(this.detail.host, this.root);
    this.detail.host.hidden = false;
    this.runLiveConfigtest(this.pendingText);
    this.handleSharedLink();
    this.startRuntime();
    await this.loadEditor();
  }

  /** Show the sandbox again (the page's button was pressed once more). */
  show(): void {
    this.detail.host.hidden = false;
    if (!this.detail.host.contains(this.root)) replaceChildren(this.detail.host, this.root);
    this.root.scrollIntoView({ block: 'nearest' });
  }

  hide(): void {
    this.detail.host.hidden = true;
    document.querySelector<HTMLElement>('[data-open-sandbox]')?.focus();
  }

  // ---- Editor --------------------------------------------------------------------------------

  private currentText(): string {
    return this.editor ? this.editor.getValue() : this.pendingText;
  }

  private setText(text: string): void {
    this.pendingText = text;
    if (this.editor) this.editor.setValue(text);
    else this.onEdit(text);
  }

  private async loadEditor(): Promise<void> {
    try {
      // Monaco reads its own UI strings (find widget, context menu) when its modules first run.
      if (this.locale === 'ja') await import('./editor/monaco-ja.ts');
      const module: ConfigEditorModule = await import('./editor/config-editor.ts');
      this.editorHost.replaceChildren();
      this.editor = new module.ConfigEditor({
        container: this.editorHost,
        value: this.pendingText,
        locale: this.locale,
        ariaLabel: this.t.editor.label,
        onChange: (text) => this.onEdit(text),
        onRun: () => void this.applyConfig(),
      });
      this.editorHost.dataset.ready = 'true';
      this.runLiveConfigtest(this.editor.getValue());
    } catch (error) {
      console.error('wslab: the editor failed to load', error);
      replaceChildren(this.editorHost, el('p', { class: 'wsb-bad' }, this.t.editor.failed(error instanceof Error ? error.message : String(error))));
    }
  }

  private onEdit(text: string): void {
    this.pendingText = text;
    window.clearTimeout(this.saveTimer);
    this.saveTimer = window.setTimeout(() => {
      if (!saveConfig(this.storage, this.detail.lesson, text) && !this.saveWarned) {
        this.saveWarned = true;
        this.notice('warn', this.t.progress.saveFailed);
      }
    }, 250);
    window.clearTimeout(this.liveTimer);
    this.liveTimer = window.setTimeout(() => this.runLiveConfigtest(text), 300);
    this.renderRunState();
  }

  /** Run configtest in the page and show its markers and output (unless the last Run is current). */
  private runLiveConfigtest(text: string): void {
    if (this.lastRun && this.lastRun.text === text) {
      this.showConfigtest(this.lastRun.result.configtest, this.lastRun.result.diagnostics, this.t.editor.lastRunConfigtest);
      return;
    }
    let result: ReturnType<typeof liveConfigtest>;
    try {
      result = liveConfigtest(text);
    } catch (error) {
      // The engine never throws on config text; if it does, say so instead of freezing the panel.
      result = { output: `wslab: configtest failed: ${error instanceof Error ? error.message : String(error)}\n`, exitCode: 1, diagnostics: [] };
    }
    this.showConfigtest(result.output, result.diagnostics, this.t.editor.liveConfigtest);
  }

  private showConfigtest(output: string, diagnostics: ConfigDiagnostic[], label: string): void {
    this.configtestLabel.textContent = label;
    this.configtestOutput.replaceChildren(el('span', { class: 'wsb-prompt' }, `${this.t.editor.configtestTitle}\n`), output);
    this.configtestOutput.dataset.ok = String(!/Syntax error|^AH00526|was not closed/m.test(output) && /Syntax OK/.test(output));
    const { errors, warnings } = countProblems(diagnostics);
    this.problems.textContent = errors + warnings === 0 ? this.t.editor.noProblems : this.t.editor.problems(errors, warnings);
    this.problems.dataset.errors = String(errors);
    this.editor?.setDiagnostics(diagnostics);
  }

  // ---- Runtime -------------------------------------------------------------------------------

  private startRuntime(): void {
    const connect = this.options.connect ?? (() => connectRuntime({ locale: this.locale, trying: this.t.runtime.trying }));
    try {
      this.connection = connect();
    } catch (error) {
      this.renderRuntimeStatus({ state: 'failed', reason: error instanceof Error ? error.message : String(error) });
      return;
    }
    this.connection.onStatus((status) => this.renderRuntimeStatus(status));
    this.connection.onMessage((message) => this.handleMessage(message));
    this.renderRuntimeStatus(this.connection.status());
  }

  private renderRuntimeStatus(status: RuntimeStatus): void {
    const t = this.t.runtime;
    const text = status.state === 'ready' ? t.ready(status.runtime) : status.state === 'failed' ? t.failed(status.reason) : (status.detail ?? t.booting);
    this.statusRuntime.textContent = `${t.label}: ${text}`;
    this.statusRuntime.dataset.state = status.state;
    this.statusRuntime.className = `wsb-pill wsb-pill-${status.state}`;
    this.root.dataset.runtime = status.state;
    replaceChildren(this.statusAdvice, status.state === 'failed' && status.advice ? inlineText(status.advice) : null);
    this.restartButton.hidden = status.state !== 'failed';
    if (status.state !== 'ready') {
      // A new sandbox starts with nothing running and new backends.
      this.appliedText = null;
      this.renderBackends(null);
      this.renderRunState();
    }
  }

  private restartRuntime(): void {
    this.client.forgetSockets();
    this.clearTraffic();
    this.connection?.restart();
  }

  private ready(): boolean {
    return this.connection !== null && this.connection.status().state === 'ready';
  }

  private request<T = unknown>(body: RequestBody): Promise<T> {
    if (!this.connection) return Promise.reject(new Error(this.t.runtime.booting));
    const status = this.connection.status();
    if (status.state === 'failed') return Promise.reject(new Error(status.reason));
    return this.connection.request<T>(body);
  }

  private handleMessage(message: SandboxMessage): void {
    switch (message.type) {
      case 'tap': {
        const { connection } = applyTapEvent(this.traffic, message.event, this.arrowLabels);
        this.trafficView.update(this.traffic, [connection]);
        this.logsView.update(this.traffic);
        // The routing decision's line lights up in the editor while the editor shows the running config.
        const routing = message.event.type === 'route' ? message.event.routing : null;
        if (routing?.matched && isLearnerFile(routing.matched.file) && this.appliedText !== null && this.appliedText === this.currentText()) {
          this.editor?.highlightLine(routing.matched.line, this.t.traffic.connection(connection));
        }
        break;
      }
      case 'backend-state':
        this.renderBackends(message.states);
        break;
      case 'client-event':
        this.client.handleEvent(message.client, message.event);
        break;
      case 'notice':
        this.notice(message.level, message.message);
        break;
      default:
        break;
    }
  }

  private notice(level: 'info' | 'warn' | 'error', message: string): void {
    const item = el('p', { class: `wsb-notice wsb-notice-${level}`, testid: 'notice', 'data-level': level }, el('strong', {}, `${this.t.notices[level]}: `), message);
    this.notices.appendChild(item);
    while (this.notices.childElementCount > 3) this.notices.firstElementChild?.remove();
  }

  private clearTraffic(): void {
    this.traffic = emptyTraffic();
    this.trafficView.clear();
    this.logsView.clear();
  }

  // ---- Run -----------------------------------------------------------------------------------

  /** apply-config with the editor's text: applied, refused by configtest/startup, or not run at all. */
  private async applyConfig(): Promise<'applied' | 'refused' | 'error'> {
    if (this.busy) return 'error';
    const text = this.currentText();
    this.setBusy(true, this.runButton, this.t.editor.running);
    this.runMessage.replaceChildren();
    try {
      const result = await this.request<ConfigResult>({ type: 'apply-config', text });
      this.lastRun = { text, result };
      if (this.currentText() === text) this.showConfigtest(result.configtest, result.diagnostics, this.t.editor.lastRunConfigtest);
      if (result.applied) {
        startGeneration(this.traffic);
        this.appliedText = text;
        this.appliedAt = new Date();
        this.client.forgetSockets();
        this.runMessage.dataset.state = 'applied';
      } else {
        const lines = [this.t.running.refused, this.appliedText !== null ? this.t.running.keptPrevious : this.t.running.nothingRunning];
        this.runMessage.dataset.state = 'refused';
        replaceChildren(
          this.runMessage,
          el('p', { class: 'wsb-bad' }, lines.join(' ')),
          result.startupErrors.length > 0 ? el('pre', { class: 'wsb-pre', testid: 'startup-errors' }, `${this.t.editor.startupErrors}\n${result.startupErrors.join('\n')}`) : null,
        );
      }
      return result.applied ? 'applied' : 'refused';
    } catch (error) {
      this.runMessage.dataset.state = 'error';
      replaceChildren(this.runMessage, el('p', { class: 'wsb-bad' }, this.t.running.cannotRun(error instanceof Error ? error.message : String(error))));
      return 'error';
    } finally {
      this.setBusy(false, this.runButton);
      this.renderRunState();
    }
  }

  private appliedAt: Date | null = null;

  private renderRunState(): void {
    const t = this.t.running;
    let text: string;
    if (this.appliedText === null) text = t.none;
    else text = t.applied(timeOfDay(this.appliedAt ?? new Date(), this.locale)) + (this.appliedText !== this.currentText() ? ` ${t.unsaved}` : '');
    this.statusRun.textContent = text;
    this.statusRun.dataset.applied = String(this.appliedText !== null);
    this.statusRun.dataset.current = String(this.appliedText !== null && this.appliedText === this.currentText());
  }

  private setBusy(busy: boolean, button: HTMLButtonElement, label?: string): void {
    this.busy = busy;
    button.disabled = busy;
    button.setAttribute('aria-busy', String(busy));
    if (busy && label) {
      button.dataset.label = button.textContent ?? '';
      button.lastChild!.textContent = label;
    } else if (!busy && button.dataset.label !== undefined) {
      button.lastChild!.textContent = button === this.runButton ? this.t.editor.run : this.t.exercise.check;
      delete button.dataset.label;
    }
  }

  // ---- Backends ------------------------------------------------------------------------------

  private renderBackends(states: BackendStates | null): void {
    for (const name of ['echo', 'app'] as const) {
      const state = states?.[name] ?? 'unknown';
      const button = this.backendButtons[name];
      button.dataset.state = state;
      button.setAttribute('aria-pressed', String(state === 'running'));
      const label = state === 'running' ? this.t.backends.running : state === 'stopped' ? this.t.backends.stopped : this.t.backends.unknown;
      replaceChildren(
        button,
        el('span', { class: 'wsb-toggle-dot', 'aria-hidden': 'true' }),
        el('span', { class: 'wsb-toggle-name' }, this.t.backends[name]),
        el('span', { class: 'wsb-toggle-state' }, label),
        el('span', { class: 'wsb-toggle-action' }, state === 'running' ? this.t.backends.stop : this.t.backends.start),
      );
    }
  }

  private async toggleBackend(name: 'echo' | 'app'): Promise<void> {
    const action = this.backendButtons[name].dataset.state === 'running' ? 'stop' : 'start';
    this.backendButtons[name].disabled = true;
    try {
      const states = await this.request<BackendStates | undefined>({ type: 'backend', backend: name, action });
      if (states && typeof states === 'object' && 'echo' in states) this.renderBackends(states);
    } catch (error) {
      this.notice('error', this.t.client.requestFailed(error instanceof Error ? error.message : String(error)));
    } finally {
      this.backendButtons[name].disabled = false;
    }
  }

  // ---- Exercise ------------------------------------------------------------------------------

  async runChecks(): Promise<void> {
    if (this.busy) return;
    const t = this.t.exercise;
    const exercise = this.detail.exercise;
    this.checkResults.hidden = false;
    if (this.appliedText !== this.currentText()) {
      replaceChildren(this.checkResults, el('li', { class: 'wsb-muted' }, t.checksNeedRun));
      const outcome = await this.applyConfig();
      if (outcome !== 'applied') {
        const why = outcome === 'refused' ? t.checksRefused : (this.runMessage.textContent ?? '');
        replaceChildren(this.checkResults, el('li', { class: 'wsb-bad', testid: 'checks-refused' }, why));
        return;
      }
    }
    this.setBusy(true, this.checkButton, t.checking);
    try {
      const results = await this.request<CheckResult[]>({ type: 'run-checks', checks: exercise.checks.map(protocolCheck) });
      this.renderCheckResults(results);
    } catch (error) {
      replaceChildren(this.checkResults, el('li', { class: 'wsb-bad' }, this.t.client.requestFailed(error instanceof Error ? error.message : String(error))));
    } finally {
      this.setBusy(false, this.checkButton);
    }
  }

  private renderCheckResults(results: CheckResult[]): void {
    const t = this.t.exercise;
    const exercise = this.detail.exercise;
    const items = exercise.checks.map((check) => {
      const result = results.find((candidate) => candidate.id === check.id);
      const passed = result?.passed === true;
      return el(
        'li',
        { class: `wsb-check ${passed ? 'wsb-check-passed' : 'wsb-check-failed'}`, testid: 'check-result', 'data-check': check.id, 'data-passed': String(passed) },
        el('span', { class: 'wsb-check-mark', 'aria-hidden': 'true' }, passed ? '✓' : '✗'),
        el('span', { class: 'wsb-check-title' }, inlineText(check.title[this.locale])),
        el('span', { class: 'wsb-visually-hidden' }, ` — ${passed ? t.passed : t.failed}`),
        passed
          ? null
          : el(
              'div',
              { class: 'wsb-check-detail' },
              ...(result?.failures ?? []).map((failure: CheckFailure) =>
                el('p', { class: 'wsb-mono wsb-small' }, `${failure.field}: ${t.wanted} ${formatValue(failure.wanted)}, ${t.got} ${formatValue(failure.got)}`),
              ),
              el('p', { class: 'wsb-hint' }, el('strong', {}, `${t.hint}: `), inlineText(check.hint[this.locale])),
            ),
      );
    });
    const allPassed = exercise.checks.every((check) => results.find((result) => result.id === check.id)?.passed === true);
    replaceChildren(this.checkResults, ...items);
    this.checkResults.dataset.allPassed = String(allPassed);
    if (allPassed) {
      this.checkResults.appendChild(el('li', { class: 'wsb-check-all wsb-good', testid: 'checks-all-passed' }, t.allPassed));
      markLessonDone(this.detail.lesson);
    }
  }

  private toggleSolution(): void {
    const showing = !this.diffHost.hidden;
    if (showing || !this.editor) {
      this.editor?.hideDiff();
      this.diffHost.hidden = true;
      this.diffBar.hidden = true;
      this.editorHost.hidden = false;
      this.solutionButton.textContent = this.t.exercise.showSolution;
      this.solutionButton.setAttribute('aria-pressed', 'false');
      return;
    }
    this.editorHost.hidden = true;
    this.diffHost.hidden = false;
    this.diffBar.hidden = false;
    this.editor.showDiff(this.diffHost, this.editor.getValue(), this.detail.exercise.solutionConfig);
    this.solutionButton.textContent = this.t.exercise.hideSolution;
    this.solutionButton.setAttribute('aria-pressed', 'true');
  }

  private useSolution(): void {
    this.replaceConfig(this.detail.exercise.solutionConfig, this.t.exercise.restorePrevious);
    this.toggleSolution();
  }

  private reset(): void {
    if (!this.diffHost.hidden) this.toggleSolution();
    this.replaceConfig(this.detail.exercise.startConfig, this.t.exercise.resetDone);
  }

  /** Replace the editor's text, keeping the old one as "previous" with a restore button. */
  private replaceConfig(text: string, message: string): void {
    const current = this.currentText();
    if (current === text) return;
    savePrevious(this.storage, this.detail.lesson, current);
    this.setText(text);
    this.showRestoreBanner(message);
  }

  private showRestoreBanner(message: string): void {
    this.showBanner(
      el('p', {}, message),
      el('button', { type: 'button', class: 'wsb-btn wsb-btn-small', testid: 'restore-previous', onclick: () => this.restorePrevious() }, this.t.exercise.restorePrevious),
    );
  }

  private restorePrevious(): void {
    const previous = loadPrevious(this.storage, this.detail.lesson);
    if (!previous) return;
    const current = this.currentText();
    this.setText(previous.config);
    if (current !== previous.config) savePrevious(this.storage, this.detail.lesson, current);
    else clearPrevious(this.storage, this.detail.lesson);
    this.showBanner(el('p', {}, this.t.exercise.restored));
  }

  private showBanner(...children: Array<Node | null>): void {
    replaceChildren(
      this.banner,
      ...children,
      el('button', { type: 'button', class: 'wsb-btn wsb-btn-small wsb-banner-close', 'aria-label': this.t.close, onclick: () => (this.banner.hidden = true) }, '×'),
    );
    this.banner.hidden = false;
  }

  // ---- Share links and progress files ---------------------------------------------------------

  private handleSharedLink(): void {
    const shared = readSharedConfig(window.location.hash);
    if (shared.kind === 'none') return;
    const clearHash = () => history.replaceState(history.state, '', `${location.pathname}${location.search}${hashWithoutSharedConfig(location.hash)}`);
    if (shared.kind === 'invalid') {
      this.showBanner(el('p', { class: 'wsb-bad' }, shared.reason === 'too-large' ? this.t.share.tooLarge : this.t.share.invalidLink));
      clearHash();
      return;
    }
    const current = this.currentText();
    if (shared.config === current) {
      clearHash();
      return;
    }
    const hasOwnWork = loadConfig(this.storage, this.detail.lesson) !== null && current !== this.detail.exercise.startConfig;
    if (!hasOwnWork) {
      this.replaceConfig(shared.config, this.t.share.loadedShared);
      clearHash();
      return;
    }
    this.showBanner(
      el('p', {}, this.t.share.foundInLink),
      el(
        'div',
        { class: 'wsb-row' },
        el('button', { type: 'button', class: 'wsb-btn wsb-btn-primary wsb-btn-small', testid: 'load-shared', onclick: () => { clearHash(); this.replaceConfig(shared.config, this.t.share.loadedShared); } }, this.t.share.loadShared),
        el('button', { type: 'button', class: 'wsb-btn wsb-btn-small', testid: 'keep-mine', onclick: () => { clearHash(); this.banner.hidden = true; } }, this.t.share.keepMine),
      ),
    );
  }

  private async share(): Promise<void> {
    const link = shareLink(window.location.href, this.currentText());
    const field = el('input', { class: 'wsb-input', testid: 'share-link', readonly: true, value: link, 'aria-label': this.t.share.linkLabel });
    let copied = false;
    try {
      await navigator.clipboard.writeText(link);
      copied = true;
    } catch {
      copied = false;
    }
    this.showBanner(el('p', {}, copied ? this.t.share.copied : this.t.share.copyFailed), field);
    field.select();
  }

  private exportFile(): void {
    const data = exportProgress(this.storage);
    const blob = new Blob([`${JSON.stringify(data, null, 2)}\n`], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const link = el('a', { href: url, download: `wslab-progress-${new Date().toISOString().slice(0, 10)}.json`, hidden: true });
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  private async importFile(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    const before = this.currentText();
    const result = importProgress(this.storage, await file.text(), (lesson, at) => markLessonDone(lesson, at));
    if (!result.ok) {
      this.showBanner(el('p', { class: 'wsb-bad', testid: 'import-result' }, this.t.progress.importFailed));
      return;
    }
    const message = el('p', { testid: 'import-result' }, this.t.progress.imported(result.configs.length, result.lessonsDone.length));
    const mine = loadConfig(this.storage, this.detail.lesson);
    if (result.configs.includes(this.detail.lesson) && mine && mine.config !== before) {
      savePrevious(this.storage, this.detail.lesson, before);
      this.setText(mine.config);
      this.showBanner(message, el('button', { type: 'button', class: 'wsb-btn wsb-btn-small', testid: 'restore-previous', onclick: () => this.restorePrevious() }, this.t.exercise.restorePrevious));
    } else {
      this.showBanner(message);
    }
  }
}

const apps = new WeakMap<HTMLElement, SandboxApp>();

/** Open (or show again) the sandbox for a lesson in the given host. */
export function openSandbox(detail: OpenSandboxDetail, options: SandboxOptions = {}): SandboxApp {
  const existing = apps.get(detail.host);
  if (existing) {
    existing.show();
    return existing;
  }
  const app = new SandboxApp(detail, options);
  apps.set(detail.host, app);
  void app.start();
  return app;
}
