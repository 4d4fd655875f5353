/**
 * How many requests httpd can serve at once, and the warnings it prints while working that out.
 * Follows event/worker MPM check_config: ThreadLimit bounds ThreadsPerChild, MaxRequestWorkers is
 * raised to one child's threads and rounded down to a multiple of ThreadsPerChild, then capped by
 * ServerLimit. Since every open WebSocket holds a worker thread, the result is also the number of
 * WebSockets the proxy can hold open. Message texts were measured on httpd 2.4.71 (`apache2 -t`
 * prints the startup form; the error log gets the short form).
 */
import type { MpmSettings } from './config/model.ts';

/** One adjustment httpd made, in both of the forms it prints. */
export interface MpmWarning {
  /** Printed by `apache2 -t` and at startup on stderr: "AH00513: WARNING: …". */
  startup: { code: string; message: string };
  /** Written to the error log at [mpm_event:warn] when the server starts. */
  errorLog: { code: string; message: string };
}

export interface MpmLimits {
  mpm: 'event' | 'worker' | 'prefork';
  /** Worker threads (or prefork processes) available to requests: the concurrency cap. */
  maxRequestWorkers: number;
  threadsPerChild: number;
  serverLimit: number;
  warnings: MpmWarning[];
}

// Compiled defaults of httpd 2.4 (server/mpm/*/: DEFAULT_SERVER_LIMIT, DEFAULT_THREAD_LIMIT, ...).
const THREADED_DEFAULTS = { serverLimit: 16, threadLimit: 64, threadsPerChild: 25, startServers: 3, minSpareThreads: 75 };
const PREFORK_DEFAULTS = { serverLimit: 256 };

function warning(startupCode: string, startup: string, logCode: string, log: string): MpmWarning {
  return { startup: { code: startupCode, message: `WARNING: ${startup}` }, errorLog: { code: logCode, message: log } };
}

