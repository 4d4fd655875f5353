/**
 * Makes the sandbox entry module importable as `virtual:wslab/sandbox-entry`, or reports that there
 * is none. The lesson page imports it only when the reader presses "Open sandbox", so it becomes a
 * separate chunk; when the file does not exist the button is rendered disabled instead.
 *
 * The entry lives at sandbox/ui/entry.ts (SANDBOX_ENTRY_PATH); WSLAB_SANDBOX_ENTRY points the build
 * at another file, which the site tests use to check the hook end to end.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Plugin } from 'vite';
import { SANDBOX_ENTRY_PATH } from '../sandbox-hook/contract.ts';

export const SANDBOX_ENTRY_MODULE = 'virtual:wslab/sandbox-entry';
const MISSING_ENTRY = '\0wslab:no-sandbox-entry';

/** The entry file this build uses, and whether it exists. */
export function findSandboxEntry(repoRoot: string): { path: string; exists: boolean } {
  const path = process.env.WSLAB_SANDBOX_ENTRY
    ? resolve(process.cwd(), process.env.WSLAB_SANDBOX_ENTRY)
    : resolve(repoRoot, SANDBOX_ENTRY_PATH);
  return { path, exists: existsSync(path) };
}

export function sandboxEntryPlugin(entry: { path: string; exists: boolean }): Plugin {
  return {
    name: 'wslab:sandbox-entry',
    resolveId(id) {
      if (id !== SANDBOX_ENTRY_MODULE) return undefined;
      return entry.exists ? entry.path : MISSING_ENTRY;
    },
    load(id) {
      // Never imported at run time (the button is disabled), but the module must still resolve.
      if (id === MISSING_ENTRY) return 'export {};';
      return undefined;
    },
  };
}
