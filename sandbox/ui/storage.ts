/**
 * What the sandbox keeps in the browser: the learner's config per lesson (auto-saved on every
 * edit), one "previous" copy per lesson kept whenever something replaces the config (Reset, a
 * share link, an import) so it can be restored, and the export/import of all of it together with
 * the site's lesson progress as one JSON file.
 *
 * Keys: `wslab:sandbox:<lesson>` → {"v":1,"config":"...","savedAt":"<ISO>"},
 *       `wslab:sandbox:<lesson>:previous` → the same shape.
 * Progress itself stays in the site's key (`wslab:progress`, site/src/scripts/progress.ts).
 *
 * Everything takes the Storage to use, so tests run without a browser; storage that throws
 * (private modes, quota) degrades to "nothing saved" instead of breaking the sandbox.
 */

export const SANDBOX_KEY_PREFIX = 'wslab:sandbox:';
export const PROGRESS_KEY = 'wslab:progress';
export const EXPORT_FORMAT = 'wslab-progress';
export const EXPORT_VERSION = 1;

export type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;

export interface SavedConfig {
  config: string;
  savedAt: string;
}

export function configKey(lesson: string): string {
  return `${SANDBOX_KEY_PREFIX}${lesson}`;
}

export function previousKey(lesson: string): string {
  return `${SANDBOX_KEY_PREFIX}${lesson}:previous`;
}

function parseSaved(raw: string | null): SavedConfig | null {
  if (raw === null) return null;
  try {
    const value = JSON.parse(raw) as unknown;
    if (isSavedConfig(value)) return { config: value.config, savedAt: value.savedAt };
  } catch {
    // A corrupt entry counts as nothing saved.
  }
  return null;
}

function isSavedConfig(value: unknown): value is SavedConfig {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SavedConfig).config === 'string' &&
    typeof (value as SavedConfig).savedAt === 'string'
  );
}

function safeGet(storage: StorageLike, key: string): string | null {
  try {
    return storage.getItem(key);
  } catch {
    return null;
  }
}

function safeSet(storage: StorageLike, key: string, value: string): boolean {
  try {
    storage.setItem(key, value);
    return true;
  } catch {
    return false;
  }
}

/** The config saved for a lesson, or null. */
export function loadConfig(storage: StorageLike, lesson: string): SavedConfig | null {
  return parseSaved(safeGet(storage, configKey(lesson)));
}

/** Save a lesson's config; false when the browser would not store it. */
export function saveConfig(storage: StorageLike, lesson: string, config: string, now: Date = new Date()): boolean {
  return safeSet(storage, configKey(lesson), JSON.stringify({ v: 1, config, savedAt: now.toISOString() }));
}

/** Forget a lesson's saved config (the editor then starts from the exercise's start config). */
export function clearConfig(storage: StorageLike, lesson: string): void {
  try {
    storage.removeItem(configKey(lesson));
  } catch {
    // Nothing to do.
  }
}

/** Keep a copy of a config that is about to be replaced. */
export function savePrevious(storage: StorageLike, lesson: string, config: string, now: Date = new Date()): boolean {
  return safeSet(storage, previousKey(lesson), JSON.stringify({ v: 1, config, savedAt: now.toISOString() }));
}

export function loadPrevious(storage: StorageLike, lesson: string): SavedConfig | null {
  return parseSaved(safeGet(storage, previousKey(lesson)));
}

export function clearPrevious(storage: StorageLike, lesson: string): void {
  try {
    storage.removeItem(previousKey(lesson));
  } catch {
    // Nothing to do.
  }
}

/** The exported file. */
export interface ProgressExport {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  /** The site's lesson progress, as stored under wslab:progress. */
  progress: Record<string, { done: boolean; at: string }>;
  /** Saved configs by lesson slug. */
  configs: Record<string, SavedConfig>;
}

function allKeys(storage: StorageLike): string[] {
  const keys: string[] = [];
  try {
    for (let index = 0; index < storage.length; index++) {
      const key = storage.key(index);
      if (key !== null) keys.push(key);
    }
  } catch {
    return [];
  }
  return keys;
}

function readProgressFrom(storage: StorageLike): ProgressExport['progress'] {
  try {
    const value = JSON.parse(safeGet(storage, PROGRESS_KEY) ?? '{}') as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
    return Object.fromEntries(
      Object.entries(value).filter(
        ([, entry]) => typeof entry === 'object' && entry !== null && typeof entry.done === 'boolean' && typeof entry.at === 'string',
      ),
    ) as ProgressExport['progress'];
  } catch {
    return {};
  }
}

/** Everything worth keeping, as one object (the caller serialises and downloads it). */
export function exportProgress(storage: StorageLike, now: Date = new Date()): ProgressExport {
  const configs: Record<string, SavedConfig> = {};
  for (const key of allKeys(storage)) {
    if (!key.startsWith(SANDBOX_KEY_PREFIX) || key.endsWith(':previous')) continue;
    const saved = parseSaved(safeGet(storage, key));
    if (saved) configs[key.slice(SANDBOX_KEY_PREFIX.length)] = saved;
  }
  return { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: now.toISOString(), progress: readProgressFrom(storage), configs };
}

export type ImportResult =
  | { ok: true; configs: string[]; lessonsDone: string[] }
  | { ok: false; reason: 'not-json' | 'wrong-format' | 'newer-version' };

const LESSON_SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Import an exported file. Configs in the file replace the saved ones (each replaced config is
 * kept as that lesson's "previous" copy); lessons marked done are passed to `markDone` (the site's
 * markLessonDone), so progress only ever grows. Entries of the wrong shape are skipped.
 */
export function importProgress(storage: StorageLike, text: string, markDone: (lesson: string, at: Date) => void, now: Date = new Date()): ImportResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not-json' };
  }
  if (typeof value !== 'object' || value === null || (value as ProgressExport).format !== EXPORT_FORMAT) {
    return { ok: false, reason: 'wrong-format' };
  }
  const file = value as Partial<ProgressExport>;
  if (typeof file.version !== 'number' || file.version > EXPORT_VERSION) return { ok: false, reason: 'newer-version' };

  const configs: string[] = [];
  for (const [lesson, saved] of Object.entries(file.configs ?? {})) {
    if (!LESSON_SLUG.test(lesson) || !isSavedConfig(saved)) continue;
    const current = loadConfig(storage, lesson);
    if (current && current.config !== saved.config) savePrevious(storage, lesson, current.config, now);
    if (safeSet(storage, configKey(lesson), JSON.stringify({ v: 1, config: saved.config, savedAt: saved.savedAt }))) configs.push(lesson);
  }
  const lessonsDone: string[] = [];
  for (const [lesson, entry] of Object.entries(file.progress ?? {})) {
    if (!LESSON_SLUG.test(lesson) || typeof entry !== 'object' || entry === null || entry.done !== true) continue;
    const at = new Date(typeof entry.at === 'string' ? entry.at : Number.NaN);
    markDone(lesson, Number.isNaN(at.getTime()) ? now : at);
    lessonsDone.push(lesson);
  }
  return { ok: true, configs, lessonsDone };
}
