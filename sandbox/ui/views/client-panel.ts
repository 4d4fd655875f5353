/**
 * The test client: open WebSockets through the sandbox with any path, Host, extra headers,
 * subprotocols and Origin (which a browser's own WebSocket cannot set), send text or binary,
 * close with a code, open many at once, or send a plain GET. Everything the learner types is sent
 * as data and shown back as text.
 */
import type { ClientEvent, ClientOpenOptions, HttpResult } from '../../runtime/protocol.ts';
import { el } from '../dom.ts';
import { parseHeaderLines } from '../headers.ts';
import { normalizeHex, spacedHex } from '../hex.ts';
import type { SandboxStrings } from '../i18n.ts';
import type { RequestBody } from '../runtime.ts';

export interface ClientPanelOptions {
  t: SandboxStrings;
  defaultPath: string;
  request(body: RequestBody): Promise<unknown>;
}

type SocketState = 'connecting' | 'open' | 'closed' | 'rejected' | 'error';

const MAX_EVENTS = 300;

export class ClientPanel {
  readonly element: HTMLElement;
  private readonly fields: {
    path: HTMLInputElement;
    host: HTMLInputElement;
    headers: HTMLTextAreaElement;
    protocols: HTMLInputElement;
    origin: HTMLInputElement;
    tls: HTMLInputElement;
    count: HTMLInputElement;
    message: HTMLTextAreaElement;
    closeCode: HTMLInputElement;
    closeReason: HTMLInputElement;
    socket: HTMLSelectElement;
  };
  private readonly formError: HTMLElement;
  private readonly events: HTMLOListElement;
  private readonly sockets = new Map<string, { state: SocketState; path: string }>();
  private nextClient = 1;
  private nextBatch = 1;

  private readonly options: ClientPanelOptions;

  constructor(options: ClientPanelOptions) {
    this.options = options;
    const { t } = options;
    const input = (testid: string, attributes: Record<string, string> = {}) => el('input', { class: 'wsb-input', testid, ...attributes });
    this.fields = {
      path: input('client-path', { value: options.defaultPath, spellcheck: 'false', autocomplete: 'off' }),
      host: input('client-host', { placeholder: 'example.com', spellcheck: 'false', autocomplete: 'off' }),
      headers: el('textarea', { class: 'wsb-input wsb-textarea', testid: 'client-headers', rows: 2, placeholder: t.client.headersPlaceholder, spellcheck: 'false' }),
      protocols: input('client-protocols', { placeholder: t.client.protocolsPlaceholder, spellcheck: 'false', autocomplete: 'off' }),
      origin: input('client-origin', { placeholder: 'https://example.com', spellcheck: 'false', autocomplete: 'off' }),
      tls: el('input', { type: 'checkbox', testid: 'client-tls' }),
      count: input('client-count', { type: 'number', min: '1', max: '200', value: '5', inputmode: 'numeric' }),
      message: el('textarea', { class: 'wsb-input wsb-textarea', testid: 'client-message', rows: 2, spellcheck: 'false' }),
      closeCode: input('client-close-code', { type: 'number', min: '1000', max: '4999', value: '1000', inputmode: 'numeric' }),
      closeReason: input('client-close-reason', { spellcheck: 'false', autocomplete: 'off' }),
      socket: el('select', { class: 'wsb-input', testid: 'client-select' }),
    };
    this.fields.message.value = 'hello';
    this.formError = el('p', { class: 'wsb-bad wsb-form-error', role: 'alert', testid: 'client-error', hidden: true });
    this.events = el('ol', { class: 'wsb-client-events', testid: 'client-events', 'aria-live': 'polite' });
    this.renderSocketOptions();

    const field = (label: string, control: HTMLElement, wide = false) => el('label', { class: `wsb-field${wide ? ' wsb-field-wide' : ''}` }, el('span', { class: 'wsb-field-label' }, label), control);
    const button = (testid: string, label: string, onclick: () => void, primary = false) =>
      el('button', { type: 'button', class: `wsb-btn${primary ? ' wsb-btn-primary' : ''}`, testid, onclick }, label);

    this.element = el(
      'section',
      { class: 'wsb-section wsb-client', 'aria-labelledby': 'wsb-client-heading' },
      el('h3', { id: 'wsb-client-heading' }, t.client.heading),
      el(
        'div',
        { class: 'wsb-grid' },
        field(t.client.path, this.fields.path),
        field(t.client.host, this.fields.host),
        field(t.client.protocols, this.fields.protocols),
        field(t.client.origin, this.fields.origin),
        field(t.client.headers, this.fields.headers, true),
        el('label', { class: 'wsb-check' }, this.fields.tls, ' ', t.client.tls),
      ),
      el(
        'div',
        { class: 'wsb-row' },
        button('client-connect', t.client.connect, () => void this.connect(), true),
        button('client-http-get', t.client.httpGet, () => void this.httpGet()),
        el('span', { class: 'wsb-row-gap' }),
        el('label', { class: 'wsb-inline-field' }, el('span', {}, t.client.count), this.fields.count),
        button('client-open-many', t.client.openMany, () => void this.openMany()),
      ),
      this.formError,
      el(
        'div',
        { class: 'wsb-grid wsb-send' },
        field(t.client.client, this.fields.socket),
        field(t.client.message, this.fields.message, true),
      ),
      el(
        'div',
        { class: 'wsb-row' },
        button('client-send-text', t.client.sendText, () => void this.send('text')),
        button('client-send-binary', t.client.sendBinary, () => void this.send('binary')),
        el('span', { class: 'wsb-row-gap' }),
        el('label', { class: 'wsb-inline-field' }, el('span', {}, t.client.closeCode), this.fields.closeCode),
        el('label', { class: 'wsb-inline-field' }, el('span', {}, t.client.closeReason), this.fields.closeReason),
        button('client-close', t.client.closeSocket, () => void this.close()),
      ),
      el('h4', { class: 'wsb-subheading' }, t.client.events),
      this.events,
    );
  }

