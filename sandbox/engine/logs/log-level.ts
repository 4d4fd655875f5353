/**
 * httpd's log levels and the LogLevel directive's per-module form ("warn proxy:trace5").
 * Kept apart from the formatters because routing, the proxy and the editor all ask "would this
 * line be logged?".
 */

import { LOG_LEVELS, type LogLevelName } from '../config/model.ts';

export { LOG_LEVELS, type LogLevelName };

/** The effective LogLevel: a default plus per-module overrides (module names without "mod_"). */
export interface LogLevelSetting {
  level: LogLevelName;
  perModule: Record<string, LogLevelName>;
}

/** httpd's default when no LogLevel is configured. */
export const DEFAULT_LOG_LEVEL: LogLevelSetting = { level: 'warn', perModule: {} };

/** Severity as a number: emerg is 0, trace8 is 15 (httpd's APLOG_* order). */
export function levelRank(level: LogLevelName): number {
  return LOG_LEVELS.indexOf(level);
}

/** Whether a message of `level` from `module` passes the configured LogLevel. */
export function isLogged(setting: LogLevelSetting, module: string, level: LogLevelName): boolean {
  const threshold = setting.perModule[module] ?? setting.level;
  return levelRank(level) <= levelRank(threshold);
}

/**
 * r->log of a request whose <Location>/<Proxy> sections wrote LogLevel: a bare level there
 * replaces the server's (per-module levels included); per-module levels alone keep the server's
 * level and its other modules' levels (ap_merge_log_config over the server's log config).
 */
export function requestLogLevel(
  server: LogLevelSetting,
  directory: { level: LogLevelName | null; perModule: Record<string, LogLevelName> } | null | undefined,
): LogLevelSetting {
  if (!directory) return server;
  if (directory.level !== null) return { level: directory.level, perModule: { ...directory.perModule } };
  return { level: server.level, perModule: { ...server.perModule, ...directory.perModule } };
}