/** Compute the effective worker limits for the loaded MPM (event when none is named). */
export function computeMpmLimits(settings: MpmSettings): MpmLimits {
  const mpm = settings.module ?? 'event';
  if (mpm === 'prefork') return computePreforkLimits(settings);

  const warnings: MpmWarning[] = [];
  let serverLimit = settings.serverLimit?.value ?? THREADED_DEFAULTS.serverLimit;
  let threadLimit = settings.threadLimit?.value ?? THREADED_DEFAULTS.threadLimit;
  let threadsPerChild = settings.threadsPerChild?.value ?? THREADED_DEFAULTS.threadsPerChild;
  // The default is computed from the compiled defaults, before ThreadsPerChild is adjusted.
  let maxWorkers = settings.maxRequestWorkers?.value ?? THREADED_DEFAULTS.serverLimit * THREADED_DEFAULTS.threadsPerChild;
  const startServers = settings.startServers?.value ?? THREADED_DEFAULTS.startServers;
  const minSpareThreads = settings.minSpareThreads?.value ?? THREADED_DEFAULTS.minSpareThreads;

  if (serverLimit < 1) {
    warnings.push(warning('AH00498', `ServerLimit of ${serverLimit} not allowed, increasing to 1.`, 'AH00499', `ServerLimit of ${serverLimit} not allowed, increasing to 1`));
    serverLimit = 1;
  }
  if (threadLimit < 1) {
    warnings.push(warning('AH00504', `ThreadLimit of ${threadLimit} not allowed, increasing to 1.`, 'AH00505', `ThreadLimit of ${threadLimit} not allowed, increasing to 1`));
    threadLimit = 1;
  }
  if (threadsPerChild > threadLimit) {
    warnings.push(warning(
      'AH00507',
      `ThreadsPerChild of ${threadsPerChild} exceeds ThreadLimit of ${threadLimit} threads, decreasing to ${threadLimit}. To increase, please see the ThreadLimit directive.`,
      'AH00508',
      `ThreadsPerChild of ${threadsPerChild} exceeds ThreadLimit of ${threadLimit}, decreasing to match`,
    ));
    threadsPerChild = threadLimit;
  } else if (threadsPerChild < 1) {
    warnings.push(warning('AH00509', `ThreadsPerChild of ${threadsPerChild} not allowed, increasing to 1.`, 'AH00510', `ThreadsPerChild of ${threadsPerChild} not allowed, increasing to 1`));
    threadsPerChild = 1;
  }
  if (maxWorkers < threadsPerChild) {
    warnings.push(warning(
      'AH00511',
      `MaxRequestWorkers of ${maxWorkers} is less than ThreadsPerChild of ${threadsPerChild}, increasing to ${threadsPerChild}. MaxRequestWorkers must be at least as large as the number of threads in a single server.`,
      'AH00512',
      `MaxRequestWorkers of ${maxWorkers} is less than ThreadsPerChild of ${threadsPerChild}, increasing to match`,
    ));
    maxWorkers = threadsPerChild;
  }
  let daemonsLimit = Math.floor(maxWorkers / threadsPerChild);
  if (maxWorkers % threadsPerChild !== 0) {
    const rounded = daemonsLimit * threadsPerChild;
    warnings.push(warning(
      'AH00513',
      `MaxRequestWorkers of ${maxWorkers} is not an integer multiple of ThreadsPerChild of ${threadsPerChild}, decreasing to nearest multiple ${rounded}, for a maximum of ${daemonsLimit} servers.`,
      'AH00514',
      `MaxRequestWorkers of ${maxWorkers} is not an integer multiple of ThreadsPerChild of ${threadsPerChild}, decreasing to nearest multiple ${rounded}`,
    ));
    maxWorkers = rounded;
  }
  if (daemonsLimit > serverLimit) {
    const capped = serverLimit * threadsPerChild;
    warnings.push(warning(
      'AH00515',
      `MaxRequestWorkers of ${maxWorkers} would require ${daemonsLimit} servers and would exceed ServerLimit of ${serverLimit}, decreasing to ${capped}. To increase, please see the ServerLimit directive.`,
      'AH00516',
      `MaxRequestWorkers of ${maxWorkers} would require ${daemonsLimit} servers and exceed ServerLimit of ${serverLimit}, decreasing to ${capped}`,
    ));
    daemonsLimit = serverLimit;
  }
  if (startServers < 1) {
    warnings.push(warning('AH00517', `StartServers of ${startServers} not allowed, increasing to 1.`, 'AH00518', `StartServers of ${startServers} not allowed, increasing to 1`));
  }
  if (minSpareThreads < 1) {
    warnings.push(warning(
      'AH00519',
      `MinSpareThreads of ${minSpareThreads} not allowed, increasing to 1 to avoid almost certain server failure. Please read the documentation.`,
      'AH00520',
      `MinSpareThreads of ${minSpareThreads} not allowed, increasing to 1`,
    ));
  }
  return { mpm, maxRequestWorkers: daemonsLimit * threadsPerChild, threadsPerChild, serverLimit, warnings };
}

function computePreforkLimits(settings: MpmSettings): MpmLimits {
  const serverLimit = Math.max(1, settings.serverLimit?.value ?? PREFORK_DEFAULTS.serverLimit);
  const requested = settings.maxRequestWorkers?.value ?? PREFORK_DEFAULTS.serverLimit;
  const warnings: MpmWarning[] = [];
  let maxRequestWorkers = requested;
  if (requested > serverLimit) {
    warnings.push(warning(
      'AH00180',
      `MaxRequestWorkers of ${requested} exceeds ServerLimit value of ${serverLimit} servers, decreasing MaxRequestWorkers to ${serverLimit}. To increase, please see the ServerLimit directive.`,
      'AH00181',
      `MaxRequestWorkers of ${requested} exceeds ServerLimit value of ${serverLimit}, decreasing to match`,
    ));
    maxRequestWorkers = serverLimit;
  } else if (requested < 1) {
    warnings.push(warning('AH00182', `MaxRequestWorkers of ${requested} not allowed, increasing to 1.`, 'AH00183', `MaxRequestWorkers of ${requested} not allowed, increasing to 1`));
    maxRequestWorkers = 1;
  }
  return { mpm: 'prefork', maxRequestWorkers, threadsPerChild: 1, serverLimit, warnings };
}
