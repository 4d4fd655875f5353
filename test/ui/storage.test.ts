/** Auto-save per lesson, the "previous" copy, and the progress export/import file. */
import { describe, expect, it } from 'vitest';
import {
  clearConfig,
  configKey,
  exportProgress,
  importProgress,
  loadConfig,
  loadPrevious,
  PROGRESS_KEY,
  saveConfig,
  savePrevious,
  type StorageLike,
} from '../../sandbox/ui/storage.ts';

/** localStorage's behaviour over a Map. */
function memoryStorage(initial: Record<string, string> = {}): StorageLike & { map: Map<string, string> } {
  const map = new Map(Object.entries(initial));
  return {
    map,
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, String(value)),
    removeItem: (key) => void map.delete(key),
    key: (index) => [...map.keys()][index] ?? null,
    get length() {
      return map.size;
    },
  };
}

/** Storage that refuses everything, as in some private modes. */
const brokenStorage: StorageLike = {
  getItem: () => {
    throw new Error('denied');
  },
  setItem: () => {
    throw new Error('QuotaExceededError');
  },
  removeItem: () => {
    throw new Error('denied');
  },
  key: () => {
    throw new Error('denied');
  },
  get length(): number {
    throw new Error('denied');
  },
};

const now = new Date('2026-11-24T10:00:00Z');

describe('per-lesson configs', () => {
  it('saves and loads a config per lesson under its own key', () => {
    const storage = memoryStorage();
    expect(saveConfig(storage, 'basic-vhost', 'Listen 80\n', now)).toBe(true);
    expect(saveConfig(storage, 'tls', 'Listen 443\n', now)).toBe(true);
    expect(loadConfig(storage, 'basic-vhost')).toEqual({ config: 'Listen 80\n', savedAt: now.toISOString() });
    expect(loadConfig(storage, 'tls')?.config).toBe('Listen 443\n');
    expect(JSON.parse(storage.map.get(configKey('basic-vhost')) ?? '')).toEqual({ v: 1, config: 'Listen 80\n', savedAt: now.toISOString() });
    clearConfig(storage, 'basic-vhost');
    expect(loadConfig(storage, 'basic-vhost')).toBeNull();
  });

  it('treats corrupt entries as nothing saved', () => {
    const storage = memoryStorage({ [configKey('a')]: '{not json', [configKey('b')]: '{"config":42}' });
    expect(loadConfig(storage, 'a')).toBeNull();
    expect(loadConfig(storage, 'b')).toBeNull();
  });

  it('keeps a previous copy separately', () => {
    const storage = memoryStorage();
    savePrevious(storage, 'basic-vhost', 'old', now);
    expect(loadPrevious(storage, 'basic-vhost')?.config).toBe('old');
    expect(loadConfig(storage, 'basic-vhost')).toBeNull();
  });

  it('degrades to "not saved" when the browser refuses storage', () => {
    expect(saveConfig(brokenStorage, 'x', 'y')).toBe(false);
    expect(loadConfig(brokenStorage, 'x')).toBeNull();
    expect(() => clearConfig(brokenStorage, 'x')).not.toThrow();
    expect(exportProgress(brokenStorage, now)).toMatchObject({ progress: {}, configs: {} });
  });
});

describe('export and import', () => {
  it('exports the site’s progress and every saved config, but not the previous copies', () => {
    const storage = memoryStorage({
      [PROGRESS_KEY]: JSON.stringify({ 'basic-vhost': { done: true, at: '2026-11-01T00:00:00.000Z' }, junk: { done: 'yes' } }),
      'unrelated-key': 'x',
    });
    saveConfig(storage, 'basic-vhost', 'A', now);
    savePrevious(storage, 'basic-vhost', 'old', now);
    expect(exportProgress(storage, now)).toEqual({
      format: 'wslab-progress',
      version: 1,
      exportedAt: now.toISOString(),
      progress: { 'basic-vhost': { done: true, at: '2026-11-01T00:00:00.000Z' } },
      configs: { 'basic-vhost': { config: 'A', savedAt: now.toISOString() } },
    });
  });

  it('imports configs (keeping replaced ones as previous) and marks lessons done through the site', () => {
    const source = memoryStorage({ [PROGRESS_KEY]: JSON.stringify({ tls: { done: true, at: '2026-11-02T00:00:00.000Z' } }) });
    saveConfig(source, 'tls', 'Listen 443\n', now);
    saveConfig(source, 'basic-vhost', 'fixed', now);
    const file = JSON.stringify(exportProgress(source, now));

    const target = memoryStorage();
    saveConfig(target, 'basic-vhost', 'mine', now);
    const done: Array<[string, string]> = [];
    const result = importProgress(target, file, (lesson, at) => done.push([lesson, at.toISOString()]), now);
    expect(result).toEqual({ ok: true, configs: ['tls', 'basic-vhost'], lessonsDone: ['tls'] });
    expect(done).toEqual([['tls', '2026-11-02T00:00:00.000Z']]);
    expect(loadConfig(target, 'basic-vhost')?.config).toBe('fixed');
    expect(loadPrevious(target, 'basic-vhost')?.config).toBe('mine');
    expect(loadConfig(target, 'tls')?.config).toBe('Listen 443\n');
  });

  it('refuses files that are not exports, and skips malformed entries', () => {
    const storage = memoryStorage();
    const mark = () => undefined;
    expect(importProgress(storage, 'nope', mark)).toEqual({ ok: false, reason: 'not-json' });
    expect(importProgress(storage, '{"format":"other"}', mark)).toEqual({ ok: false, reason: 'wrong-format' });
    expect(importProgress(storage, '{"format":"wslab-progress","version":99}', mark)).toEqual({ ok: false, reason: 'newer-version' });
    const messy = JSON.stringify({
      format: 'wslab-progress',
      version: 1,
      progress: { 'Bad Slug': { done: true, at: 'x' }, ok: { done: true, at: 'not a date' }, no: { done: false, at: '2026-01-01' } },
      configs: { '../escape': { config: 'x', savedAt: 'y' }, fine: { config: 'z', savedAt: '2026-01-01' }, wrong: { config: 1 } },
    });
    const marked: string[] = [];
    expect(importProgress(storage, messy, (lesson, at) => marked.push(`${lesson}@${at.toISOString()}`), now)).toEqual({ ok: true, configs: ['fine'], lessonsDone: ['ok'] });
    expect(marked).toEqual([`ok@${now.toISOString()}`]);
  });
});
