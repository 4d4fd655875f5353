/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    /**
     * The lesson a page is rendering. Set by the lesson page before it renders the MDX body, so the
     * components the body uses (<Diagram>, <Exercise>) know which lesson folder and language they
     * belong to without the authors passing it in.
     */
    lesson?: {
      folder: string;
      slug: string;
      locale: import('./i18n/ui.ts').Locale;
    };
  }
}

/** sandbox/ui/entry.ts, resolved by site/src/integrations/sandbox-entry.ts (see SandboxEntryModule). */
declare module 'virtual:wslab/sandbox-entry' {
  export const prepareSandbox: (() => void | Promise<void>) | undefined;
}
