/**
 * The built site, end to end: `npm run build` once, then the HTML in dist/ (links, landmarks,
 * locales, quizzes, exercises, JavaScript weight, contrast), then the same pages in Debian's
 * chromium, then malformed lessons failing the content sync with the file and field named.
 *
 * Everything lives in one file because every part shares dist/ and site/.astro; vitest runs files
 * in parallel, and two Astro processes on one root would trip over each other.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../site/scripts/chromium.ts';
import { serveStatic, type StaticServer } from '../../site/scripts/serve-static.ts';
import { SYLLABUS_SLUGS } from '../../site/src/lessons/syllabus.ts';
import { contrastRatio, lightDarkTokens } from './helpers/contrast.ts';
import {
  attribute,
  idsIn,
  readBuiltPages,
  referencedUrls,
  resolveInDist,
  scriptCostOf,
  startTags,
  type BuiltPage,
} from './helpers/built-site.ts';

const repoRoot = join(import.meta.dirname, '../..');
const distDir = join(repoRoot, 'dist');
/**
 * The lessons the site is built from. Set WSLAB_LESSONS_DIR to build against another folder (for
 * instance test/site/fixtures/lessons while the real lessons are being written); the test that
 * requires all nine syllabus lessons then fails, as it should.
 */
const lessonsDir = process.env.WSLAB_LESSONS_DIR ? resolve(process.env.WSLAB_LESSONS_DIR) : join(repoRoot, 'lessons');
const LOCALES = ['en', 'ja'] as const;
/** Budget for a lesson page before the sandbox opens (task brief): 100 KB of gzipped JavaScript. */
const LESSON_JS_BUDGET_GZIP = 100 * 1024;

/** Runs the Astro CLI with the repository's Node (Astro 7 needs Node 22; PATH may have older). */
function runAstro(args: string[], lessons: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [join(repoRoot, 'node_modules/astro/bin/astro.mjs'), ...args, '--root', 'site'], {
    cwd: repoRoot,
    encoding: 'utf8',
    // CI=true makes Astro's colour library colour its output even into a pipe; the tests read plain text.
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', NO_COLOR: '1', WSLAB_LESSONS_DIR: lessons, ...env },
    timeout: 10 * 60_000,
  });
}

let pages: BuiltPage[] = [];
const pageAt = (url: string) => pages.find((page) => page.url === url);
const lessonPages = (locale: string) => pages.filter((page) => page.url.startsWith(`/${locale}/lessons/`));
const slugOf = (page: BuiltPage) => page.url.split('/')[3];
/** Lesson slugs built in both locales, in syllabus order. */
const bilingualSlugs = () =>
  SYLLABUS_SLUGS.filter((slug) => LOCALES.every((locale) => pageAt(`/${locale}/lessons/${slug}/`)));

beforeAll(() => {
  // `npm run build` is `astro build --root site`; called directly so the test controls Node and env.
  const build = runAstro(['build'], lessonsDir);
  if (build.status !== 0) {
    throw new Error(`npm run build failed (exit ${build.status}):\n${build.stdout}\n${build.stderr}`);
  }
  pages = readBuiltPages(distDir);
}, 10 * 60_000);

