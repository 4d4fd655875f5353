/**
 * The traffic view: a sequence diagram with three lanes (client, Apache, backend) whose arrows
 * appear as tap events arrive, and one timeline per connection (both hops of the handshake, the
 * routing decision, the header diff, the answer explained, Sec-WebSocket-Accept verified, frames,
 * durations, its log lines). Clicking an arrow opens its step in the timeline. All text is set as
 * text; nothing the learner (or a backend) sent is ever parsed as HTML.
 */
import { el, replaceChildren } from '../dom.ts';
import { ahCodes, closeCodeName, explainStatus } from '../explain.ts';
import { checkAccept, diffHeads, headerValue, parseHead, type HeadDiff } from '../headers.ts';
import { spacedHex } from '../hex.ts';
import type { Locale, SandboxStrings } from '../i18n.ts';
import { connectionTimings, formatDuration, type Arrow, type ConnectionRecord, type TrafficState } from '../traffic-model.ts';

export interface TrafficViewOptions {
  locale: Locale;
  t: SandboxStrings;
  /** Highlight a config line in the editor (the routing decision's directive). */
  showLine(line: number, connection: number): void;
  /** Whether a route's file is the learner's (only then can its line be shown). */
  isLearnerFile(file: string): boolean;
  onClear(): void;
}

const LANE_X: Record<Arrow['from'], number> = { client: 1 / 6, apache: 3 / 6, backend: 5 / 6 };

/** Which timeline step an arrow belongs to. */
function stepOf(arrow: Arrow): string {
  if (arrow.kind === 'head') {
    if (arrow.from === 'client') return 'request';
    if (arrow.to === 'backend') return 'toBackend';
    if (arrow.from === 'backend') return 'fromBackend';
    return 'response';
  }
  if (arrow.kind === 'route') return 'routing';
  if (arrow.kind === 'frame' || arrow.kind === 'frame-error') return 'frames';
  if (arrow.kind === 'error-log') return 'logs';
  if (arrow.kind === 'tunnel-close' || arrow.kind === 'close') return 'timing';
  if (arrow.kind === 'worker-wait') return 'request';
  return 'request';
}

export class TrafficView {
  readonly element: HTMLElement;
  private readonly diagram: HTMLElement;
  private readonly diagramRows: HTMLElement;
  private readonly emptyNote: HTMLElement;
  private readonly timelines: HTMLElement;
  private readonly detailsByConnection = new Map<number, HTMLDetailsElement>();
  private readonly dirty = new Set<number>();
  private frame = 0;
  private state: TrafficState | null = null;

  private readonly options: TrafficViewOptions;

  constructor(options: TrafficViewOptions) {
    this.options = options;
    const { t } = options;
    this.diagramRows = el('div', { class: 'wsb-seq-rows' });
    this.emptyNote = el('p', { class: 'wsb-muted wsb-traffic-empty', testid: 'traffic-empty' }, t.traffic.empty);
    this.diagram = el(
      'div',
      { class: 'wsb-seq', testid: 'traffic-diagram', role: 'list', 'aria-label': t.traffic.heading },
      el(
        'div',
        { class: 'wsb-seq-lanes', 'aria-hidden': 'true' },
        el('span', {}, t.traffic.lanes.client),
        el('span', {}, t.traffic.lanes.apache),
        el('span', {}, t.traffic.lanes.backend),
      ),
      this.diagramRows,
    );
    this.timelines = el('div', { class: 'wsb-timelines', testid: 'traffic-connections' });
    this.element = el(
      'section',
      { class: 'wsb-section wsb-traffic', 'aria-labelledby': 'wsb-traffic-heading' },
      el(
        'div',
        { class: 'wsb-section-head' },
        el('h3', { id: 'wsb-traffic-heading' }, t.traffic.heading),
        el('button', { type: 'button', class: 'wsb-btn wsb-btn-small', testid: 'traffic-clear', onclick: () => options.onClear() }, t.traffic.clear),
      ),
      this.emptyNote,
      this.diagram,
      this.timelines,
    );
  }

