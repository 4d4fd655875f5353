/** The error-log and access-log panes: httpd's lines as they arrive, as text. */
import { el } from '../dom.ts';
import type { SandboxStrings } from '../i18n.ts';
import { LIMITS, type TrafficState } from '../traffic-model.ts';

export class LogsView {
  readonly element: HTMLElement;
  private readonly errorPane: HTMLElement;
  private readonly accessPane: HTMLElement;
  private errorShown = 0;
  private accessShown = 0;

  private readonly t: SandboxStrings;

  constructor(t: SandboxStrings) {
    this.t = t;
    this.errorPane = el('pre', { class: 'wsb-log', testid: 'error-log', tabindex: 0, 'aria-label': t.logs.error });
    this.accessPane = el('pre', { class: 'wsb-log', testid: 'access-log', tabindex: 0, 'aria-label': t.logs.access });
    this.element = el(
      'section',
      { class: 'wsb-section wsb-logs' },
      el('h3', { class: 'wsb-log-title' }, t.logs.error),
      this.errorPane,
      el('h3', { class: 'wsb-log-title' }, t.logs.access),
      this.accessPane,
    );
    this.clear();
  }

  clear(): void {
    this.errorPane.replaceChildren(el('span', { class: 'wsb-muted' }, this.t.logs.empty));
    this.accessPane.replaceChildren(el('span', { class: 'wsb-muted' }, this.t.logs.empty));
    this.errorShown = 0;
    this.accessShown = 0;
  }

  /** Append the lines the model has beyond what is shown. */
  update(state: TrafficState): void {
    this.errorShown = this.append(this.errorPane, state.errorLog, this.errorShown, (entry) => `wsb-log-${entry.level}`);
    this.accessShown = this.append(this.accessPane, state.accessLog, this.accessShown, () => '');
  }

  private append<T extends { seq: number; line: string }>(pane: HTMLElement, entries: T[], shownSeq: number, lineClass: (entry: T) => string): number {
    const fresh = entries.filter((entry) => entry.seq > shownSeq);
    if (fresh.length === 0) return shownSeq;
    if (shownSeq === 0) pane.replaceChildren();
    const stick = pane.scrollHeight - pane.scrollTop - pane.clientHeight < 30;
    for (const entry of fresh) pane.appendChild(el('span', { class: `wsb-log-line ${lineClass(entry)}`, testid: 'log-line' }, `${entry.line}\n`));
    while (pane.childElementCount > LIMITS.logLines) pane.firstElementChild?.remove();
    if (stick) pane.scrollTop = pane.scrollHeight;
    return fresh[fresh.length - 1].seq;
  }
}
