/**
 * The claims index: every factual claim a lesson makes about httpd's behaviour, with the
 * differential scenarios whose httpd expectation demonstrates it (claims.json). This test keeps the
 * index honest without running httpd:
 *
 * - every entry is well formed and names scenarios that exist (and load);
 * - every lesson has at least MIN_CLAIMS_PER_LESSON claims;
 * - every <ArticleCorrection> in a lesson's en.mdx is backed: the N-th one (in file order) must have
 *   an entry with `"correction": "<slug>#correction-N"` whose `articleClaim` is that element's
 *   `claim` text, so adding, reordering or rewording a correction without backing fails CI;
 * - ja.mdx carries as many corrections as en.mdx (the two languages make the same claims);
 * - a claim real httpd contradicts is marked `"status": "disputed"` with the `measured` fact.
 *
 * The scenarios themselves run in differential.test.ts, on real httpd and on wslab.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenario, SCENARIOS_DIR } from './harness/scenario-files.ts';

const CLAIMS_PATH = fileURLToPath(new URL('./claims.json', import.meta.url));
const LESSONS_DIR = fileURLToPath(new URL('../../lessons/', import.meta.url));
const MIN_CLAIMS_PER_LESSON = 3;

interface ClaimEntry {
  /** Lesson slug: the folder name without its number, e.g. "basic-vhost". */
  lesson: string;
  /** The claim, as a short English statement. */
  claim: string;
  /** Scenario folders under scenarios/ whose httpd expectation demonstrates the claim. */
  scenarios: string[];
  /** "<slug>#correction-N" when the claim backs the N-th <ArticleCorrection> of en.mdx. */
  correction?: string;
  /** The `claim` attribute of that <ArticleCorrection>, verbatim. */
  articleClaim?: string;
  /** "disputed": real httpd contradicts the lesson; `measured` says what it does. */
  status?: 'disputed';
  measured?: string;
  /** What the scenarios do not cover, or why they differ from the lesson's own numbers. */
  note?: string;
}

const ENTRY_KEYS = new Set(['lesson', 'claim', 'scenarios', 'correction', 'articleClaim', 'status', 'measured', 'note']);

interface Lesson {
  slug: string;
  dir: string;
}

function lessons(): Lesson[] {
  return readdirSync(LESSONS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^\d{2}-[a-z0-9-]+$/.test(entry.name))
    .map((entry) => ({ slug: entry.name.replace(/^\d{2}-/, ''), dir: join(LESSONS_DIR, entry.name) }))
    .sort((a, b) => a.dir.localeCompare(b.dir));
}

/** The `claim` attribute of every <ArticleCorrection> element, in file order (null: none found). */
function articleCorrectionClaims(mdx: string): (string | null)[] {
  // Code fences may show the component as text; only real elements count.
  const text = mdx.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (block) => block.replace(/[^\n]/g, ' '));
  const claims: (string | null)[] = [];
  const tag = /<ArticleCorrection(?=[\s>/])/g;
  for (let match = tag.exec(text); match; match = tag.exec(text)) {
    claims.push(readClaimAttribute(text, match.index + match[0].length));
  }
  return claims;
}

/** Walk the attributes of one JSX opening tag and return the value of `claim`. */
function readClaimAttribute(text: string, start: number): string | null {
  let index = start;
  for (;;) {
    while (/\s/.test(text[index] ?? '')) index++;
    const char = text[index];
    if (char === undefined || char === '>' || (char === '/' && text[index + 1] === '>')) return null;
    const name = /^[A-Za-z_:][-A-Za-z0-9_:.]*/.exec(text.slice(index))?.[0];
    if (!name) return null;
    index += name.length;
    while (/\s/.test(text[index] ?? '')) index++;
    if (text[index] !== '=') {
      if (name === 'claim') return '';
      continue;
    }
    index++;
    while (/\s/.test(text[index] ?? '')) index++;
    const value = readAttributeValue(text, index);
    if (!value) return null;
    if (name === 'claim') return value.value;
    index = value.end;
  }
}

function readAttributeValue(text: string, index: number): { value: string; end: number } | null {
  const open = text[index];
  if (open === '"' || open === "'") {
    const close = text.indexOf(open, index + 1);
    if (close === -1) return null;
    return { value: decodeEntities(text.slice(index + 1, close)), end: close + 1 };
  }
  if (open === '{') {
    // A JSX expression holding one string literal: {"…"}, {'…'} or {`…`}.
    const literal = /^\{\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)\s*\}/.exec(text.slice(index));
    if (!literal) return null;
    const raw = literal[1];
    const value = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw.slice(1, -1).replace(/\\(.)/g, '$1');
    return { value, end: index + literal[0].length };
  }
  return null;
}

