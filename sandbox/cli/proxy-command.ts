import { configtest } from '../engine/config/configtest.ts';
import type { HttpdConfig } from '../engine/config/model.ts';
import { HTTPD_PLATFORM, HTTPD_VERSION } from '../engine/http/error-page.ts';
import { formatErrorLogLine } from '../engine/logs/error-log.ts';
import type { TapEvent } from '../engine/tap-events.ts';
import { FileLogSink, resolveLogPath } from '../server/proxy/log-sink.ts';
import { ListenError, startProxyServer } from '../server/proxy/proxy-server.ts';
import { nodeFileSystem, processEnvironment, readConfigFile } from './config-file.ts';
import { parseCommandArgs, UsageError } from './main.ts';
import { untilStopSignal } from './stop-signal.ts';
import { createTapLineWriter } from './tap-line-writer.ts';

const DEFAULT_SERVER_ROOT = '/etc/apache2';

/** `wslab proxy FILE`: run the emulator in the foreground like `apache2 -f FILE -DFOREGROUND`. */
export async function runProxyCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    define: { type: 'string', short: 'D', multiple: true },
    tap: { type: 'boolean' },
  });
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'missing FILE' : `unexpected argument '${positionals[1]}'`);
  const defines = values.define ?? [];
  const loaded = loadChecked(positionals[0], defines);
  if (!loaded.ok) return loaded.exitCode ?? 1;
  const { config, path } = loaded;

  const serverRoot = config.global.serverRoot?.value ?? DEFAULT_SERVER_ROOT;
  const sink = new FileLogSink({ serverRoot, bufferedLogs: config.global.bufferedLogs?.value ?? false });
  let proxy;
  try {
    proxy = await startProxyServer({
      config,
      sink,
      pid: process.pid,
      readFile: (file) => readTextFile(resolveLogPath(serverRoot, file)),
      tap: values.tap ? stdoutTapWriter() : undefined,
    });
  } catch (error) {
    if (error instanceof ListenError) {
      console.error(error.message);
      console.error('no listening sockets available, shutting down');
      console.error('AH00015: Unable to open logs');
      return 1;
    }
    console.error(`wslab proxy: ${(error as Error).message}`);
    return 1;
  }

  // Every handler goes in before "listening on" is printed (see untilStopSignal).
  const stopped = untilStopSignal();
  const notice = (code: string, message: string, module = 'core') => proxy.runtime().log({ module, level: 'notice', code, message }, null, 0);
  notice('AH00489', `Apache/${HTTPD_VERSION} (${HTTPD_PLATFORM}) configured -- resuming normal operations`, `mpm_${config.global.mpm.module ?? 'event'}`);
  notice('AH00094', `Command line: 'wslab proxy ${path}'`);
  announceNotSimulated(proxy.runtime().config, (message) => proxy.runtime().log({ module: 'wslab', level: 'notice', message }, null, 0));

  // SIGUSR1 is `apachectl graceful`: check the new config first and keep the old one if it is broken.
  const graceful = () => {
    const next = loadChecked(positionals[0], defines);
    if (!next.ok) {
      console.error('wslab proxy: graceful restart refused; still running the previous config');
      return;
    }
    proxy.reload(next.config);
    notice('AH00493', 'SIGUSR1 received.  Doing graceful restart', `mpm_${next.config.global.mpm.module ?? 'event'}`);
    announceNotSimulated(next.config, (message) => proxy.runtime().log({ module: 'wslab', level: 'notice', message }, null, 0));
  };
  process.on('SIGUSR1', graceful);
  process.on('SIGHUP', graceful);
  for (const listener of proxy.listeners) {
    console.error(`wslab proxy: listening on ${listener.tls ? 'https' : 'http'}://${listener.host.includes(':') ? `[${listener.host}]` : listener.host}:${listener.port}`);
  }

  const signal = await stopped;
  notice('AH00491', `caught ${signal}, shutting down`, `mpm_${config.global.mpm.module ?? 'event'}`);
  await proxy.close();
  process.off('SIGUSR1', graceful);
  process.off('SIGHUP', graceful);
  return 0;
}

/** `exitCode`: what httpd exits with when it refuses the config (1, or 2 where its expression scanner jams). */
type Checked = { ok: true; config: HttpdConfig; path: string } | { ok: false; exitCode?: number };

/** Read and check the config; print httpd's messages; refuse what httpd would refuse to start with. */
function loadChecked(file: string, defines: string[]): Checked {
  const read = readConfigFile(file);
  if (!read.ok) {
    console.error(read.message);
    return { ok: false };
  }
  const result = configtest(read.text, {
    file: read.path,
    env: processEnvironment(),
    defines,
    fileSystem: nodeFileSystem,
    // This command stands in for Debian's apache2, which can only load its own module files.
    modulePaths: 'debian',
    pid: process.pid,
  });
  // Warnings httpd prints on the way up (AH00558, MPM adjustments) are printed here too; "Syntax OK" is -t only.
  const warnings = result.stderr.split('\n').filter((line) => line !== '' && line !== 'Syntax OK');
  for (const line of warnings) console.error(line);
  if (result.exitCode !== 0 || result.config === null) return { ok: false, exitCode: result.exitCode || 1 };
  if (!result.startup.ok) {
    const config = result.config;
    const serverRoot = config.global.serverRoot?.value ?? DEFAULT_SERVER_ROOT;
    const errorLog = config.main.server.errorLog?.value ?? null;
    const sink = new FileLogSink({ serverRoot, bufferedLogs: false });
    for (const line of result.startup.lines) {
      if (line.stream === 'stderr') console.error(line.text);
      else {
        const rendered = formatErrorLogLine({ module: line.module, level: line.level as 'error', message: line.text }, Date.now() * 1000, { pid: process.pid, tid: process.pid });
        sink.errorLine(errorLog, line.module === '' ? rendered.replace('[:', '[') : rendered);
      }
    }
    return { ok: false };
  }
  return { ok: true, config: result.config, path: read.path };
}

/** Every directive the emulator parses but does not act on is said once, never silently ignored. */
function announceNotSimulated(config: HttpdConfig, say: (message: string) => void): void {
  const seen = new Set<string>();
  for (const directive of config.notSimulated) {
    const key = directive.name.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    say(`${directive.name} (line ${directive.source.line} of ${directive.source.file}) is accepted but not simulated by wslab`);
  }
}

function readTextFile(path: string): string {
  const text = nodeFileSystem.readFile(path);
  if (text === null) throw new Error(`cannot read ${path}`);
  return text;
}

/** Tap events as JSON lines on stdout; what is still gathered when the process exits is written then. */
function stdoutTapWriter(): (event: TapEvent) => void {
  const writer = createTapLineWriter({ write: (text) => process.stdout.write(text) });
  process.once('exit', writer.flush);
  return writer.event;
}
