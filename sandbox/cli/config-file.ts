/**
 * Reading a config file from disk for the engine, which does no I/O itself: the file's text,
 * an Include-capable view of the file system, and the environment httpd would see.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigFileSystem } from '../engine/config/parse-state.ts';

/** The node file system as the engine's ConfigFileSystem. */
export const nodeFileSystem: ConfigFileSystem = {
  readFile(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return null;
    }
  },
  listDirectory(path) {
    try {
      return statSync(path).isDirectory() ? readdirSync(path) : null;
    } catch {
      return null;
    }
  },
  exists(path) {
    try {
      statSync(path);
      return true;
    } catch {
      return false;
    }
  },
};

export type ConfigFile = { ok: true; path: string; text: string } | { ok: false; message: string };

/**
 * Read FILE as `apache2 -f FILE` would, except that a relative path is taken from the current
 * directory (httpd takes it from ServerRoot, which surprises people running wslab in a project).
 */
export function readConfigFile(file: string): ConfigFile {
  const path = resolve(file);
  try {
    return { ok: true, path, text: readFileSync(path, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'No such file or directory' : code === 'EISDIR' ? 'Is a directory' : code === 'EACCES' ? 'Permission denied' : (error as Error).message;
    return { ok: false, message: `wslab: Could not open configuration file ${path}: ${reason}` };
  }
}

/** The process environment without undefined entries, for ${VAR} substitution. */
export function processEnvironment(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