function decodeEntities(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&apos;|&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function loadClaims(): ClaimEntry[] {
  return JSON.parse(readFileSync(CLAIMS_PATH, 'utf8')) as ClaimEntry[];
}

describe('claims index (claims.json)', () => {
  const claims = loadClaims();
  const lessonList = lessons();
  const slugs = new Set(lessonList.map((lesson) => lesson.slug));

  it('parses as a list of well-formed entries', () => {
    expect(Array.isArray(claims)).toBe(true);
    const problems: string[] = [];
    claims.forEach((entry, index) => {
      const where = `entry ${index} (${JSON.stringify(entry?.claim ?? entry)})`;
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        problems.push(`${where}: not an object`);
        return;
      }
      for (const key of Object.keys(entry)) if (!ENTRY_KEYS.has(key)) problems.push(`${where}: unknown field "${key}"`);
      if (typeof entry.lesson !== 'string' || !slugs.has(entry.lesson)) problems.push(`${where}: lesson must be one of ${[...slugs].join(', ')}`);
      if (typeof entry.claim !== 'string' || entry.claim.trim().length === 0) problems.push(`${where}: claim must be a non-empty string`);
      if (!Array.isArray(entry.scenarios) || entry.scenarios.length === 0 || !entry.scenarios.every((name) => typeof name === 'string')) {
        problems.push(`${where}: scenarios must name at least one scenario`);
      } else if (new Set(entry.scenarios).size !== entry.scenarios.length) {
        problems.push(`${where}: a scenario is listed twice`);
      }
      if ((entry.correction === undefined) !== (entry.articleClaim === undefined)) {
        problems.push(`${where}: correction and articleClaim go together`);
      }
      if (entry.correction !== undefined && !new RegExp(`^${entry.lesson}#correction-[1-9]\\d*$`).test(entry.correction)) {
        problems.push(`${where}: correction must read "${entry.lesson}#correction-N"`);
      }
      if (entry.status !== undefined && entry.status !== 'disputed') problems.push(`${where}: status can only be "disputed"`);
      if (entry.status === 'disputed' && (typeof entry.measured !== 'string' || entry.measured.trim().length === 0)) {
        problems.push(`${where}: a disputed claim needs "measured": what real httpd does`);
      }
      if (entry.status === undefined && entry.measured !== undefined) problems.push(`${where}: "measured" belongs to disputed claims`);
      if (entry.note !== undefined && (typeof entry.note !== 'string' || entry.note.trim().length === 0)) problems.push(`${where}: note must be a non-empty string`);
    });
    expect(problems).toEqual([]);
  });

  it('lists every claim once per lesson', () => {
    const seen = new Set<string>();
    const duplicates = claims.map((entry) => `${entry.lesson}: ${entry.claim}`).filter((key) => seen.has(key) || !seen.add(key));
    expect(duplicates).toEqual([]);
  });

  it('names only scenarios that exist and load', () => {
    const missing: string[] = [];
    const broken: string[] = [];
    const names = new Set(claims.flatMap((entry) => entry.scenarios));
    for (const name of names) {
      const dir = join(SCENARIOS_DIR, name);
      if (!existsSync(join(dir, 'scenario.json'))) {
        missing.push(name);
        continue;
      }
      try {
        loadScenario(dir, name);
      } catch (error) {
        broken.push(`${name}: ${(error as Error).message}`);
      }
    }
    expect(missing, 'claims.json names scenario folders that do not exist under test/differential/scenarios/').toEqual([]);
    expect(broken).toEqual([]);
  });

  it(`gives every lesson at least ${MIN_CLAIMS_PER_LESSON} claims`, () => {
    expect(lessonList.length).toBeGreaterThan(0);
    const thin = lessonList
      .map((lesson) => ({ lesson: lesson.slug, claims: claims.filter((entry) => entry.lesson === lesson.slug).length }))
      .filter((count) => count.claims < MIN_CLAIMS_PER_LESSON);
    expect(thin).toEqual([]);
  });

  describe('every <ArticleCorrection> is backed', () => {
    for (const lesson of lessonList) {
      it(lesson.slug, () => {
        const en = readFileSync(join(lesson.dir, 'en.mdx'), 'utf8');
        const corrections = articleCorrectionClaims(en);
        const unreadable = corrections.flatMap((claim, index) => (claim === null || claim.trim() === '' ? [`${lesson.slug}#correction-${index + 1}`] : []));
        expect(unreadable, 'every <ArticleCorrection> needs a claim="…" attribute').toEqual([]);

        const ids = corrections.map((_, index) => `${lesson.slug}#correction-${index + 1}`);
        const unbacked = corrections.flatMap((claim, index) => {
          const id = ids[index];
          const entries = claims.filter((entry) => entry.lesson === lesson.slug && entry.correction === id);
          if (entries.length === 0) return [`${id} has no entry in claims.json (article claim: ${JSON.stringify(claim)})`];
          const mismatched = entries.filter((entry) => entry.articleClaim !== claim);
          return mismatched.map(
            (entry) => `${id}: claims.json says articleClaim ${JSON.stringify(entry.articleClaim)}, en.mdx says ${JSON.stringify(claim)} (reordered or reworded?)`,
          );
        });
        expect(unbacked).toEqual([]);

        const stale = claims
          .filter((entry) => entry.lesson === lesson.slug && entry.correction !== undefined && !ids.includes(entry.correction))
          .map((entry) => `${entry.correction} is in claims.json but en.mdx has only ${ids.length} <ArticleCorrection> elements`);
        expect(stale).toEqual([]);

        const jaPath = join(lesson.dir, 'ja.mdx');
        if (existsSync(jaPath)) {
          const ja = articleCorrectionClaims(readFileSync(jaPath, 'utf8'));
          expect(ja.length, `${lesson.slug}: ja.mdx and en.mdx must carry the same corrections`).toBe(corrections.length);
        }
      });
    }
  });
});

describe('articleCorrectionClaims', () => {
  it('reads claim attributes in order, whatever the quotes, and skips code fences', () => {
    const mdx = [
      'Text <ArticleCorrection claim="first <Proxy> text">body</ArticleCorrection>',
      '```mdx',
      '<ArticleCorrection claim="inside a fence">',
      '```',
      "<ArticleCorrection\n  lang=\"ja\"\n  claim='second &amp; more'\n>",
      '<ArticleCorrection claim={"third \\"quoted\\""}>',
      '<ArticleCorrection>',
    ].join('\n');
    expect(articleCorrectionClaims(mdx)).toEqual(['first <Proxy> text', 'second & more', 'third "quoted"', null]);
  });
});
