import { startAppServer } from '../server/backends/app-server.ts';
import { startEchoServer } from '../server/backends/echo-server.ts';
import type { RunningBackend } from '../server/backends/server-lifecycle.ts';
import { parseCommandArgs, parsePort, UsageError } from './main.ts';
import { untilStopSignal } from './stop-signal.ts';

const DEFAULT_PORTS = { echo: 8080, app: 3000 } as const;

/** `wslab echo` / `wslab app`: run one of the article's backends until SIGINT/SIGTERM. */
export async function runBackendCommand(kind: 'echo' | 'app', args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    port: { type: 'string', short: 'p' },
    host: { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const port = parsePort(values.port, DEFAULT_PORTS[kind]);
  const host = values.host ?? '127.0.0.1';
  let backend: RunningBackend;
  try {
    backend = kind === 'echo' ? await startEchoServer({ host, port }) : await startAppServer({ host, port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'EADDRINUSE' ? 'the address is already in use' : code === 'EACCES' ? 'permission denied (ports below 1024 need root)' : (error as Error).message;
    console.error(`wslab ${kind}: cannot listen on ${host}:${port}: ${reason}`);
    return 1;
  }
  const stopped = untilStopSignal();
  console.log(`wslab ${kind}: listening on ${backend.url}`);
  backend.observations.onObservation((seen) => {
    const upgrade = seen.headers.upgrade ? ` (Upgrade: ${seen.headers.upgrade})` : '';
    console.log(`${new Date().toISOString()} ${seen.method} ${seen.path}${upgrade}`);
  });
  await stopped;
  await backend.close();
  return 0;
}
