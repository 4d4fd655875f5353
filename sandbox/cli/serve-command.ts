import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { attachLocalSandboxes } from '../runtime/local-sessions.ts';
import { startSiteServer } from '../server/site-server.ts';
import { parseCommandArgs, parsePort, UsageError } from './main.ts';
import { untilStopSignal } from './stop-signal.ts';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** True for 127.0.0.0/8, ::1 and "localhost": addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '[::1]';
}

/** `wslab serve`: the built site (and, where present, the local sandbox runtime). */
export async function runServeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    host: { type: 'string' },
    port: { type: 'string', short: 'p' },
    root: { type: 'string' },
    'max-sessions': { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const host = values.host ?? '127.0.0.1';
  const port = parsePort(values.port, 4321);
  const root = resolve(values.root ?? join(PROJECT_ROOT, 'dist'));
  const maxSessionsText = values['max-sessions'] ?? '4';
  const maxSessions = Number(maxSessionsText);
  if (!/^\d+$/.test(maxSessionsText) || maxSessions < 1) throw new UsageError(`--max-sessions takes a positive whole number, not '${maxSessionsText}'`);
  if (!existsSync(join(root, 'index.html'))) {
    console.error(`wslab serve: no built site in ${root}. Run \`npm run build\` first (or \`npm start\`, which builds and serves).`);
    return 1;
  }
  if (!isLoopbackHost(host)) {
    console.warn(
      `wslab serve: WARNING: --host ${host} is not a loopback address. Anyone who can reach this machine on port ${port} ` +
        `can read the tutorial and start up to ${maxSessions} sandboxes on it: each is a process on this machine running the ` +
        'Apache emulator and its echo and app backends (they reach nothing but their own backends).',
    );
  }
  let server;
  try {
    server = await startSiteServer({ root, host, port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    console.error(`wslab serve: cannot listen on ${host}:${port}: ${code === 'EADDRINUSE' ? 'the address is already in use' : (error as Error).message}`);
    return 1;
  }
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const sandboxes = attachLocalSandboxes(server, { maxSessions, allowedHosts: isLoopbackHost(host) ? [] : [host] });
  const stopped = untilStopSignal();
  console.log(`wslab serve: the tutorial is at http://${shownHost}:${boundPort}/ (sandboxes run on this machine, up to ${maxSessions} at once)`);
  await stopped;
  await sandboxes.close();
  server.close();
  return 0;
}
