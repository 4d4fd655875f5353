/** The UI's runtime wrapper: booting at once, ready or failed with a reason, replies unwrapped, restart. */
import { describe, expect, it } from 'vitest';
import type { RuntimeChoice, SandboxConnection, SandboxStatus } from '../../sandbox/runtime/browser/index.ts';
import { connectRuntime, type RuntimeStatus } from '../../sandbox/ui/runtime.ts';

/** A connection that answers from a table and can be failed from the test. */
function fakeConnection(replies: Record<string, unknown>) {
  const statusListeners = new Set<(status: SandboxStatus, reason: string | null) => void>();
  const messageListeners = new Set<(event: never) => void>();
  const connection = {
    runtime: 'local' as const,
    status: 'ready' as SandboxStatus,
    reason: null as string | null,
    ready: Promise.resolve(),
    sent: [] as unknown[],
    closed: false,
    request(body: { type: string }) {
      connection.sent.push(body);
      const reply = replies[body.type];
      return Promise.resolve(reply instanceof Error ? { type: 'reply', id: 1, ok: false, error: reply.message } : { type: 'reply', id: 1, ok: true, result: reply });
    },
    onMessage(listener: (event: never) => void) {
      messageListeners.add(listener);
      return () => messageListeners.delete(listener);
    },
    onStatus(listener: (status: SandboxStatus, reason: string | null) => void) {
      statusListeners.add(listener);
      listener(connection.status, connection.reason);
      return () => statusListeners.delete(listener);
    },
    close() {
      connection.closed = true;
    },
    emit(event: unknown) {
      for (const listener of messageListeners) listener(event as never);
    },
    fail(reason: string) {
      connection.status = 'failed';
      connection.reason = reason;
      for (const listener of statusListeners) listener('failed', reason);
    },
  };
  return connection;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('connectRuntime', () => {
  it('is booting at once, says which runtime it tries, then ready', async () => {
    const fake = fakeConnection({ 'apply-config': { applied: true } });
    let resolveChoice!: (choice: RuntimeChoice) => void;
    const seen: RuntimeStatus[] = [];
    const ui = connectRuntime({
      locale: 'en',
      trying: (runtime) => `trying ${runtime}…`,
      choose: (options) => {
        options.onAttempt('webcontainer');
        return new Promise((resolve) => (resolveChoice = resolve));
      },
    });
    ui.onStatus((status) => seen.push(status));
    expect(ui.status()).toEqual({ state: 'booting', detail: 'trying WebContainer…' });
    const reply = ui.request({ type: 'apply-config', text: 'Listen 80' });
    resolveChoice({ ok: true, connection: fake as unknown as SandboxConnection, attempts: [] });
    expect(await reply).toEqual({ applied: true });
    expect(ui.status()).toEqual({ state: 'ready', runtime: 'local' });
    expect(fake.sent).toEqual([{ type: 'apply-config', text: 'Listen 80' }]);
    expect(seen.at(-1)).toEqual({ state: 'ready', runtime: 'local' });
  });

  it('turns error replies into rejections and passes events on', async () => {
    const fake = fakeConnection({ backend: new Error('no such backend') });
    const ui = connectRuntime({ locale: 'en', trying: (r) => r, choose: async () => ({ ok: true, connection: fake as unknown as SandboxConnection, attempts: [] }) });
    const events: unknown[] = [];
    ui.onMessage((message) => events.push(message));
    await expect(ui.request({ type: 'backend', backend: 'echo', action: 'stop' })).rejects.toThrow('no such backend');
    fake.emit({ type: 'notice', level: 'info', message: 'hi' });
    expect(events).toEqual([{ type: 'notice', level: 'info', message: 'hi' }]);
  });

  it('fails with the chooser’s reason and advice, in Japanese where it has a code for it', async () => {
    const failure: RuntimeChoice = { ok: false, code: 'not-isolated-no-local', reason: 'The sandbox cannot run on this page', advice: 'Run wslab serve', attempts: [] };
    const en = connectRuntime({ locale: 'en', trying: (r) => r, choose: async () => failure });
    await tick();
    expect(en.status()).toEqual({ state: 'failed', reason: 'The sandbox cannot run on this page', advice: 'Run wslab serve' });
    await expect(en.request({ type: 'ping' })).rejects.toThrow('The sandbox cannot run on this page');
    const ja = connectRuntime({ locale: 'ja', trying: (r) => r, choose: async () => failure });
    await tick();
    expect(ja.status()).toMatchObject({ state: 'failed', reason: expect.stringContaining('サンドボックスを実行できません') });
    const forced = connectRuntime({ locale: 'ja', trying: (r) => r, choose: async () => ({ ...failure, code: 'forced-runtime-failed', reason: 'forced failed' }) });
    await tick();
    expect(forced.status()).toMatchObject({ state: 'failed', reason: 'forced failed' });
  });

  it('reports a sandbox that stops later, and starts a new one on restart', async () => {
    const first = fakeConnection({});
    const second = fakeConnection({ ping: undefined });
    const connections = [first, second];
    const ui = connectRuntime({ locale: 'en', trying: (r) => r, choose: async () => ({ ok: true, connection: connections.shift() as unknown as SandboxConnection, attempts: [] }) });
    await tick();
    expect(ui.status()).toMatchObject({ state: 'ready' });
    first.fail('the sandbox was stopped after a long time without use');
    expect(ui.status()).toEqual({ state: 'failed', reason: 'the sandbox was stopped after a long time without use' });
    ui.restart();
    expect(first.closed).toBe(true);
    expect(ui.status()).toEqual({ state: 'booting' });
    await tick();
    expect(ui.status()).toMatchObject({ state: 'ready' });
    await ui.request({ type: 'ping' });
    expect(second.sent).toEqual([{ type: 'ping' }]);
  });
});
