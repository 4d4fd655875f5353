import { configtest } from '../engine/config/configtest.ts';
import { DEFAULT_SERVER_ROOT } from '../engine/config/default-modules.ts';
import type { HttpdConfig } from '../engine/config/model.ts';
import { HTTPD_BUILT, HTTPD_PLATFORM, HTTPD_VERSION } from '../engine/http/error-page.ts';
import { formatErrorLogLine } from '../engine/logs/error-log.ts';
import type { ErrorLogEntry } from '../engine/logs/error-log.ts';
import type { TapEvent } from '../engine/tap-events.ts';
import { FileLogSink, resolveLogPath } from '../server/proxy/log-sink.ts';
import { ListenError, startProxyServer } from '../server/proxy/proxy-server.ts';
import { nodeFileSystem, processEnvironment, readConfigFile } from './config-file.ts';
import { parseCommandArgs, UsageError } from './main.ts';
import { removePidFile, writePidFile } from './pid-file.ts';
import { untilStopSignal } from './stop-signal.ts';
import { createTapLineWriter } from './tap-line-writer.ts';

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
  const running = proxy;
  const logMain = (entry: ErrorLogEntry) => running.runtime().log(entry, null, 0);
  const notice = (code: string, message: string, module = 'core') => logMain({ module, level: 'notice', code, message });

  // The MPM writes the PidFile once the listeners are bound, before it announces itself; a pid
  // file it cannot write ends the start (exit 1, no AH00491).
  let pidFilePath: string | null = null;
  const logPid = (pidConfig: HttpdConfig, restart: boolean): boolean => {
    const file = pidConfig.global.pidFile?.value;
    if (file === undefined) return true;
    const written = writePidFile(pidConfig.global.serverRoot?.value ?? DEFAULT_SERVER_ROOT, file, process.pid, { restart });
    written.log.forEach(logMain);
    if (written.ok) pidFilePath = written.path;
    return written.ok;
  };
  if (!logPid(config, false)) {
    await proxy.close();
    return 1;
  }
  notice('AH00489', `Apache/${HTTPD_VERSION} (${HTTPD_PLATFORM}) configured -- resuming normal operations`, `mpm_${config.global.mpm.module ?? 'event'}`);
  logMain({ module: `mpm_${config.global.mpm.module ?? 'event'}`, level: 'info', code: 'AH00490', message: `Server built: ${HTTPD_BUILT}` });
  notice('AH00094', `Command line: 'wslab proxy ${path}'`);
  announceNotSimulated(proxy.runtime().config, (message) => proxy.runtime().log({ module: 'wslab', level: 'notice', message }, null, 0));

  // A graceful restart that cannot write the pid file ends the server, as httpd's exit(1) does.
  let pidFileFailed = () => {};
  const pidFileFailure = new Promise<'pid-file-failed'>((resolve) => {
    pidFileFailed = () => resolve('pid-file-failed');
  });

  // SIGUSR1 is `apachectl graceful`: check the new config first and keep the old one if it is broken.
  const graceful = () => {
    const next = loadChecked(positionals[0], defines);
    if (!next.ok) {
      console.error('wslab proxy: graceful restart refused; still running the previous config');
      return;
    }
    proxy.reload(next.config);
    notice('AH00493', 'SIGUSR1 received.  Doing graceful restart', `mpm_${next.config.global.mpm.module ?? 'event'}`);
    if (!logPid(next.config, true)) pidFileFailed();
    announceNotSimulated(next.config, (message) => proxy.runtime().log({ module: 'wslab', level: 'notice', message }, null, 0));
  };
  process.on('SIGUSR1', graceful);
  process.on('SIGHUP', graceful);
  for (const listener of proxy.listeners) {
    console.error(`wslab proxy: listening on ${listener.tls ? 'https' : 'http'}://${listener.host.includes(':') ? `[${listener.host}]` : listener.host}:${listener.port}`);
  }

  const signal = await Promise.race([stopped, pidFileFailure]);
  process.off('SIGUSR1', graceful);
  process.off('SIGHUP', graceful);
  if (signal === 'pid-file-failed') {
    await proxy.close();
    return 1;
  }
  if (pidFilePath !== null) logMain(removePidFile(pidFilePath, process.pid));
  notice('AH00491', `caught ${signal}, shutting down`, `mpm_${config.global.mpm.module ?? 'event'}`);
  await proxy.close();
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
