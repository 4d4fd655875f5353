/**
 * site/deploy/workshop-balancer.conf on a real Apache httpd, in front of TWO `wslab serve`
 * instances: a learner (one cookie jar) stays on the instance they first landed on, so the token
 * from POST /__wslab/session and the sandbox WebSocket reach the same instance, request after
 * request; the same token sent to the other instance is refused; another learner may land on the
 * other instance.
 *
 * Needs /usr/sbin/apache2 with mod_proxy_balancer, mod_lbmethod_byrequests, mod_slotmem_shm and
 * mod_headers. Skipped without it, except with CI=true, where it fails.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, httpRequest, LearnerSession, SessionRefused } from '../../sandbox/loadtest/learner-client.ts';
import { freePort, ROOT, startServe } from '../../sandbox/loadtest/serve-process.ts';
import { builtSite } from '../site/helpers/test-site-build.ts';
import type { ServeProcess } from '../../sandbox/loadtest/serve-process.ts';

const APACHE = '/usr/sbin/apache2';
const MODULES = '/usr/lib/apache2/modules';
const NEEDED = ['mod_mpm_event', 'mod_authz_core', 'mod_proxy', 'mod_proxy_http', 'mod_proxy_wstunnel', 'mod_proxy_balancer', 'mod_slotmem_shm', 'mod_lbmethod_byrequests', 'mod_headers'];
const CONFIG = join(ROOT, 'site', 'deploy', 'workshop-balancer.conf');
const PUBLIC_NAME = 'workshop.test';
const SOLUTION = readFileSync(join(ROOT, 'lessons', '04-basic-vhost', 'exercise', 'solution.conf'), 'utf8');

const missing = [APACHE, ...NEEDED.map((name) => join(MODULES, `${name}.so`))].filter((path) => !existsSync(path));

if (missing.length > 0) {
  const message = `real Apache httpd is missing (${missing.join(', ')}): the workshop balancer test needs apache2 with its proxy modules`;
  if (process.env.CI === 'true') {
    describe('workshop balancer', () => {
      it('needs real Apache httpd in CI', () => {
        throw new Error(`${message}. CI must install it: apt-get install apache2`);
      });
    });
  } else {
    console.warn(`\n[workshop balancer] SKIPPED: ${message}\n`);
    describe.skip(`workshop balancer (skipped: ${message})`, () => {
      it('needs real Apache httpd', () => undefined);
    });
  }
} else {
  describe('workshop balancer: httpd in front of two wslab serve instances', () => {
    let workdir: string;
    let httpd: ChildProcess | undefined;
    let httpdOutput = '';
    let instances: Record<'a' | 'b', ServeProcess>;
    let base: string;
    let host: string;
    const opened: LearnerSession[] = [];

    beforeAll(async () => {
      // The tests' own build, not dist/ (site.test.ts rebuilds dist/ while other files run).
      const siteDir = await builtSite();
      const env = { WSLAB_ALLOWED_HOSTS: PUBLIC_NAME };
      const [a, b] = await Promise.all([startServe({ maxSessions: 6, siteDir, env }), startServe({ maxSessions: 6, siteDir, env })]);
      instances = { a, b };
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      host = `${PUBLIC_NAME}:${port}`;
      workdir = mkdtempSync(join(tmpdir(), 'wslab-balancer-'));
      // httpd's children run as www-data and reopen the Mutex files here.
      chmodSync(workdir, 0o755);
      const config = join(workdir, 'httpd.conf');
      writeFileSync(
        config,
        [
          ...NEEDED.map((name) => `LoadModule ${name.replace(/^mod_/, '')}_module ${MODULES}/${name}.so`),
          'ServerName localhost',
          `Listen 127.0.0.1:${port}`,
          ...(process.getuid?.() === 0 ? ['User www-data', 'Group www-data'] : []),
          `PidFile ${workdir}/httpd.pid`,
          `DefaultRuntimeDir ${workdir}`,
          `Mutex file:${workdir} default`,
          `ErrorLog ${workdir}/error.log`,
          'LogLevel warn',
          `Define WSLAB_PORT ${port}`,
          `Define WSLAB_A 127.0.0.1:${a.port}`,
          `Define WSLAB_B 127.0.0.1:${b.port}`,
          `Include ${CONFIG}`,
          '',
        ].join('\n'),
      );
      httpd = spawn(APACHE, ['-f', config, '-DFOREGROUND'], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin', LANG: 'C' } });
      httpd.stdout?.on('data', (chunk: Buffer) => (httpdOutput += chunk.toString()));
      httpd.stderr?.on('data', (chunk: Buffer) => (httpdOutput += chunk.toString()));
      await waitForPort(port, () => `${httpdOutput}\n${readIfExists(join(workdir, 'error.log'))}`);
    }, 900_000);

    afterAll(async () => {
      for (const session of opened) session.socket.terminate();
      if (httpd && httpd.exitCode === null) {
        const exited = new Promise((resolve) => httpd?.once('exit', resolve));
        httpd.kill('SIGTERM');
        await exited;
      }
      await Promise.all(Object.values(instances ?? {}).map((instance) => instance.stop()));
      if (workdir) rmSync(workdir, { recursive: true, force: true });
    }, 60_000);

    /** Sessions each instance has started so far (from its log). */
    const started = (name: 'a' | 'b') => (instances[name].output().match(/sandbox session \d+ started/g) ?? []).length;

    async function sandboxFor(jar: CookieJar): Promise<LearnerSession> {
      const session = await LearnerSession.open(base, { host, jar });
      opened.push(session);
      return session;
    }

    it('keeps a learner on one instance: the token and its WebSocket, request after request', async () => {
      const jar = new CookieJar();
      const page = await httpRequest(`${base}/`, { headers: { Host: host }, jar });
      expect(page.status).toBe(200);
      const route = jar.get('ROUTEID');
      expect(route, `ROUTEID cookie; Set-Cookie was ${JSON.stringify(page.headers['set-cookie'])}`).toMatch(/^\.(a|b)$/);
      const mine = (route as string).slice(1) as 'a' | 'b';
      const other = mine === 'a' ? 'b' : 'a';
      const before = { a: started('a'), b: started('b') };

      // Several pages, tokens and sandboxes in a row: every one on the learner's instance.
      for (let round = 1; round <= 3; round++) {
        expect((await httpRequest(`${base}/en/lessons/basic-vhost/`, { headers: { Host: host }, jar })).status).toBe(200);
        const session = await sandboxFor(jar);
        const applied = await session.request({ type: 'apply-config', text: SOLUTION });
        expect(applied.ok && (applied.result as { applied: boolean }).applied).toBe(true);
        expect(await session.openClient('ws', { path: '/ws/' })).toMatchObject({ kind: 'open', status: 101 });
        expect(await session.roundTrip('ws', `hello ${round}`)).toBe(`Echo: hello ${round}`);
        await session.close();
        expect(jar.get('ROUTEID')).toBe(route);
      }
      expect(started(mine) - before[mine]).toBe(3);
      expect(started(other) - before[other]).toBe(0);
    });

    it("refuses a token on the instance that did not issue it (why the route must stick)", async () => {
      const jar = new CookieJar();
      await httpRequest(`${base}/`, { headers: { Host: host }, jar });
      const mine = (jar.get('ROUTEID') as string).slice(1);
      const token = (JSON.parse((await httpRequest(`${base}/__wslab/session`, { method: 'POST', headers: { Host: host, Origin: `http://${host}` }, jar })).body) as { token: string }).token;
      const elsewhere = new CookieJar();
      elsewhere.store(`ROUTEID=.${mine === 'a' ? 'b' : 'a'}; path=/`);
      const refused = await LearnerSession.connect(base, token, { host, jar: elsewhere }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(SessionRefused);
      expect(refused).toMatchObject({ stage: 'socket', status: 403, body: expect.stringContaining('session token') });
      // On its own instance the same token still works (the refusal did not spend it).
      const session = await LearnerSession.connect(base, token, { host, jar });
      opened.push(session);
      expect((await session.request({ type: 'ping' })).ok).toBe(true);
      await session.close();
    });

    it('spreads new learners: another learner lands on the other instance', async () => {
      const routes = new Set<string>();
      for (let learner = 0; learner < 6 && routes.size < 2; learner++) {
        const jar = new CookieJar();
        const session = await sandboxFor(jar);
        routes.add(jar.get('ROUTEID') as string);
        expect((await session.request({ type: 'ping' })).ok).toBe(true);
        await session.close();
      }
      expect([...routes].sort()).toEqual(['.a', '.b']);
    });
  });
}

function readIfExists(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

async function waitForPort(port: number, diagnostics: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`httpd did not listen on ${port}:\n${diagnostics()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