  /** Forget everything shown (the model was reset). */
  clear(): void {
    this.diagramRows.replaceChildren();
    this.timelines.replaceChildren();
    this.detailsByConnection.clear();
    this.dirty.clear();
    this.emptyNote.hidden = false;
  }

  /** The model changed for these connections; render on the next frame. */
  update(state: TrafficState, connections: Iterable<number>): void {
    this.state = state;
    for (const id of connections) this.dirty.add(id);
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  private flush(): void {
    this.frame = 0;
    const state = this.state;
    if (!state) return;
    this.renderArrows(state);
    for (const id of this.dirty) {
      const record = state.connections.get(id);
      if (record) this.renderConnection(record);
    }
    this.dirty.clear();
    // Connections the model dropped (beyond its limit) leave the view too.
    for (const [id, details] of this.detailsByConnection) {
      if (!state.connections.has(id)) {
        details.remove();
        this.detailsByConnection.delete(id);
      }
    }
    this.emptyNote.hidden = state.arrows.length > 0 || state.connections.size > 0;
  }

  private renderArrows(state: TrafficState): void {
    const stickToBottom = this.diagram.scrollHeight - this.diagram.scrollTop - this.diagram.clientHeight < 40;
    // The model trims old arrows; drop the rows it no longer has.
    const oldest = state.arrows[0]?.seq ?? Number.POSITIVE_INFINITY;
    while (this.diagramRows.firstElementChild && Number((this.diagramRows.firstElementChild as HTMLElement).dataset.seq) < oldest) {
      this.diagramRows.firstElementChild.remove();
    }
    const lastShown = Number((this.diagramRows.lastElementChild as HTMLElement | null)?.dataset.seq ?? 0);
    const fragment = document.createDocumentFragment();
    for (const arrow of state.arrows) if (arrow.seq > lastShown) fragment.appendChild(this.arrowRow(arrow));
    this.diagramRows.appendChild(fragment);
    if (stickToBottom) this.diagram.scrollTop = this.diagram.scrollHeight;
  }

  private arrowRow(arrow: Arrow): HTMLElement {
    const x1 = LANE_X[arrow.from];
    const x2 = LANE_X[arrow.to];
    const self = arrow.from === arrow.to;
    const left = self ? x1 : Math.min(x1, x2);
    const width = self ? 0 : Math.abs(x2 - x1);
    const direction = self ? 'self' : x2 > x1 ? 'right' : 'left';
    const label = el('span', { class: 'wsb-arrow-label' }, el('span', { class: 'wsb-arrow-text' }, arrow.label));
    const line = el('span', { class: 'wsb-arrow-line', 'aria-hidden': 'true' });
    const button = el(
      'button',
      {
        type: 'button',
        class: `wsb-arrow wsb-arrow-${direction} wsb-tone-${arrow.tone}`,
        testid: 'traffic-entry',
        'data-kind': arrow.kind,
        'data-connection': arrow.connection,
        'data-from': arrow.from,
        'data-to': arrow.to,
        'data-seq': arrow.seq,
        title: arrow.label,
        onclick: () => this.open(arrow),
      },
      el('span', { class: 'wsb-arrow-conn' }, `#${arrow.connection}`),
      el('span', { class: 'wsb-arrow-body', style: self ? `left:calc(${x1 * 100}% - 6.5rem);width:13rem` : `left:${left * 100}%;width:${width * 100}%` }, label, line),
    );
    return el('div', { class: 'wsb-seq-row', role: 'listitem', 'data-seq': arrow.seq }, button);
  }

  /** Open the timeline of an arrow's connection at its step. */
  open(arrow: Arrow): void {
    const state = this.state;
    const record = state?.connections.get(arrow.connection);
    if (!record) return;
    this.renderConnection(record);
    const details = this.detailsByConnection.get(arrow.connection);
    if (!details) return;
    details.open = true;
    for (const marked of this.timelines.querySelectorAll('.wsb-step-selected')) marked.classList.remove('wsb-step-selected');
    const target =
      (arrow.kind === 'frame' ? details.querySelector<HTMLElement>(`[data-seq="${arrow.seq}"]`) : null) ??
      details.querySelector<HTMLElement>(`[data-step="${stepOf(arrow)}"]`) ??
      details;
    target.classList.add('wsb-step-selected');
    target.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }

  private renderConnection(record: ConnectionRecord): void {
    let details = this.detailsByConnection.get(record.id);
    if (!details) {
      details = el('details', { class: 'wsb-conn', testid: 'traffic-connection', 'data-connection': record.id });
      this.detailsByConnection.set(record.id, details);
      this.timelines.appendChild(details);
    }
    const status = record.response?.status;
    details.dataset.status = status !== undefined ? String(status) : '';
    const summary = el(
      'summary',
      { class: 'wsb-conn-summary' },
      el('span', { class: 'wsb-conn-id' }, this.options.t.traffic.connection(record.id)),
      ' ',
      el('span', { class: 'wsb-mono' }, record.heads['client->proxy'] ? parseHead(record.heads['client->proxy'].text).startLine : record.client ?? ''),
      status !== undefined ? el('span', { class: `wsb-badge ${status === 101 || status < 400 ? 'wsb-good' : 'wsb-bad'}` }, String(status)) : null,
    );
    const body = this.connectionBody(record);
    const wasSelected = details.querySelector('.wsb-step-selected')?.getAttribute('data-step');
    replaceChildren(details, summary, body);
    if (wasSelected) details.querySelector(`[data-step="${wasSelected}"]`)?.classList.add('wsb-step-selected');
  }

  private connectionBody(record: ConnectionRecord): HTMLElement {
    const { t, locale } = this.options;
    const steps = t.traffic.steps;
    const body = el('div', { class: 'wsb-conn-body' });
    const step = (id: string, title: string, ...content: Array<Node | string | null>) =>
      el('section', { class: 'wsb-step', 'data-step': id }, el('h4', {}, title), ...content);
    // Heads are shown with their CRLFs as line breaks and without the blank line that ends them.
    const pre = (text: string, testid?: string) => el('pre', { class: 'wsb-pre', testid }, text.replace(/\r\n/g, '\n').replace(/\n+$/, ''));

    const request = record.heads['client->proxy'];
    const toBackend = record.heads['proxy->backend'];
    const fromBackend = record.heads['backend->proxy'];
    const answer = record.heads['proxy->client'];

    if (record.workerWait) body.appendChild(el('p', { class: 'wsb-warn' }, t.traffic.waitingWorker(record.workerWait.busy, record.workerWait.limit)));
    if (request) body.appendChild(step('request', steps.request, pre(request.text, 'head-client-request')));

    // Routing decision, with the directive's line shown in the editor on demand.
    const route = record.route;
    if (route) {
      const matched = route.matched;
      const lineButton =
        matched && this.options.isLearnerFile(matched.file)
          ? el('button', { type: 'button', class: 'wsb-btn wsb-btn-small', testid: 'route-show-line', onclick: () => this.options.showLine(matched.line, record.id) }, t.traffic.showLine(matched.line))
          : null;
      body.appendChild(
        step(
          'routing',
          steps.routing,
          el('p', { testid: 'route-explanation' }, route.explanation),
          matched ? el('p', { class: 'wsb-mono' }, `${matched.text ?? matched.directive}  (${matched.file.split('/').pop()}:${matched.line})`) : null,
          lineButton,
          route.targetUrl ? el('p', {}, `${t.traffic.target}: `, el('code', {}, route.targetUrl)) : null,
          route.upgrade !== undefined ? el('p', {}, `${t.traffic.upgrade}: `, el('code', {}, String(route.upgrade))) : null,
        ),
      );
    } else if (request && answer) {
      body.appendChild(step('routing', steps.routing, el('p', { class: 'wsb-muted' }, t.traffic.noRoute)));
    }

    if (toBackend) {
      body.appendChild(step('toBackend', steps.toBackend, pre(toBackend.text, 'head-backend-request'), request ? this.diffTable(diffHeads(request.text, toBackend.text)) : null));
    }
    if (fromBackend) body.appendChild(step('fromBackend', steps.fromBackend, pre(fromBackend.text, 'head-backend-response')));

    if (answer) {
      const status = record.response?.status ?? Number(/^HTTP\/\S+ (\d{3})/.exec(answer.text)?.[1] ?? 0);
      const wantedUpgrade = request ? /websocket/i.test(headerValue(parseHead(request.text), 'upgrade') ?? '') : false;
      const headline = explainStatus(
        { status, wantedUpgrade, errorCodes: ahCodes(record.errorLog), location: headerValue(parseHead(answer.text), 'location') },
        locale,
      );
      body.appendChild(
        step(
          'response',
          steps.response,
          pre(answer.text, 'head-client-response'),
          el('p', { class: `wsb-explain ${status === 101 || (!wantedUpgrade && status > 0 && status < 400) ? 'wsb-good' : 'wsb-bad'}`, testid: 'response-explanation', 'data-status': status }, headline),
          record.response ? el('p', { class: 'wsb-muted' }, `${t.traffic.engineSays}: ${record.response.explanation}`) : null,
        ),
      );
      if (request) {
        const accept = checkAccept(request.text, answer.text);
        if (accept.kind !== 'not-websocket') body.appendChild(step('accept', steps.accept, this.acceptView(accept)));
      }
    }

    if (record.frames.length > 0 || record.frameErrors.length > 0) {
      body.appendChild(step('frames', steps.frames, this.framesTable(record)));
    }

    const timings = connectionTimings(record);
    const timingRows: Array<[string, string]> = [];
    if (timings.handshake !== undefined) timingRows.push([t.traffic.timing.handshake, formatDuration(timings.handshake)]);
    if (timings.backend !== undefined) timingRows.push([t.traffic.timing.backend, formatDuration(timings.backend)]);
    if (timings.tunnel !== undefined) timingRows.push([t.traffic.timing.tunnel, `${formatDuration(timings.tunnel)} (${record.tunnel?.reason ?? ''})`]);
    if (record.tunnel) timingRows.push(['bytes', t.traffic.timing.bytes(record.tunnel.bytesFromClient, record.tunnel.bytesFromBackend)]);
    timingRows.push([t.traffic.timing.total, timings.total !== undefined ? `${formatDuration(timings.total)}${record.closeReason ? ` (${record.closeReason})` : ''}` : t.traffic.timing.open]);
    body.appendChild(step('timing', steps.timing, el('dl', { class: 'wsb-dl' }, ...timingRows.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]))));

