/**
 * Lesson progress, kept in the browser. The sandbox marks a lesson done when all of its exercise
 * checks pass; the site only reads it to show marks in the lesson list and on the home page.
 *
 * Storage format (localStorage key `wslab:progress`): {"<slug>": {"done": true, "at": "<ISO date>"}}
 */

export const PROGRESS_STORAGE_KEY = 'wslab:progress';
/** Dispatched on window after this tab changes progress; other tabs hear the `storage` event. */
export const PROGRESS_CHANGED_EVENT = 'wslab:progress-changed';

export interface LessonProgress {
  done: boolean;
  at: string;
}
export type Progress = Record<string, LessonProgress>;

function isLessonProgress(value: unknown): value is LessonProgress {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as LessonProgress).done === 'boolean' &&
    typeof (value as LessonProgress).at === 'string'
  );
}

/** The stored progress; entries that do not have the documented shape are ignored, not fatal. */
export function readProgress(): Progress {
  let parsed: unknown;
  try {
    parsed = JSON.parse(localStorage.getItem(PROGRESS_STORAGE_KEY) ?? '{}');
  } catch {
    // Storage disabled (some private modes) or a corrupt value: behave as if nothing is done yet.
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
  return Object.fromEntries(Object.entries(parsed).filter(([, value]) => isLessonProgress(value)));
}

function writeProgress(progress: Progress): void {
  try {
    localStorage.setItem(PROGRESS_STORAGE_KEY, JSON.stringify(progress));
  } catch {
    return; // Nowhere to keep it; the marks simply will not persist.
  }
  window.dispatchEvent(new CustomEvent(PROGRESS_CHANGED_EVENT));
}

/** Records that every check of a lesson's exercise passed. For the sandbox to call. */
export function markLessonDone(slug: string, at: Date = new Date()): void {
  writeProgress({ ...readProgress(), [slug]: { done: true, at: at.toISOString() } });
}

/** Forgets all progress in this browser. */
export function forgetProgress(): void {
  writeProgress({});
}

export function isDone(progress: Progress, slug: string): boolean {
  return progress[slug]?.done === true;
}

/**
 * Calls `render` now and again whenever progress changes, in this tab or another one, so marks
 * never show a stale state.
 */
export function watchProgress(render: (progress: Progress) => void): void {
  render(readProgress());
  window.addEventListener(PROGRESS_CHANGED_EVENT, () => render(readProgress()));
  window.addEventListener('storage', (event) => {
    if (event.key === PROGRESS_STORAGE_KEY || event.key === null) render(readProgress());
  });
}

/** Shows or hides the done mark of every element carrying data-progress-slug. */
export function renderProgressMarks(progress: Progress, root: ParentNode = document): void {
  for (const element of root.querySelectorAll<HTMLElement>('[data-progress-slug]')) {
    const done = isDone(progress, element.dataset.progressSlug ?? '');
    element.toggleAttribute('data-done', done);
    const mark = element.querySelector<HTMLElement>('[data-progress-mark]');
    if (mark) mark.hidden = !done;
  }
}
