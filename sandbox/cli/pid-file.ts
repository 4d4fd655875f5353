/**
 * The PidFile, as httpd's MPM writes it when it starts running (ap_log_pid) and removes it on a
 * normal stop (ap_remove_pid), with the same error-log lines:
 *
 * - an existing file is overwritten after AH00098 (warn), the sign of an unclean stop;
 * - the pid goes to a temporary `FILE.XXXXXX` first and is renamed over FILE, so a reader never
 *   sees a half-written file; when that fails httpd logs AH00099 and AH00100 (no file could be
 *   created) or AH10231 (writing or renaming failed) and exits 1;
 * - on stop, AH00096 (info) "removed PID file", or AH00095 (error) when the file was already gone.
 *
 * Only a PidFile the config names is written. httpd's compiled-in default (Debian's /run/apache2.pid)
 * belongs to the machine's real apache2, which a learner's `wslab proxy` must never overwrite.
 */
import { chmodSync, closeSync, existsSync, openSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { ErrorLogEntry } from '../engine/logs/error-log.ts';
import { resolveLogPath } from '../server/proxy/log-sink.ts';
import { httpdOsError } from '../server/os-error.ts';

/** apr_file_mktemp's six replacement characters. */
const TEMP_SUFFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export type PidFileWrite = { ok: true; path: string; log: ErrorLogEntry[] } | { ok: false; log: ErrorLogEntry[] };

/**
 * ap_log_pid(): write `pid` to `file` (relative to ServerRoot), with the lines httpd logs on the way.
 * A graceful restart writes the file again; only the first write of a process warns about a file
 * that is already there (its own, the second time).
 */
export function writePidFile(serverRoot: string, file: string, pid: number, options: { restart: boolean }): PidFileWrite {
  const path = resolveLogPath(serverRoot, file);
  const log: ErrorLogEntry[] = [];
  if (!options.restart && existsSync(path)) {
    log.push({ module: 'core', level: 'warn', code: 'AH00098', message: `pid file ${path} overwritten -- Unclean shutdown of previous Apache run?` });
  }
  const temporary = `${path}.${temporarySuffix()}`;
  let descriptor: number;
  try {
    descriptor = openSync(temporary, 'wx', 0o600);
  } catch (error) {
    log.push(
      { module: 'core', level: 'error', code: 'AH00099', osError: httpdOsError(error), message: `could not create ${temporary}` },
      { module: 'core', level: 'error', code: 'AH00100', message: `apache2: could not log pid to file ${path}` },
    );
    return { ok: false, log };
  }
  try {
    writeSync(descriptor, `${pid}\n`);
    closeSync(descriptor);
    chmodSync(temporary, 0o644);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    log.push({ module: 'core', level: 'error', code: 'AH10231', osError: httpdOsError(error), message: `apache2: Failed creating pid file ${temporary}` });
    return { ok: false, log };
  }
  return { ok: true, path, log };
}

/** ap_remove_pid(): remove the file written at start; the line httpd logs for it. */
export function removePidFile(path: string, pid: number): ErrorLogEntry {
  try {
    unlinkSync(path);
  } catch (error) {
    return { module: 'core', level: 'error', code: 'AH00095', osError: httpdOsError(error), message: `failed to remove PID file ${path}` };
  }
  return { module: 'core', level: 'info', code: 'AH00096', message: `removed PID file ${path} (pid=${pid})` };
}

function temporarySuffix(): string {
  return [...randomBytes(6)].map((byte) => TEMP_SUFFIX_ALPHABET[byte % TEMP_SUFFIX_ALPHABET.length]).join('');
}
