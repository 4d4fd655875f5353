/**
 * Loads the sandbox entry module on demand. Whether the build has one is decided at build time
 * (site/src/integrations/sandbox-entry.ts); without one, the import below is dead code the bundler
 * drops, and the exercise panel renders its button disabled.
 */
import type { SandboxEntryModule } from './contract.ts';

declare const __WSLAB_SANDBOX_BUILT__: boolean;

export const sandboxIsBuilt: boolean = __WSLAB_SANDBOX_BUILT__;

/** Imports the sandbox entry (a separate chunk), or null when this build has none. */
export const loadSandboxEntry: (() => Promise<SandboxEntryModule>) | null = __WSLAB_SANDBOX_BUILT__
  ? () => import('virtual:wslab/sandbox-entry') as Promise<SandboxEntryModule>
  : null;
