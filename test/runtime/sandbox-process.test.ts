import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigResult, CheckResult, HttpResult, SandboxMessage } from '../../sandbox/runtime/protocol.ts';
import { LIMITS } from '../../sandbox/runtime/request-validation.ts';
import { closeClient, errorLogLines, exerciseChecks, exerciseFile, openClient, roundTrip, spawnSandbox } from './sandbox-harness.ts';
import type { SandboxDriver } from './sandbox-harness.ts';

const SOLUTION = exerciseFile('04-basic-vhost', 'solution.conf');
const START = exerciseFile('04-basic-vhost', 'start.conf');

function result<T>(reply: Awaited<ReturnType<SandboxDriver['request']>>): T {
  if (!reply.ok) throw new Error(`request failed: ${reply.error}`);
  return reply.result as T;
}

describe('the sandbox process over stdio', () => {
  let sandbox: SandboxDriver;
  beforeAll(async () => {
    sandbox = await spawnSandbox();
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it('says ready with the protocol version and its runtime, then the backend states', async () => {
    expect(sandbox.messages[0]).toEqual({ type: 'ready', version: 1, runtime: 'local' });
    await sandbox.waitFor((message) => message.type === 'backend-state');
    expect(sandbox.messages.find((message) => message.type === 'backend-state')).toEqual({ type: 'backend-state', states: { echo: 'running', app: 'running' } });
    expect((await sandbox.request({ type: 'ping' })).ok).toBe(true);
  });

  it('refuses test clients before any config runs', async () => {
    const event = await openClient(sandbox, 'early', { path: '/ws/' });
    expect(event).toMatchObject({ kind: 'error', message: expect.stringContaining('not running') });
  });

  it('applies the basic-vhost solution and echoes through /ws/', async () => {
    const applied = result<ConfigResult>(await sandbox.request({ type: 'apply-config', text: SOLUTION }));
    expect(applied).toMatchObject({ applied: true, exitCode: 0, startupErrors: [] });
    expect(applied.configtest).toMatch(/Syntax OK\n$/);
    expect(applied.configtest).toContain('AH00558');
    const open = await openClient(sandbox, 'a', { path: '/ws/' });
    expect(open).toMatchObject({ kind: 'open', status: 101 });
    expect(await roundTrip(sandbox, 'a', 'hello')).toBe('Echo: hello');
    // The proxy believes it listens on port 80 (the vhost matched) and logs the start like httpd.
    const lines = errorLogLines(sandbox);
    expect(lines.some((line) => line.includes('AH00489: Apache/2.4.71 (Debian) configured -- resuming normal operations'))).toBe(true);
    const connection = sandbox.messages.find((message) => message.type === 'tap' && message.event.type === 'connection-open');
    expect(connection).toMatchObject({ event: { local: '127.0.0.1:80' } });
    const closeFrom = sandbox.messages.length;
    expect((await sandbox.request({ type: 'client-close', client: 'a', code: 1000 })).ok).toBe(true);
    await sandbox.waitFor((message) => message.type === 'client-event' && message.client === 'a' && message.event.kind === 'closed', 5_000, closeFrom);
  });

  it('answers a plain HTTP request through the proxy', async () => {
    const answer = result<HttpResult>(await sandbox.request({ type: 'http-request', method: 'GET', path: '/' }));
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('App backend');
    expect(answer.headers).toContainEqual(['Server', 'Apache/2.4.71 (Debian)']);
  });

  it('refuses a broken config with apachectl\'s text and keeps the previous one running', async () => {
    const broken = SOLUTION.replace('ProxyRequests Off', 'ProxyRequests Off\n    ProxyPassss /x/ http://localhost:3000/');
    const line = broken.split('\n').findIndex((text) => text.includes('ProxyPassss')) + 1;
    const refused = result<ConfigResult>(await sandbox.request({ type: 'apply-config', text: broken }));
    expect(refused.applied).toBe(false);
    expect(refused.exitCode).toBe(1);
    expect(refused.configtest).toBe(
      `AH00526: Syntax error on line ${line} of /etc/apache2/sites-enabled/000-default.conf:\n` +
        "Invalid command 'ProxyPassss', perhaps misspelled or defined by a module not included in the server configuration\n" +
        "Action 'configtest' failed.\nThe Apache error log may have more information.\n",
    );
    expect(refused.diagnostics[0]).toMatchObject({ file: '/etc/apache2/sites-enabled/000-default.conf', line, severity: 'error' });
    expect(await openClient(sandbox, 'b', { path: '/ws/' })).toMatchObject({ kind: 'open', status: 101 });
    expect(await roundTrip(sandbox, 'b', 'still here')).toBe('Echo: still here');
    await closeClient(sandbox, 'b');
  });

  it('stopping echo gives the next client 503 and AH00957 with the article\'s address; starting it again heals', async () => {
    const stopped = await sandbox.request({ type: 'backend', backend: 'echo', action: 'stop' });
    expect(result(stopped)).toEqual({ echo: 'stopped', app: 'running' });
    const from = sandbox.messages.length;
    const rejected = await openClient(sandbox, 'c', { path: '/ws/' });
    expect(rejected).toMatchObject({ kind: 'rejected', status: 503 });
    await sandbox.waitFor((message) => message.type === 'tap' && message.event.type === 'error-log' && message.event.line.includes('AH01114'), 5_000, from);
    const lines = errorLogLines(sandbox, from);
    expect(lines.find((text) => text.includes('AH00957'))).toMatch(/\[proxy:error\] \[pid \d+:tid \d+\] \(111\)Connection refused: AH00957: ws: attempt to connect to 127\.0\.0\.1:8080 \(localhost:8080\) failed$/);
    expect(result(await sandbox.request({ type: 'backend', backend: 'echo', action: 'start' }))).toEqual({ echo: 'running', app: 'running' });
    expect(await openClient(sandbox, 'd', { path: '/ws/' })).toMatchObject({ kind: 'open', status: 101 });
    await closeClient(sandbox, 'd');
  });

  it('blocks backends outside the sandbox: 503, logged, never connected', async () => {
    const config = SOLUTION.replace('ProxyPass /ws/ ws://localhost:8080/', 'ProxyPass /ws/ ws://203.0.113.9:8080/\n    ProxyPass /other/ http://example.org/');
    expect(result<ConfigResult>(await sandbox.request({ type: 'apply-config', text: config })).applied).toBe(true);
    const from = sandbox.messages.length;
    expect(await openClient(sandbox, 'e', { path: '/ws/' })).toMatchObject({ kind: 'rejected', status: 503 });
    const answer = result<HttpResult>(await sandbox.request({ type: 'http-request', method: 'GET', path: '/other/' }));
    expect(answer.status).toBe(503);
    const lines = errorLogLines(sandbox, from);
    expect(lines.some((line) => line.includes('connection to 203.0.113.9:8080 blocked'))).toBe(true);
    expect(lines.some((line) => line.includes('connection to example.org:80 blocked'))).toBe(true);
    expect(sandbox.messages.slice(from).some((message) => message.type === 'backend-observation')).toBe(false);
  });

  it('a loopback port with no backend is refused, as on the article\'s machine', async () => {
    const config = SOLUTION.replace('ws://localhost:8080/', 'ws://localhost:8081/');
    expect(result<ConfigResult>(await sandbox.request({ type: 'apply-config', text: config })).applied).toBe(true);
    const from = sandbox.messages.length;
    expect(await openClient(sandbox, 'f', { path: '/ws/' })).toMatchObject({ kind: 'rejected', status: 503 });
    await sandbox.waitFor((message) => message.type === 'tap' && message.event.type === 'error-log' && message.event.line.includes('AH00957'), 5_000, from);
    expect(errorLogLines(sandbox, from).join('\n')).toContain('(111)Connection refused: AH00957: ws: attempt to connect to 127.0.0.1:8081 (localhost:8081) failed');
  });

  it('run-checks: the exercise start fails, the solution passes, and backends come back', async () => {
    const checks = exerciseChecks('04-basic-vhost');
    expect(result<ConfigResult>(await sandbox.request({ type: 'apply-config', text: START })).applied).toBe(true);
    const failing = result<CheckResult[]>(await sandbox.request({ type: 'run-checks', checks }, 60_000));
    expect(failing.map((check) => check.id)).toEqual(checks.map((check) => check.id));
    expect(failing.find((check) => check.id === 'websocket-gets-101-and-echo')).toMatchObject({ passed: false, outcome: { status: 200 } });

    expect(result<ConfigResult>(await sandbox.request({ type: 'apply-config', text: SOLUTION })).applied).toBe(true);
    const passing = result<CheckResult[]>(await sandbox.request({ type: 'run-checks', checks }, 60_000));
    expect(passing.map((check) => [check.id, check.passed, check.failures])).toEqual(checks.map((check) => [check.id, true, []]));

    const stoppedCheck = { id: 'down', setup: { stopped: ['echo'] }, probe: { kind: 'ws', path: '/ws/' }, expect: { status: 503, errorLog: ['AH00957'], noBackend: true } };
    const [down] = result<CheckResult[]>(await sandbox.request({ type: 'run-checks', checks: [stoppedCheck] }, 60_000));
    expect(down).toMatchObject({ passed: true });
    expect(result(await sandbox.request({ type: 'backend', backend: 'app', action: 'start' }))).toEqual({ echo: 'running', app: 'running' });
  });

  it('a config that fails at startup is refused with httpd\'s startup lines', async () => {
    const text = exerciseFile('08-tuning', 'start.conf').replace(/^ProxyWebsocketIdleTimeout.*$/m, '');
    const refused = result<ConfigResult>(await sandbox.request({ type: 'apply-config', text }));
    expect(refused).toMatchObject({ exitCode: 0, applied: false });
    expect(refused.configtest).toMatch(/Syntax OK\n$/);
    expect(refused.startupErrors.join('\n')).toContain('AH02432: Cannot find LB Method: byrequests');
  });

  it('binds every Listen: a second port is reached through the Host', async () => {
    const text = SOLUTION.replace('Listen 80', 'Listen 80\nListen 8000').replace('<VirtualHost *:80>', '<VirtualHost *:80 *:8000>');
    expect(result<ConfigResult>(await sandbox.request({ type: 'apply-config', text })).applied).toBe(true);
    expect(await openClient(sandbox, 'g', { path: '/ws/', host: 'localhost:8000' })).toMatchObject({ kind: 'open' });
    expect(await openClient(sandbox, 'h', { path: 'ws://localhost:8000/ws/' })).toMatchObject({ kind: 'open' });
    expect(await openClient(sandbox, 'i', { path: '/ws/', host: 'localhost:9999' })).toMatchObject({ kind: 'error', message: expect.stringContaining('nothing listens on port 9999') });
    await closeClient(sandbox, 'g');
    await closeClient(sandbox, 'h');
  });

  it('sends headers, Origin and subprotocols as given', async () => {
    expect(result<ConfigResult>(await sandbox.request({ type: 'apply-config', text: SOLUTION })).applied).toBe(true);
    const from = sandbox.messages.length;
    const open = await openClient(sandbox, 'j', { path: '/ws/', origin: 'https://example.com', protocols: ['chat', 'superchat'], headers: { 'X-Test': 'yes' } });
    expect(open).toMatchObject({ kind: 'open', protocol: 'chat' });
    const seen = (await sandbox.waitFor((message) => message.type === 'backend-observation', 5_000, from)) as Extract<SandboxMessage, { type: 'backend-observation' }>;
    expect(seen.observation.headers).toMatchObject({ origin: 'https://example.com', 'x-test': 'yes', 'sec-websocket-protocol': 'chat,superchat' });
    const binaryFrom = sandbox.messages.length;
    await sandbox.request({ type: 'client-send', client: 'j', binaryHex: '00ff10' });
    const echoed = await sandbox.waitFor((message) => message.type === 'client-event' && message.client === 'j' && message.event.kind === 'message' && message.event.direction === 'in', 5_000, binaryFrom);
    expect(echoed).toMatchObject({ event: { binaryHex: '00ff10' } });
    const bad = await sandbox.request({ type: 'client-close', client: 'j', code: 1005 });
    expect(bad).toMatchObject({ ok: false, error: expect.stringContaining('1005') });
    await closeClient(sandbox, 'j');
  });

  it('streams access-log lines at once, or holds them while BufferedLogs is On', async () => {
    const logged = SOLUTION.replace('ProxyRequests Off', 'ProxyRequests Off\n    CustomLog ${APACHE_LOG_DIR}/access.log combined');
    expect(result<ConfigResult>(await sandbox.request({ type: 'apply-config', text: logged })).applied).toBe(true);
    const accessLines = (from: number) =>
      sandbox.messages.slice(from).flatMap((message) => (message.type === 'tap' && message.event.type === 'access-log' ? [message.event.line] : []));
    let from = sandbox.messages.length;
    await sandbox.request({ type: 'http-request', method: 'GET', path: '/immediate' });
    await sandbox.waitFor((message) => message.type === 'tap' && message.event.type === 'access-log', 5_000, from);
    expect(accessLines(from)[0]).toMatch(/^127\.0\.0\.1 - - \[[^\]]+\] "GET \/immediate HTTP\/1\.1" 200 \d+ "-" "-"$/);

    expect(result<ConfigResult>(await sandbox.request({ type: 'apply-config', text: `BufferedLogs On\n${logged}` })).applied).toBe(true);
    from = sandbox.messages.length;
    await sandbox.request({ type: 'http-request', method: 'GET', path: '/held' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(accessLines(from)).toEqual([]);
    // A graceful restart flushes the buffer, as httpd's does.
    await sandbox.request({ type: 'apply-config', text: logged });
    expect(accessLines(from).some((line) => line.includes('GET /held'))).toBe(true);
  });

  it('never crashes on bad input: each gets a reply or a notice', async () => {
    const from = sandbox.messages.length;
    sandbox.writeRaw('this is not json\n');
    sandbox.writeRaw('{"type":"ping"}\n');
    sandbox.writeRaw('[1,2,3]\n');
    expect(await sandbox.request({ type: 'no-such-thing' })).toMatchObject({ ok: false, error: expect.stringContaining('unknown request type') });
    expect(await sandbox.request({ type: 'client-send', client: 'nobody', text: 'x' })).toMatchObject({ ok: false, error: 'no client nobody' });
    expect(await sandbox.request({ type: 'client-send', client: 'x', text: 'a', binaryHex: '00' })).toMatchObject({ ok: false });
    expect(await sandbox.request({ type: 'apply-config', text: 42 })).toMatchObject({ ok: false, error: 'apply-config: "text" must be a string' });
    expect(await sandbox.request({ type: 'run-checks', checks: [{ id: 'x', probe: { kind: 'ws-many', path: '/', count: 1000, holdMs: 1 }, expect: {} }] })).toMatchObject({ ok: false });
    expect(await sandbox.request({ type: 'http-request', method: 'GET /', path: '/' })).toMatchObject({ ok: false });
    expect(await sandbox.request({ type: 'http-request', method: 'GET', path: '/', headers: { 'X-Bad': 'a\r\nInjected: 1' } })).toMatchObject({ ok: false });
    // A line over 1 MiB is dropped with a notice; the next line is served.
    sandbox.writeRaw(`{"id":999,"type":"apply-config","text":"${'#'.repeat(LIMITS.lineBytes + 10)}"}\n`);
    expect((await sandbox.request({ type: 'ping' })).ok).toBe(true);
    const notices = sandbox.messages.slice(from).filter((message) => message.type === 'notice');
    expect(notices.map((message) => (message as { message: string }).message).join('\n')).toMatch(/not JSON[\s\S]*numeric "id"[\s\S]*must be a JSON object[\s\S]*1 MiB/);
    expect(sandbox.messages.some((message) => message.type === 'reply' && message.id === 999)).toBe(false);
    expect(sandbox.child.exitCode).toBeNull();
  });

  it(`limits test clients to ${LIMITS.clients}`, async () => {
    const many = await sandbox.request({ type: 'client-open-many', prefix: 'm', count: LIMITS.clients, options: { path: '/ws/' } });
    expect(many).toEqual({ type: 'reply', id: many.id, ok: true });
    const tooMany = await sandbox.request({ type: 'client-open-many', prefix: 'n', count: 1, options: { path: '/ws/' } });
    expect(tooMany).toMatchObject({ ok: false, error: expect.stringContaining('limit of 64') });
    const more = await sandbox.request({ type: 'client-open', client: 'one-too-many', options: { path: '/ws/' } });
    expect(more).toMatchObject({ ok: false, error: expect.stringContaining('too many test clients') });
    for (let index = 1; index <= LIMITS.clients; index++) await closeClient(sandbox, `m-${index}`);
  });

  it('exits when stdin closes', async () => {
    await sandbox.stop();
    expect(await sandbox.exited).toBe(0);
  });
});
