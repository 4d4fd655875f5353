/**
 * The contract between the lesson page and the sandbox (Monaco editor + Apache emulator), which is
 * built outside site/. The site owns the exercise panel and its "Open sandbox" button; the sandbox
 * owns everything that opens.
 *
 * How it fits together:
 *  1. The sandbox provides an entry module at `sandbox/ui/entry.ts` (SANDBOX_ENTRY_PATH; the
 *     WSLAB_SANDBOX_ENTRY environment variable points a build elsewhere). The site bundles it as a
 *     separate chunk, so a lesson page downloads none of it until the reader presses "Open
 *     sandbox". If the file does not exist the button is rendered disabled with a note saying this
 *     build has no sandbox; nothing pretends to work.
 *  2. On the first press the page imports the entry. Importing it must register a listener for
 *     OPEN_SANDBOX_EVENT on `window` (that is all the module needs to do at import time).
 *  3. The page then dispatches OPEN_SANDBOX_EVENT from the button. It bubbles to `window`; its
 *     detail (OpenSandboxDetail) carries the lesson, the locale, the validated exercise and the
 *     empty region the sandbox should render into. Later presses only dispatch again.
 *  4. When every check passes, the sandbox records it with markLessonDone() from
 *     site/src/scripts/progress.ts; the lesson list and home page update themselves.
 */
import type { ExerciseEntry } from '../lessons/schema.ts';
import type { Locale } from '../i18n/ui.ts';

export const OPEN_SANDBOX_EVENT = 'wslab:open-sandbox';

/** Where the site looks for the sandbox entry, relative to the repository root. */
export const SANDBOX_ENTRY_PATH = 'sandbox/ui/entry.ts';

/** The exercise as the sandbox receives it: everything in exercise/ of the lesson folder. */
export type SandboxExercise = Pick<
  ExerciseEntry,
  'title' | 'instructions' | 'instructionsHtml' | 'checks' | 'startConfig' | 'solutionConfig'
>;

export interface OpenSandboxDetail {
  /** Lesson slug, e.g. "basic-vhost"; also the key under which progress is stored. */
  lesson: string;
  /** Language of the page; exercise texts carry both, pick this one. */
  locale: Locale;
  exercise: SandboxExercise;
  /**
   * An empty <aside> labelled "Sandbox", placed beside the lesson text on wide screens and after it
   * on narrow ones. It is `hidden` until the sandbox removes that attribute.
   */
  host: HTMLElement;
}

/** What the entry module may export; nothing is required beyond registering the listener. */
export interface SandboxEntryModule {
  /** Optional: called once after import, before the first event, e.g. to start booting early. */
  prepareSandbox?: () => void | Promise<void>;
}

declare global {
  interface WindowEventMap {
    [OPEN_SANDBOX_EVENT]: CustomEvent<OpenSandboxDetail>;
  }
}
