/**
 * The MPMs' check_config hooks (event.c / worker.c / prefork.c): clamp the worker limits and say
 * so, in the startup form `apache2 -t` prints ("AH00513: WARNING: ..."). Codes differ per MPM.
 */
import type { MpmSettings } from './model.ts';

interface Codes {
  serverLimitHigh: string;
  serverLimitLow: string;
  threadLimitHigh: string;
  threadLimitLow: string;
  threadsHigh: string;
  threadsLow: string;
  workersLow: string;
  workersMultiple: string;
  workersServerLimit: string;
  startServers: string;
  minSpare: string;
}

const EVENT: Codes = {
  serverLimitHigh: 'AH00497', serverLimitLow: 'AH00499', threadLimitHigh: 'AH00502', threadLimitLow: 'AH00504', threadsHigh: 'AH00507',
  threadsLow: 'AH00509', workersLow: 'AH00511', workersMultiple: 'AH00513', workersServerLimit: 'AH00515', startServers: 'AH00517', minSpare: 'AH00519',
};
const WORKER: Codes = {
  serverLimitHigh: 'AH00300', serverLimitLow: 'AH00302', threadLimitHigh: 'AH00305', threadLimitLow: 'AH00307', threadsHigh: 'AH00310',
  threadsLow: 'AH00312', workersLow: 'AH00314', workersMultiple: 'AH00316', workersServerLimit: 'AH00318', startServers: 'AH00320', minSpare: 'AH00322',
};

/** The effective limits after the MPM's adjustments, and the warnings printed on the way. */
export interface MpmCheck {
  maxRequestWorkers: number;
  threadsPerChild: number;
  serverLimit: number;
  warnings: string[];
}

/** Run the loaded MPM's check_config on the configured values. */
export function checkMpmSettings(settings: MpmSettings): MpmCheck {
  if (settings.module === 'prefork') return checkPrefork(settings);
  const codes = settings.module === 'worker' ? WORKER : EVENT;
  const maxServerLimit = 20000;
  const maxThreadLimit = settings.module === 'worker' ? 20000 : 100000;
  const warnings: string[] = [];
  const warn = (code: string, text: string) => warnings.push(`${code}: WARNING: ${text}`);
  let serverLimit = settings.serverLimit?.value ?? 16;
  let threadLimit = settings.threadLimit?.value ?? 64;
  let threadsPerChild = settings.threadsPerChild?.value ?? 25;
  // pre_config's default is computed from the compiled defaults.
  let maxWorkers = settings.maxRequestWorkers?.value ?? 16 * 25;
  const startServers = settings.startServers?.value ?? 3;
  const minSpareThreads = settings.minSpareThreads?.value ?? 75;

  if (serverLimit > maxServerLimit) {
    warn(codes.serverLimitHigh, `ServerLimit of ${serverLimit} exceeds compile-time limit of ${maxServerLimit} servers, decreasing to ${maxServerLimit}.`);
    serverLimit = maxServerLimit;
  } else if (serverLimit < 1) {
    warn(codes.serverLimitLow, `ServerLimit of ${serverLimit} not allowed, increasing to 1.`);
    serverLimit = 1;
  }
  if (threadLimit > maxThreadLimit) {
    warn(codes.threadLimitHigh, `ThreadLimit of ${threadLimit} exceeds compile-time limit of ${maxThreadLimit} threads, decreasing to ${maxThreadLimit}.`);
    threadLimit = maxThreadLimit;
  } else if (threadLimit < 1) {
    warn(codes.threadLimitLow, `ThreadLimit of ${threadLimit} not allowed, increasing to 1.`);
    threadLimit = 1;
  }
  if (threadsPerChild > threadLimit) {
    warn(codes.threadsHigh, `ThreadsPerChild of ${threadsPerChild} exceeds ThreadLimit of ${threadLimit} threads, decreasing to ${threadLimit}. To increase, please see the ThreadLimit directive.`);
    threadsPerChild = threadLimit;
  } else if (threadsPerChild < 1) {
    warn(codes.threadsLow, `ThreadsPerChild of ${threadsPerChild} not allowed, increasing to 1.`);
    threadsPerChild = 1;
  }
  if (maxWorkers < threadsPerChild) {
    warn(codes.workersLow, `MaxRequestWorkers of ${maxWorkers} is less than ThreadsPerChild of ${threadsPerChild}, increasing to ${threadsPerChild}. MaxRequestWorkers must be at least as large as the number of threads in a single server.`);
    maxWorkers = threadsPerChild;
  }
  let daemons = Math.trunc(maxWorkers / threadsPerChild);
  if (maxWorkers % threadsPerChild) {
    const rounded = daemons * threadsPerChild;
    warn(codes.workersMultiple, `MaxRequestWorkers of ${maxWorkers} is not an integer multiple of ThreadsPerChild of ${threadsPerChild}, decreasing to nearest multiple ${rounded}, for a maximum of ${daemons} servers.`);
    maxWorkers = rounded;
  }
  if (daemons > serverLimit) {
    warn(codes.workersServerLimit, `MaxRequestWorkers of ${maxWorkers} would require ${daemons} servers and would exceed ServerLimit of ${serverLimit}, decreasing to ${serverLimit * threadsPerChild}. To increase, please see the ServerLimit directive.`);
    daemons = serverLimit;
    maxWorkers = serverLimit * threadsPerChild;
  }
  if (startServers < 1) warn(codes.startServers, `StartServers of ${startServers} not allowed, increasing to 1.`);
  if (minSpareThreads < 1) {
    warn(codes.minSpare, `MinSpareThreads of ${minSpareThreads} not allowed, increasing to 1 to avoid almost certain server failure. Please read the documentation.`);
  }
  return { maxRequestWorkers: maxWorkers, threadsPerChild, serverLimit, warnings };
}

function checkPrefork(settings: MpmSettings): MpmCheck {
  const warnings: string[] = [];
  const warn = (code: string, text: string) => warnings.push(`${code}: WARNING: ${text}`);
  let serverLimit = settings.serverLimit?.value ?? 256;
  let maxWorkers = settings.maxRequestWorkers?.value ?? 256;
  const startServers = settings.startServers?.value ?? 5;
  const minSpare = settings.minSpareServers?.value ?? 5;
  if (serverLimit > 200000) {
    warn('AH00175', `ServerLimit of ${serverLimit} exceeds compile-time limit of 200000 servers, decreasing to 200000.`);
    serverLimit = 200000;
  } else if (serverLimit < 1) {
    warn('AH00177', `ServerLimit of ${serverLimit} not allowed, increasing to 1.`);
    serverLimit = 1;
  }
  if (maxWorkers > serverLimit) {
    warn('AH00180', `MaxRequestWorkers of ${maxWorkers} exceeds ServerLimit value of ${serverLimit} servers, decreasing MaxRequestWorkers to ${serverLimit}. To increase, please see the ServerLimit directive.`);
    maxWorkers = serverLimit;
  } else if (maxWorkers < 1) {
    warn('AH00182', `MaxRequestWorkers of ${maxWorkers} not allowed, increasing to 1.`);
    maxWorkers = 1;
  }
  if (startServers < 1) warn('AH00184', `StartServers of ${startServers} not allowed, increasing to 1.`);
  if (minSpare < 1) warn('AH00186', `MinSpareServers of ${minSpare} not allowed, increasing to 1 to avoid almost certain server failure. Please read the documentation.`);
  return { maxRequestWorkers: maxWorkers, threadsPerChild: 1, serverLimit, warnings };
}