  private showError(message: string | null): void {
    this.formError.hidden = message === null;
    this.formError.textContent = message ?? '';
  }

  /** The open options from the form, or null (with the error shown) when a field is invalid. */
  private openOptions(): ClientOpenOptions | null {
    const { t } = this.options;
    const parsed = parseHeaderLines(this.fields.headers.value);
    if (parsed.errors.length > 0) {
      this.showError(t.client.headersInvalid(parsed.errors.join(', ')));
      return null;
    }
    this.showError(null);
    const path = this.fields.path.value.trim() || '/';
    const options: ClientOpenOptions = { path: path.startsWith('/') ? path : `/${path}` };
    if (this.fields.host.value.trim()) options.host = this.fields.host.value.trim();
    if (Object.keys(parsed.headers).length > 0) options.headers = parsed.headers;
    const protocols = this.fields.protocols.value.split(',').map((protocol) => protocol.trim()).filter((protocol) => protocol !== '');
    if (protocols.length > 0) options.protocols = protocols;
    if (this.fields.origin.value.trim()) options.origin = this.fields.origin.value.trim();
    if (this.fields.tls.checked) options.tls = true;
    return options;
  }

  private async run(action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.showError(this.options.t.client.requestFailed(error instanceof Error ? error.message : String(error)));
    }
  }

  async connect(): Promise<void> {
    const options = this.openOptions();
    if (!options) return;
    const client = `c${this.nextClient++}`;
    this.sockets.set(client, { state: 'connecting', path: options.path });
    this.renderSocketOptions(client);
    await this.run(() => this.options.request({ type: 'client-open', client, options }));
  }

  async openMany(): Promise<void> {
    const options = this.openOptions();
    if (!options) return;
    const count = Math.min(200, Math.max(1, Math.trunc(Number(this.fields.count.value) || 1)));
    const prefix = `m${this.nextBatch++}`;
    for (let index = 1; index <= count; index++) this.sockets.set(`${prefix}-${index}`, { state: 'connecting', path: options.path });
    this.renderSocketOptions();
    await this.run(() => this.options.request({ type: 'client-open-many', prefix, count, options }));
  }

  async httpGet(): Promise<void> {
    const options = this.openOptions();
    if (!options) return;
    const headers = { ...(options.headers ?? {}) };
    if (options.host) headers.Host = options.host;
    if (options.origin) headers.Origin = options.origin;
    await this.run(async () => {
      const result = (await this.options.request({ type: 'http-request', method: 'GET', path: options.path, headers, tls: options.tls })) as HttpResult | undefined;
      if (result) this.addHttpResult(options.path, result);
    });
  }

  async send(kind: 'text' | 'binary'): Promise<void> {
    const client = this.fields.socket.value;
    if (!client) {
      this.showError(this.options.t.client.noClient);
      return;
    }
    if (kind === 'binary') {
      const hex = normalizeHex(this.fields.message.value);
      if (hex === null) {
        this.showError(this.options.t.client.hexInvalid);
        return;
      }
      this.showError(null);
      await this.run(() => this.options.request({ type: 'client-send', client, binaryHex: hex }));
    } else {
      this.showError(null);
      await this.run(() => this.options.request({ type: 'client-send', client, text: this.fields.message.value }));
    }
  }

  async close(): Promise<void> {
    const client = this.fields.socket.value;
    if (!client) {
      this.showError(this.options.t.client.noClient);
      return;
    }
    const code = Math.trunc(Number(this.fields.closeCode.value));
    const reason = this.fields.closeReason.value;
    this.showError(null);
    await this.run(() => this.options.request({ type: 'client-close', client, code: Number.isFinite(code) && code > 0 ? code : undefined, reason: reason || undefined }));
  }

  /** A client-event message from the sandbox. */
  handleEvent(client: string, event: ClientEvent): void {
    const { t } = this.options;
    const socket = this.sockets.get(client) ?? { state: 'connecting' as SocketState, path: '' };
    let text: string | Node;
    let tone = '';
    switch (event.kind) {
      case 'open':
        socket.state = 'open';
        text = t.client.eventOpen(event.protocol);
        tone = 'wsb-good';
        break;
      case 'rejected':
        socket.state = 'rejected';
        text = event.body
          ? el('details', { class: 'wsb-http-result' }, el('summary', {}, t.client.eventRejected(event.status)), el('pre', { class: 'wsb-pre' }, `${event.headers.map(([name, value]) => `${name}: ${value}`).join('\n')}\n\n${event.body.slice(0, 4096)}`))
          : t.client.eventRejected(event.status);
        tone = 'wsb-bad';
        break;
      case 'message': {
        const payload = event.text !== undefined ? event.text : `hex ${spacedHex(event.binaryHex ?? '')}`;
        text = `${event.direction === 'in' ? `← ${t.client.eventIn}` : `→ ${t.client.eventOut}`}: ${payload}`;
        break;
      }
      case 'closed':
        socket.state = 'closed';
        text = t.client.eventClosed(event.code, event.reason);
        tone = 'wsb-muted';
        break;
      case 'error':
        socket.state = 'error';
        text = `${t.client.eventError}: ${event.message}`;
        tone = 'wsb-bad';
        break;
      default:
        return;
    }
    this.sockets.set(client, socket);
    this.addEvent(client, event.kind, text, tone);
    this.renderSocketOptions(event.kind === 'open' && this.fields.socket.value === '' ? client : undefined);
  }

  private addHttpResult(path: string, result: HttpResult): void {
    const details = el(
      'details',
      { class: 'wsb-http-result' },
      el('summary', {}, `GET ${path} → ${this.options.t.client.httpResult(result.status)}`),
      el('pre', { class: 'wsb-pre' }, `${result.headers.map(([name, value]) => `${name}: ${value}`).join('\n')}\n\n${result.body.slice(0, 4096)}`),
    );
    this.addEvent('http', 'http', details, result.status < 400 ? 'wsb-good' : 'wsb-bad');
  }

  private addEvent(client: string, kind: string, content: string | Node, tone: string): void {
    const item = el('li', { class: `wsb-client-event ${tone}`, testid: 'client-event', 'data-client': client, 'data-kind': kind }, el('span', { class: 'wsb-client-id' }, client), ' ', content);
    this.events.appendChild(item);
    while (this.events.childElementCount > MAX_EVENTS) this.events.firstElementChild?.remove();
    this.events.scrollTop = this.events.scrollHeight;
  }

  private renderSocketOptions(select?: string): void {
    const current = select ?? this.fields.socket.value;
    const open = [...this.sockets].filter(([, socket]) => socket.state === 'open' || socket.state === 'connecting');
    this.fields.socket.replaceChildren(
      ...(open.length === 0 ? [el('option', { value: '' }, this.options.t.client.noClient)] : []),
      ...open.map(([id, socket]) => el('option', { value: id }, `${id} ${socket.path} (${socket.state})`)),
    );
    if (open.some(([id]) => id === current)) this.fields.socket.value = current;
    else if (open.length > 0) this.fields.socket.value = open[open.length - 1][0];
  }

  /** The sandbox restarted or the config changed: sockets are gone. */
  forgetSockets(): void {
    this.sockets.clear();
    this.renderSocketOptions();
  }
}