    if (record.errorLog.length > 0 || record.accessLog.length > 0) {
      body.appendChild(step('logs', steps.logs, pre([...record.errorLog, ...record.accessLog].join('\n'))));
    }
    return body;
  }

  private diffTable(diff: HeadDiff): HTMLElement {
    const { t } = this.options;
    const rows = diff.rows.filter((row) => row.kind !== 'same' || row.note !== null);
    const table = el(
      'table',
      { class: 'wsb-table wsb-diff', testid: 'header-diff' },
      el('caption', {}, t.traffic.diffHeading),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t.traffic.diffHeader), el('th', { scope: 'col' }, t.traffic.diffClient), el('th', { scope: 'col' }, t.traffic.diffBackend), el('th', { scope: 'col' }, t.traffic.diffNote))),
      el(
        'tbody',
        {},
        ...rows.map((row) =>
          el(
            'tr',
            { class: `wsb-diff-${row.kind}`, 'data-header': row.name.toLowerCase(), 'data-kind': row.kind },
            el('th', { scope: 'row' }, el('span', { class: 'wsb-diff-mark', 'aria-label': t.traffic.kinds[row.kind] }, { same: '=', changed: '~', added: '+', removed: '−' }[row.kind]), ' ', row.name),
            el('td', { class: 'wsb-mono' }, row.client ?? '—'),
            el('td', { class: 'wsb-mono' }, row.backend ?? '—'),
            el('td', {}, row.note ? (t.traffic.notes[row.note] ?? row.note) : t.traffic.kinds[row.kind]),
          ),
        ),
      ),
    );
    const target = diff.targetChanged
      ? el('p', { class: 'wsb-mono wsb-target-change' }, t.traffic.targetRewritten(diff.clientLine.split(' ')[1] ?? '', diff.backendLine.split(' ')[1] ?? ''))
      : null;
    return el('div', { class: 'wsb-table-wrap' }, target, table);
  }

  private acceptView(accept: ReturnType<typeof checkAccept>): HTMLElement {
    const { t } = this.options;
    const a = t.traffic.accept;
    switch (accept.kind) {
      case 'match':
        return el('div', { testid: 'accept-check', 'data-verdict': 'match' }, el('p', { class: 'wsb-good' }, `✓ ${a.match}`), el('p', { class: 'wsb-mono wsb-small' }, `key ${accept.key} → ${accept.got}`));
      case 'mismatch':
        return el('div', { testid: 'accept-check', 'data-verdict': 'mismatch' }, el('p', { class: 'wsb-bad' }, `✗ ${a.mismatch}`), el('p', { class: 'wsb-mono wsb-small' }, `${a.formula}: ${accept.expected}, got: ${accept.got}`));
      case 'missing':
        return el('div', { testid: 'accept-check', 'data-verdict': 'missing' }, el('p', { class: 'wsb-bad' }, `✗ ${a.missing}`), el('p', { class: 'wsb-mono wsb-small' }, `${a.formula}: ${accept.expected}`));
      case 'no-key':
        return el('p', { class: 'wsb-bad', testid: 'accept-check', 'data-verdict': 'no-key' }, a.noKey);
      case 'invalid-key':
        return el('p', { class: 'wsb-bad', testid: 'accept-check', 'data-verdict': 'invalid-key' }, `${a.invalidKey}: ${accept.key}`);
      default:
        return el('span');
    }
  }

  private framesTable(record: ConnectionRecord): HTMLElement {
    const { t, locale } = this.options;
    const c = t.traffic.frameColumns;
    const base = record.heads['proxy->client']?.time ?? record.openedAt;
    const rows = record.frames.map(({ seq, time, direction, frame }) => {
      let payload: string;
      if (frame.opcode === 8 && frame.closeCode !== undefined) payload = `${t.traffic.closeCode(frame.closeCode, closeCodeName(frame.closeCode, locale))}${frame.closeReason ? ` "${frame.closeReason}"` : ''}`;
      else if (frame.payloadLength === 0) payload = '';
      else payload = frame.previewEncoding === 'hex' ? spacedHex(frame.preview) : frame.preview;
      return el(
        'tr',
        { 'data-seq': seq, testid: 'frame-row', 'data-direction': direction, 'data-opcode': frame.opcode },
        el('td', {}, direction === 'client->backend' ? '→' : '←'),
        el('td', { class: 'wsb-num' }, (time - base).toFixed(1)),
        el('td', {}, `${frame.opcodeName} (${frame.opcode})`),
        el('td', {}, frame.fin ? '1' : '0'),
        el('td', {}, frame.masked ? '✓' : '–'),
        el('td', { class: 'wsb-num' }, String(frame.payloadLength)),
        el('td', { class: `wsb-mono wsb-payload${frame.previewEncoding === 'hex' ? ' wsb-hex' : ''}` }, payload),
      );
    });
    const errors = record.frameErrors.map((error) =>
      el('tr', { 'data-seq': error.seq, class: 'wsb-frame-error' }, el('td', {}, error.direction === 'client->backend' ? '→' : '←'), el('td', { colspan: 6 }, `${t.traffic.frameError}: ${error.code}: ${error.message}`)),
    );
    return el(
      'div',
      { class: 'wsb-table-wrap' },
      el(
        'table',
        { class: 'wsb-table wsb-frames', testid: 'frames-table' },
        el('caption', { class: 'wsb-visually-hidden' }, `${t.traffic.steps.frames}: → ${t.traffic.toBackend}, ← ${t.traffic.toClient}`),
        el('thead', {}, el('tr', {}, ...[c.direction, c.time, c.opcode, c.fin, c.mask, c.length, c.payload].map((name) => el('th', { scope: 'col' }, name)))),
        el('tbody', {}, ...rows, ...errors),
      ),
      record.framesDropped > 0 ? el('p', { class: 'wsb-muted' }, t.traffic.framesDropped(record.framesDropped)) : null,
    );
  }
}
