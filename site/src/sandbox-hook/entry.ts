/**
 * Finds the sandbox entry module at build time. import.meta.glob resolves to an empty object when
 * the file does not exist, which is how the site knows this build has no sandbox.
 */
import type { SandboxEntryModule } from './contract.ts';

// The literal must match SANDBOX_ENTRY_PATH in contract.ts (import.meta.glob only takes literals).
const found = import.meta.glob<SandboxEntryModule>('../../../sandbox/ui/entry.ts');

/** Imports the sandbox entry (a separate chunk), or null when this build has none. */
export const loadSandboxEntry: (() => Promise<SandboxEntryModule>) | null = Object.values(found)[0] ?? null;

export const sandboxIsBuilt: boolean = loadSandboxEntry !== null;
