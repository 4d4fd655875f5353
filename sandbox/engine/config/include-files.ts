/**
 * Which files an Include / IncludeOptional pulls in (util.c ap_dir_nofnmatch / ap_dir_fnmatch):
 * a file, every file under a directory (recursively, sorted), or wildcard matches, with httpd's
 * messages for what is missing. Files come from the caller's ConfigFileSystem; without one,
 * nothing exists.
 */
import type { ParseState } from './parse-state.ts';

/** A file to read in, with its text. */
export interface IncludedFile {
  path: string;
  text: string;
}

const PREFIX = 'Include/IncludeOptional: ';

/** The files `pattern` (absolute) names, in the order httpd reads them, or httpd's error. */
export function readIncludedFiles(state: ParseState, pattern: string, optional: boolean): { files: IncludedFile[] } | { error: string } {
  const files: IncludedFile[] = [];
  const error = hasWildcard(pattern)
    ? matchWildcard(state, '/', pattern.replace(/^\/+/, ''), optional, files)
    : includePath(state, pattern, optional, files);
  return error ? { error } : { files };
}

/** apr_fnmatch_test: does the text contain a wildcard? */
export function hasWildcard(text: string): boolean {
  return /[*?[]/.test(text);
}

function includePath(state: ParseState, path: string, optional: boolean, files: IncludedFile[]): string | null {
  const fileSystem = state.options.fileSystem;
  const entries = fileSystem?.listDirectory(path) ?? null;
  if (entries) {
    for (const name of [...entries].filter((entry) => entry !== '.' && entry !== '..').sort()) {
      const error = includePath(state, joinPath(path, name), optional, files);
      if (error) return error;
    }
    return null;
  }
  const text = fileSystem?.readFile(path) ?? null;
  if (text === null) return optional ? null : `Could not open configuration file ${path}: No such file or directory`;
  files.push({ path, text });
  return null;
}

function matchWildcard(state: ParseState, directory: string, rest: string, optional: boolean, files: IncludedFile[]): string | null {
  const slash = rest.indexOf('/');
  const component = slash === -1 ? rest : rest.slice(0, slash);
  const remainder = slash === -1 ? null : rest.slice(slash + 1);
  if (!hasWildcard(component)) {
    const path = joinPath(directory, component);
    return remainder === null ? includePath(state, path, optional, files) : matchWildcard(state, path, remainder, optional, files);
  }
  const fileSystem = state.options.fileSystem;
  const entries = fileSystem?.listDirectory(directory) ?? null;
  const shownDirectory = directory.length > 1 ? directory.replace(/\/+$/, '') : directory;
  if (!entries) return optional ? null : `${PREFIX}Could not open directory ${shownDirectory}: No such file or directory`;
  const matcher = fnmatchToRegExp(component);
  const candidates = entries
    .filter((name) => name !== '.' && name !== '..' && matcher.test(name))
    .filter((name) => remainder === null || fileSystem?.listDirectory(joinPath(directory, name)) !== null)
    .sort();
  if (candidates.length === 0) {
    return optional ? null : `${PREFIX}No matches for the wildcard '${component}' in '${shownDirectory}', failing`;
  }
  for (const name of candidates) {
    const path = joinPath(directory, name);
    const error = remainder === null ? includePath(state, path, optional, files) : matchWildcard(state, path, remainder, optional, files);
    if (error) return error;
  }
  return null;
}

function joinPath(directory: string, name: string): string {
  return directory.endsWith('/') ? directory + name : `${directory}/${name}`;
}

/** apr_fnmatch with APR_FNM_PERIOD: a leading dot must be matched literally. */
function fnmatchToRegExp(pattern: string): RegExp {
  let source = pattern.startsWith('.') ? '' : '(?!\\.)';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index];
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '[') {
      const end = pattern.indexOf(']', index + 2);
      if (end === -1) source += '\\[';
      else {
        let body = pattern.slice(index + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        source += `[${body.replace(/\\/g, '\\\\')}]`;
        index = end;
      }
    } else if (char === '\\' && index + 1 < pattern.length) {
      source += `\\${pattern[++index]}`;
    } else source += char.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
