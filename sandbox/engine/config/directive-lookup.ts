/**
 * Finding a directive the way httpd's config hash does: case-insensitively, among the directives
 * of the modules loaded so far. Which modules are loaded changes while the config is read
 * (LoadModule takes effect at once), so lookups take the current set.
 */
import { DIRECTIVE_SPEC_ROWS, type ArgsHow } from './directive-specs.ts';

/** A directive as a module defines it. */
export interface DirectiveSpec {
  name: string;
  /** Source file name of the defining module, e.g. "mod_proxy.c". */
  module: string;
  argsHow: ArgsHow;
  /** req_override bits. */
  override: number;
  help: string;
}

/** req_override bits (http_config.h). */
export const OR_LIMIT = 1;
export const OR_OPTIONS = 2;
export const OR_FILEINFO = 4;
export const OR_AUTHCFG = 8;
export const OR_INDEXES = 16;
export const OR_ALL = OR_LIMIT | OR_OPTIONS | OR_FILEINFO | OR_AUTHCFG | OR_INDEXES;
export const ACCESS_CONF = 64;
export const RSRC_CONF = 128;
export const EXEC_ON_READ = 256;
export const PROXY_CONF = 2048;

const specsByName = new Map<string, DirectiveSpec[]>();
for (const [name, module, argsHow, override, help] of DIRECTIVE_SPEC_ROWS) {
  const key = name.toLowerCase();
  const list = specsByName.get(key) ?? [];
  list.push({ name, module, argsHow, override, help });
  specsByName.set(key, list);
}

/** The specs for `name` among the loaded modules (by source name), in module order; [] if unknown. */
export function findDirective(name: string, loadedSourceNames: ReadonlySet<string>): DirectiveSpec[] {
  const candidates = specsByName.get(name.toLowerCase());
  if (!candidates) return [];
  return candidates.filter((spec) => loadedSourceNames.has(spec.module));
}

/** Every spec, whatever module defines it. */
export function allDirectiveSpecs(): DirectiveSpec[] {
  return [...specsByName.values()].flat();
}
