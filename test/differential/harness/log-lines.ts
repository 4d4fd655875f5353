/**
 * Exact log-line comparison (the opt-in `accessLog` and `errorLogLines` fields): the lines each
 * log file gained while a probe ran, with the parts that differ on every run (clock, process and
 * thread ids, the client's ephemeral port, durations) replaced by placeholders, so the rest of the
 * line must match httpd's byte for byte.
 */
import { LIFECYCLE_CODES } from './error-log-tail.ts';

/** A scenario's own rule: every match of `pattern` (a regular expression) becomes `replacement`. */
export interface LogMask {
  pattern: string;
  replacement: string;
}

/** The log files a config writes under ${WORKDIR}, by file name, as the directives name them. */
export interface ConfiguredLogFiles {
  access: string[];
  error: string[];
}

/**
 * CustomLog / TransferLog / GlobalLog and ErrorLog targets written as `${WORKDIR}/name`, in order,
 * each once. Piped and syslog targets are not files and are not read.
 */
export function configuredLogFiles(configText: string): ConfiguredLogFiles {
  const named = (directives: string): string[] => {
    const pattern = new RegExp(`^\\s*(?:${directives})\\s+"?\\$\\{WORKDIR\\}/([^\\s"]+)`, 'gim');
    return [...new Set([...configText.matchAll(pattern)].map((match) => match[1]))];
  };
  return { access: named('CustomLog|TransferLog|GlobalLog'), error: named('ErrorLog') };
}

/**
 * Built-in masks, applied before the scenario's. Only shapes that cannot be anything but the
 * varying part are masked here; a bare number (%D, %P, %{remote}p) needs a scenario mask that
 * names its surroundings.
 */
const BUILT_IN_MASKS: Array<[RegExp, string]> = [
  // mod_log_config's %t: [24/Nov/2026:13:24:23 +0000]
  [/\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}/g, '${TIME}'],
  // The error log's %t / %{u}t / %{cu}t: Tue Nov 24 13:24:23.633550 2026, 2026-11-24 13:24:23.633550
  [/[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}(\.\d+)? \d{4}/g, '${TIME}'],
  [/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?/g, '${TIME}'],
  // The error log's default [pid P:tid T]
  [/\bpid \d+:tid \d+\b/g, 'pid ${PID}:tid ${TID}'],
  [/\bpid \d+\b/g, 'pid ${PID}'],
  // AH00096 at stop: removed PID file FILE (pid=P)
  [/\(pid=\d+\)/g, '(pid=${PID})'],
  // [client 127.0.0.1:54938] and [remote 127.0.0.1:8443]'s peer port is the client's ephemeral one.
  [/\[client ([0-9.]+|\[[0-9a-f:]+\]):\d+\]/g, '[client $1:${CLIENT_PORT}]'],
];

/** Turn one side's raw log text into comparable lines. */
export function normaliseLogLines(text: string, masks: readonly LogMask[], options: { dropLifecycle: boolean }): string[] {
  const scenarioMasks = masks.map((mask): [RegExp, string] => [new RegExp(mask.pattern, 'g'), mask.replacement]);
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .filter((line) => !options.dropLifecycle || ![...LIFECYCLE_CODES].some((code) => line.includes(`${code}:`)))
    .map((line) => [...BUILT_IN_MASKS, ...scenarioMasks].reduce((result, [pattern, replacement]) => result.replace(pattern, replacement), line));
}