describe('the built site', () => {
  it('has a language chooser at / and a home page per locale', () => {
    const root = pageAt('/');
    expect(root).toBeDefined();
    const rootLinks = referencedUrls(root!.html);
    expect(rootLinks).toContain('/en/');
    expect(rootLinks).toContain('/ja/');
    expect(root!.html).toContain('navigator.languages');
    for (const locale of LOCALES) expect(pageAt(`/${locale}/`), locale).toBeDefined();
  });

  it('publishes all nine syllabus lessons in both locales (fails until the lesson authors finish)', () => {
    for (const locale of LOCALES) {
      expect(lessonPages(locale).map(slugOf).sort(), locale).toEqual([...SYLLABUS_SLUGS].sort());
    }
  });

  it('has the same lessons in both locales', () => {
    expect(lessonPages('ja').map(slugOf).sort()).toEqual(lessonPages('en').map(slugOf).sort());
  });

  it('declares the page language and the landmarks on every page', () => {
    for (const page of pages) {
      const lang = /<html[^>]*\slang="([^"]+)"/.exec(page.html)?.[1];
      expect(['en', 'ja'], page.url).toContain(lang);
      if (page.url === '/') continue; // The chooser is a single <main>.
      expect(page.html, page.url).toMatch(/<a class="skip-link" href="#main"/);
      for (const landmark of ['<header', '<nav', '<main id="main"', '<footer']) {
        expect(page.html, `${page.url} ${landmark}`).toContain(landmark);
      }
      expect(page.html.match(/<h1\b/g), `${page.url} has one h1`).toHaveLength(1);
    }
  });

  it('has no broken internal link, script, stylesheet or fragment in either locale', () => {
    const broken: string[] = [];
    for (const page of pages) {
      for (const reference of referencedUrls(page.html)) {
        if (/^(?:[a-z]+:)?\/\//i.test(reference) || /^(?:mailto|tel):/i.test(reference)) continue; // Links out.
        const url = new URL(reference, `http://site${page.url}`);
        const samePage = url.pathname === new URL(`http://site${page.url}`).pathname;
        const target = samePage ? page.file : resolveInDist(distDir, url.pathname);
        if (!target) {
          broken.push(`${page.url} -> ${reference}`);
          continue;
        }
        const fragment = decodeURIComponent(url.hash.slice(1));
        if (fragment && target.endsWith('.html') && !idsIn(readFileSync(target, 'utf8')).has(fragment)) {
          broken.push(`${page.url} -> ${reference} (no id "${fragment}")`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('loads every script, stylesheet, image and font from its own origin', () => {
    const external: string[] = [];
    for (const page of pages) {
      for (const tag of startTags(page.html, ['script', 'link', 'img', 'source', 'iframe'])) {
        if (/^a\b/i.test(tag.slice(1))) continue;
        const rel = attribute(tag, 'rel');
        if (rel === 'alternate') continue; // hreflang alternates are same-site links, not loads.
        const url = attribute(tag, 'src') ?? attribute(tag, 'href');
        if (url && /^(?:[a-z]+:)?\/\//i.test(url)) external.push(`${page.url}: ${tag}`);
      }
      if (/@import\s+url\(\s*['"]?https?:|url\(\s*['"]?https?:/i.test(page.html)) external.push(`${page.url}: CSS url()`);
    }
    expect(external).toEqual([]);
  });

  it('keeps the language switcher on the same lesson', () => {
    for (const locale of LOCALES) {
      const other = locale === 'en' ? 'ja' : 'en';
      for (const page of lessonPages(locale)) {
        const switcher = startTags(page.html, ['a']).find((tag) => attribute(tag, 'class') === 'language-switch');
        const expected = pageAt(`/${other}/lessons/${slugOf(page)}/`) ? `/${other}/lessons/${slugOf(page)}/` : `/${other}/`;
        expect(attribute(switcher ?? '', 'href'), page.url).toBe(expected);
      }
    }
  });

  it('links each lesson to its neighbours in syllabus order', () => {
    for (const locale of LOCALES) {
      const slugs = SYLLABUS_SLUGS.filter((slug) => pageAt(`/${locale}/lessons/${slug}/`));
      slugs.forEach((slug, index) => {
        const html = pageAt(`/${locale}/lessons/${slug}/`)!.html;
        const previous = startTags(html, ['a']).find((tag) => attribute(tag, 'rel') === 'prev');
        const next = startTags(html, ['a']).find((tag) => attribute(tag, 'rel') === 'next');
        expect(previous && attribute(previous, 'href'), `${slug} prev`).toBe(
          index > 0 ? `/${locale}/lessons/${slugs[index - 1]}/` : undefined,
        );
        expect(next && attribute(next, 'href'), `${slug} next`).toBe(
          index < slugs.length - 1 ? `/${locale}/lessons/${slugs[index + 1]}/` : undefined,
        );
      });
    }
  });

  it('gives both locales of a lesson the same number of quiz questions, each with a valid answer', () => {
    for (const slug of bilingualSlugs()) {
      const counts = LOCALES.map((locale) => {
        const html = pageAt(`/${locale}/lessons/${slug}/`)!.html;
        // Each question is an <li data-quiz-question data-answer="n"> up to the next one.
        const questions = html.split(/<li class="question" data-quiz-question /).slice(1);
        for (const [index, question] of questions.entries()) {
          const answer = Number(/^data-answer="(\d+)"/.exec(question)?.[1]);
          const choices = (question.split('</fieldset>')[0].match(/type="radio"/g) ?? []).length;
          expect(choices, `${locale} ${slug} question ${index + 1} choices`).toBeGreaterThanOrEqual(2);
          expect(answer, `${locale} ${slug} question ${index + 1} answer`).toBeLessThan(choices);
        }
        return questions.length;
      });
      expect(counts[0], `${slug} has a quiz`).toBeGreaterThanOrEqual(2);
      expect(counts[1], slug).toBe(counts[0]);
    }
  });

  it('shows the same exercise, once, on both locales of a lesson', () => {
    const payloadOf = (html: string) => {
      const json = /<script type="application\/json" data-exercise-payload[^>]*>([\s\S]*?)<\/script>/.exec(html)?.[1];
      return json === undefined ? undefined : JSON.parse(json);
    };
    for (const slug of bilingualSlugs()) {
      const [en, ja] = LOCALES.map((locale) => pageAt(`/${locale}/lessons/${slug}/`)!.html);
      expect(en.match(/<section class="exercise"/g) ?? [], `${slug} en has one exercise panel`).toHaveLength(1);
      expect(ja.match(/<section class="exercise"/g) ?? [], `${slug} ja has one exercise panel`).toHaveLength(1);
      const exercise = payloadOf(en);
      expect(payloadOf(ja), slug).toEqual(exercise);
      const folder = `${String(SYLLABUS_SLUGS.indexOf(slug) + 1).padStart(2, '0')}-${slug}`;
      const startConfig = readFileSync(join(lessonsDir, folder, 'exercise', 'start.conf'), 'utf8');
      expect(exercise.startConfig, `${slug} ships exercise/start.conf`).toBe(startConfig);
    }
  });

  it('inlines diagrams with only the page language’s labels and an accessible name', () => {
    for (const locale of LOCALES) {
      const other = locale === 'en' ? 'ja' : 'en';
      for (const page of lessonPages(locale)) {
        for (const figure of page.html.match(/<figure class="diagram"[\s\S]*?<\/figure>/g) ?? []) {
          expect(figure, page.url).not.toContain(`data-lang="${other}"`);
          expect(figure, page.url).toMatch(/<svg[^>]*role="img"[^>]*aria-label="[^"]+"/);
        }
      }
    }
  });

  it('builds a Pagefind index for each language and indexes only lesson pages', () => {
    const entry = JSON.parse(readFileSync(join(distDir, 'pagefind', 'pagefind-entry.json'), 'utf8'));
    const languages = Object.keys(entry.languages).sort();
    const expected = LOCALES.filter((locale) => lessonPages(locale).length > 0);
    expect(languages).toEqual(expected);
    for (const locale of expected) {
      expect(entry.languages[locale].page_count, locale).toBe(lessonPages(locale).length);
    }
  });

  it('loads less than 100 KB of gzipped JavaScript on a lesson page before the sandbox opens', () => {
    const report: string[] = [];
    for (const locale of LOCALES) {
      for (const page of lessonPages(locale)) {
        const gzip = scriptCostOf(page, distDir).reduce((sum, cost) => sum + cost.gzipBytes, 0);
        report.push(`${page.url}: ${(gzip / 1024).toFixed(1)} KB`);
        expect(gzip, page.url).toBeLessThan(LESSON_JS_BUDGET_GZIP);
      }
    }
    console.info(`JavaScript per lesson page (gzip -9):\n  ${report.join('\n  ')}`);
  });

  it('loads nothing from the sandbox or Pagefind until the reader asks for it', () => {
    for (const page of [...lessonPages('en'), ...lessonPages('ja')]) {
      const sources = scriptCostOf(page, distDir).map((cost) => cost.source);
      expect(sources.filter((source) => /pagefind|monaco|webcontainer/i.test(source)), page.url).toEqual([]);
    }
  });

  it('meets WCAG AA contrast for text colours in both themes', () => {
    const tokens = lightDarkTokens(readFileSync(join(repoRoot, 'site/src/styles/global.css'), 'utf8'));
    const pairs: [foreground: string, background: string][] = [
      ['--color-text', '--color-bg'],
      ['--color-text', '--color-bg-subtle'],
      ['--color-text', '--color-current-bg'],
      ['--color-text-muted', '--color-bg'],
      ['--color-text-muted', '--color-bg-subtle'],
      ['--color-link', '--color-bg'],
      ['--color-link', '--color-bg-subtle'],
      ['--color-accent-text', '--color-accent-bg'],
      ['--color-text', '--color-note-bg'],
      ['--color-note-label', '--color-note-bg'],
      ['--color-text', '--color-warning-bg'],
      ['--color-warning-label', '--color-warning-bg'],
      ['--color-text', '--color-correction-bg'],
      ['--color-correction-label', '--color-correction-bg'],
      ['--color-success', '--color-correction-bg'],
      ['--color-success', '--color-bg'],
      ['--color-danger', '--color-bg'],
      ['--color-text', '--color-highlight-bg'],
      ['--color-text', '--color-code-bg'],
    ];
    const failures: string[] = [];
    for (const theme of ['light', 'dark'] as const) {
      for (const [foreground, background] of pairs) {
        const fg = tokens.get(foreground)?.[theme];
        const bg = tokens.get(background)?.[theme];
        if (!fg || !bg) {
          failures.push(`${foreground} or ${background} is not a light-dark() colour`);
          continue;
        }
        const ratio = contrastRatio(fg, bg);
        if (ratio < 4.5) failures.push(`${theme}: ${foreground} ${fg} on ${background} ${bg} = ${ratio.toFixed(2)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('meets WCAG AA contrast for every highlighted code token in both themes', () => {
    const tokens = lightDarkTokens(readFileSync(join(repoRoot, 'site/src/styles/global.css'), 'utf8'));
    const codeBackground = tokens.get('--color-code-bg')!;
    const failures = new Set<string>();
    for (const page of pages) {
      for (const match of page.html.matchAll(/--shiki-light:(#[0-9a-fA-F]{3,8});--shiki-dark:(#[0-9a-fA-F]{3,8})/g)) {
        const [, light, dark] = match;
        if (contrastRatio(light, codeBackground.light) < 4.5) failures.add(`light ${light}`);
        if (contrastRatio(dark, codeBackground.dark) < 4.5) failures.add(`dark ${dark}`);
      }
    }
    expect([...failures]).toEqual([]);
  });
});

describe('the built site in a browser', () => {
  let server: StaticServer;
  let browser: Browser;
  const firstLesson = () => bilingualSlugs()[0];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM_PATH)) {
      throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium package or set CHROMIUM_PATH.`);
    }
    if (!firstLesson()) throw new Error('No lesson is built in both locales yet; the browser checks need one.');
    server = await serveStatic(distDir);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function openPage(path: string, options: Parameters<Browser['newPage']>[0] = {}): Promise<Page> {
    const page = await browser.newPage(options);
    const response = await page.goto(`${server.origin}${path}`);
    expect(response?.status(), path).toBe(200);
    return page;
  }

  it('sends / to the first supported language in the browser’s list', async () => {
    for (const [languages, expected] of [
      ['ja-JP', '/ja/'],
      ['en-GB', '/en/'],
      ['fr-FR', '/en/'],
    ] as const) {
      const context = await browser.newContext({ locale: languages });
      const page = await context.newPage();
      await page.goto(`${server.origin}/`);
      await page.waitForURL(`${server.origin}${expected}`);
      expect(new URL(page.url()).pathname, languages).toBe(expected);
      await context.close();
    }
  });

  it('downloads less than 100 KB of gzipped JavaScript for a lesson, counted on the wire', async () => {
    for (const locale of LOCALES) {
      const page = await browser.newPage();
      const scriptBodies: Promise<Buffer>[] = [];
      page.on('response', (response) => {
        if (response.request().resourceType() === 'script') scriptBodies.push(response.body());
      });
      await page.goto(`${server.origin}/${locale}/lessons/${firstLesson()}/`, { waitUntil: 'networkidle' });
      const inline = await page.$$eval('script:not([src])', (scripts) =>
        (scripts as HTMLScriptElement[])
          .filter((script) => !script.type || script.type === 'module')
          .map((script) => script.textContent ?? ''),
      );
      const scriptBytes = [...(await Promise.all(scriptBodies)), ...inline].reduce(
        (sum, body) => sum + gzipSync(body, { level: 9 }).length,
        0,
      );
      expect(scriptBytes, locale).toBeLessThan(LESSON_JS_BUDGET_GZIP);
      await page.close();
    }
  });

  it('checks a quiz answer and explains it', async () => {
    const page = await openPage(`/en/lessons/${firstLesson()}/`);
    const question = page.locator('[data-quiz-question]').first();
    const answer = Number(await question.getAttribute('data-answer'));
    const choices = question.locator('input[type="radio"]');
    await question.locator('[data-quiz-check]').click();
    await expect.poll(() => question.locator('[data-quiz-feedback]').textContent()).toBe('Choose an answer first.');
    await choices.nth(answer === 0 ? 1 : 0).check();
    await question.locator('[data-quiz-check]').click();
    expect(await question.locator('[data-quiz-feedback]').textContent()).toBe('Not quite.');
    expect(await question.locator('details').evaluate((details: HTMLDetailsElement) => details.open)).toBe(true);
    await choices.nth(answer).check();
    await question.locator('[data-quiz-check]').click();
    expect(await question.locator('[data-quiz-feedback]').textContent()).toBe('Correct.');
    await page.close();
  });

  it('keeps the quiz answerable and the lesson list visible without JavaScript', async () => {
    const page = await openPage(`/ja/lessons/${firstLesson()}/`, { javaScriptEnabled: false, viewport: { width: 360, height: 740 } });
    const question = page.locator('[data-quiz-question]').first();
    expect(await question.locator('[data-quiz-check]').isVisible()).toBe(false);
    await question.locator('summary').click();
    expect(await question.locator('.answer-choice').isVisible()).toBe(true);
    expect(await question.locator('.answer-choice').textContent()).toMatch(/^答え：/);
    expect(await page.locator('#lesson-nav').isVisible()).toBe(true);
    await page.close();
  });

  it('folds the lesson list behind a toggle on a 360 px screen', async () => {
    const page = await openPage(`/en/lessons/${firstLesson()}/`, { viewport: { width: 360, height: 740 } });
    const toggle = page.locator('[data-nav-toggle]');
    expect(await page.locator('#lesson-nav').isVisible()).toBe(false);
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    expect(await page.locator('#lesson-nav').isVisible()).toBe(true);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, 'no horizontal scrolling at 360 px').toBeLessThanOrEqual(0);
    await page.close();
  });

  it('remembers the chosen theme and applies it before the next page paints', async () => {
    const context = await browser.newContext({ colorScheme: 'light' });
    const page = await context.newPage();
    await page.goto(`${server.origin}/en/`);
    await page.locator('[data-theme-toggle]').click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.goto(`${server.origin}/en/lessons/${firstLesson()}/`, { waitUntil: 'commit' });
    // The attribute is set by the first script in <head>, before <body> exists.
    await page.waitForSelector('body', { state: 'attached' });
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(13, 17, 23)');
    await context.close();
  });

  it('shows progress stored by the sandbox in the lesson list and on the home page', async () => {
    const context = await browser.newContext();
    const slug = firstLesson();
    await context.addInitScript((done) => {
      localStorage.setItem('wslab:progress', JSON.stringify({ [done]: { done: true, at: '2025-01-01T00:00:00.000Z' } }));
    }, slug);
    const page = await context.newPage();
    await page.goto(`${server.origin}/en/`);
    const total = lessonPages('en').length;
    expect(await page.locator('[data-progress-summary]').textContent()).toBe(`1 of ${total} lessons done.`);
    expect(await page.locator(`#lesson-nav [data-progress-slug="${slug}"] [data-progress-mark]`).isVisible()).toBe(true);
    await page.locator('[data-forget-progress]').click();
    expect(await page.locator('[data-progress-summary]').textContent()).toBe('No exercises completed yet.');
    expect(await page.locator(`#lesson-nav [data-progress-slug="${slug}"] [data-progress-mark]`).isVisible()).toBe(false);
    await context.close();
  });

  it('searches lazily, in the page’s language only', async () => {
    // A directive name (ASCII, the same in both languages) and a word in the page's own language,
    // which for Japanese proves the index segments text without spaces.
    const queries = { en: ['ProxyPass', 'echo server'], ja: ['ProxyPass', 'エコーサーバー'] };
    for (const locale of LOCALES) {
      const page = await browser.newPage();
      const pagefindRequests: string[] = [];
      page.on('request', (request) => {
        if (request.url().includes('/pagefind/')) pagefindRequests.push(request.url());
      });
      await page.goto(`${server.origin}/${locale}/lessons/${firstLesson()}/`, { waitUntil: 'networkidle' });
      expect(pagefindRequests, `${locale}: nothing before the search box is used`).toEqual([]);
      for (const query of queries[locale]) {
        await page.locator('#site-search-input').fill(query);
        const status = page.locator('[data-search-status]');
        await expect.poll(() => status.textContent(), { timeout: 10_000 }).toMatch(/results?$|件$/);
        const hrefs = await page
          .locator('[data-search-list] a')
          .evaluateAll((links) => links.map((link) => new URL((link as HTMLAnchorElement).href).pathname));
        expect(hrefs.length, `${locale} “${query}”`).toBeGreaterThan(0);
        expect(hrefs.filter((href) => !href.startsWith(`/${locale}/lessons/`)), `${locale} “${query}” stays in ${locale}`).toEqual([]);
      }
      await page.close();
    }
  });

  it('computes Sec-WebSocket-Accept for a typed key', async () => {
    const page = await openPage(`/en/lessons/websocket-basics/`).catch(() => undefined);
    const calculator = page?.locator('[data-accept-calculator]');
    if (!page || !calculator || (await calculator.count()) === 0) {
      throw new Error('The websocket-basics lesson must use <AcceptCalculator /> (lessons/README.md lists it for that lesson).');
    }
    const key = 'x3JJHMbDL1EzLkh9GBhXDw==';
    await calculator.locator('[data-key-input]').fill(key);
    const expected = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    await expect.poll(() => calculator.locator('[data-accept-output]').textContent()).toBe(expected);
    await page.close();
  });

  it('offers "Open sandbox" only when the sandbox is built, and then hands it the exercise', async () => {
    const page = await openPage(`/en/lessons/${firstLesson()}/`);
    const button = page.locator('[data-open-sandbox]');
    const sandboxBuilt = existsSync(join(repoRoot, 'sandbox/ui/entry.ts'));
    if (!sandboxBuilt) {
      expect(await button.isDisabled()).toBe(true);
      expect(await page.locator('[data-sandbox-status]').textContent()).toContain('does not include the sandbox');
    } else {
      const detail = page.evaluate(
        () =>
          new Promise<{ lesson: string; checks: number; hostId: string }>((resolve) => {
            window.addEventListener('wslab:open-sandbox', (event) => {
              const { lesson, exercise, host } = (event as CustomEvent).detail;
              resolve({ lesson, checks: exercise.checks.length, hostId: host.id });
            });
          }),
      );
      await button.click();
      expect(await detail).toMatchObject({ lesson: firstLesson(), hostId: 'wslab-sandbox' });
    }
    await page.close();
  });
});

describe('the sandbox hook, with a stand-in sandbox entry', () => {
  let outDir: string;
  let server: StaticServer;
  let browser: Browser;

  beforeAll(async () => {
    // A second build, from the fixture lessons with test/site/fixtures/sandbox-entry.ts as the
    // sandbox, into a temporary folder so dist/ stays the real site.
    outDir = mkdtempSync(join(tmpdir(), 'wslab-site-with-sandbox-'));
    const build = runAstro(['build'], join(import.meta.dirname, 'fixtures/lessons'), {
      WSLAB_OUT_DIR: outDir,
      WSLAB_SANDBOX_ENTRY: join(import.meta.dirname, 'fixtures/sandbox-entry.ts'),
    });
    if (build.status !== 0) throw new Error(`build with a sandbox entry failed:\n${build.stdout}\n${build.stderr}`);
    server = await serveStatic(outDir);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  }, 10 * 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('loads the entry only on the first press, then hands it the lesson, exercise and host', async () => {
    const page = await browser.newPage();
    const scripts: string[] = [];
    page.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
    });
    await page.goto(`${server.origin}/ja/lessons/websocket-basics/`, { waitUntil: 'networkidle' });
    const loadedBeforePress = [...scripts];
    const button = page.locator('[data-open-sandbox]');
    expect(await button.isDisabled()).toBe(false);
    expect(await page.locator('[data-sandbox-status]').textContent()).toBe('');
    expect(await page.locator('#wslab-sandbox').isVisible()).toBe(false);

    await button.click();
    await page.locator('#wslab-sandbox').waitFor({ state: 'visible', timeout: 10_000 });
    const received = JSON.parse((await page.locator('#wslab-sandbox').getAttribute('data-received')) ?? '{}');
    expect(received).toEqual({
      prepared: true,
      lesson: 'websocket-basics',
      locale: 'ja',
      checkIds: ['upgrade-reaches-echo', 'stopped-echo-gives-503'],
      startsWith: 'Listen 80',
    });
    const loadedByPress = scripts.filter((script) => !loadedBeforePress.includes(script));
    expect(loadedByPress.length, 'the entry is a chunk of its own, fetched on the press').toBeGreaterThan(0);
    await page.close();
  });

  it('keeps the lesson page under the JavaScript budget with a sandbox in the build', () => {
    for (const page of readBuiltPages(outDir).filter((built) => built.url.includes('/lessons/'))) {
      const gzip = scriptCostOf(page, outDir).reduce((sum, cost) => sum + cost.gzipBytes, 0);
      expect(gzip, page.url).toBeLessThan(LESSON_JS_BUDGET_GZIP);
    }
  });
});

describe('a malformed lesson', () => {
  let lessonsCopy: string;

  beforeAll(() => {
    lessonsCopy = mkdtempSync(join(tmpdir(), 'wslab-lessons-'));
  });
  afterAll(() => rmSync(lessonsCopy, { recursive: true, force: true }));

  /** Copies the valid fixture lessons, lets `corrupt` break one thing, and runs the content sync. */
  function syncWith(corrupt: (root: string) => void): string {
    rmSync(lessonsCopy, { recursive: true, force: true });
    cpSync(join(import.meta.dirname, 'fixtures/lessons'), lessonsCopy, { recursive: true });
    corrupt(lessonsCopy);
    const sync = runAstro(['sync'], lessonsCopy);
    expect(sync.status, 'the sync must fail').not.toBe(0);
    return `${sync.stdout}\n${sync.stderr}`;
  }

  it('fails with the lesson file and the quiz field named', () => {
    const output = syncWith((root) => {
      const file = join(root, '02-why-apache/ja.mdx');
      writeFileSync(file, readFileSync(file, 'utf8').replace('    answer: 0\n', '    answer: 5\n'));
    });
    expect(output).toContain('lessons → 02-why-apache/ja data does not match collection schema');
    expect(output).toContain('quiz.1.answer: is 5, but there are only 2 choices (valid: 0-1)');
    expect(output).toContain(join(lessonsCopy, '02-why-apache/ja.mdx'));
  });

  it('fails with the exercise file and the check field named', () => {
    const output = syncWith((root) => {
      const file = join(root, '01-websocket-basics/exercise/exercise.json');
      const exercise = JSON.parse(readFileSync(file, 'utf8'));
      exercise.checks[1].probe.path = 'ws/';
      writeFileSync(file, JSON.stringify(exercise));
    });
    expect(output).toContain(
      'lessons/01-websocket-basics/exercise/exercise.json does not match the lesson format (lessons/README.md):\n  checks.1.probe.path: must start with "/"',
    );
  });

  it('fails when solution.conf is missing', () => {
    const output = syncWith((root) => rmSync(join(root, '02-why-apache/exercise/solution.conf')));
    expect(output).toContain('lessons/02-why-apache/exercise/solution.conf is missing.');
  });

  it('fails with a rename suggestion for a misnumbered folder', () => {
    const output = syncWith((root) => cpSync(join(root, '02-why-apache'), join(root, '03-tls'), { recursive: true }));
    expect(output).toContain('Lesson folder "lessons/03-tls" is numbered 03, but "tls" is lesson 6 in the syllabus. Rename the folder to "06-tls".');
  });
});
