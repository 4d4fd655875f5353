/**
 * The lesson format's validation, without an Astro build: frontmatter and exercise schemas, folder
 * names, the error text authors see, and the pure helpers the lesson components rely on.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fillTemplate } from '../../site/src/i18n/template.ts';
import { inlineDiagram, keepLanguage, prefixIds } from '../../site/src/lessons/diagram-svg.ts';
import { splitInlineCode, stripInlineCode } from '../../site/src/lessons/inline-code.ts';
import { exerciseFileSchema, lessonFrontmatterSchema } from '../../site/src/lessons/schema.ts';
import { parseLessonFolder, SYLLABUS_SLUGS } from '../../site/src/lessons/syllabus.ts';
import { describeIssues } from '../../site/src/lessons/validation-message.ts';

const repoRoot = join(import.meta.dirname, '../..');
const fixtureExercise = join(import.meta.dirname, 'fixtures/lessons/01-websocket-basics/exercise/exercise.json');

const validFrontmatter = () => ({
  title: 'The WebSocket handshake',
  description: 'One sentence.',
  goals: ['Read an Upgrade request', 'Compute Sec-WebSocket-Accept'],
  quiz: [
    { question: 'Which status?', choices: ['200', '101', '301'], answer: 1, explanation: '101 Switching Protocols.' },
    { question: 'Which header?', choices: ['Upgrade', 'Accept'], answer: 0, explanation: 'Upgrade: websocket.' },
  ],
});

const validExercise = () => JSON.parse(readFileSync(fixtureExercise, 'utf8'));

/** The "field: message" lines an author would see for this value. */
function issuesOf(schema: typeof lessonFrontmatterSchema | typeof exerciseFileSchema, value: unknown): string[] {
  const result = schema.safeParse(value);
  if (result.success) return [];
  return result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('lesson frontmatter schema', () => {
  it('accepts the format lessons/README.md documents', () => {
    expect(issuesOf(lessonFrontmatterSchema, validFrontmatter())).toEqual([]);
  });

  it('rejects a quiz answer that points past the choices, naming the field', () => {
    const frontmatter = validFrontmatter();
    frontmatter.quiz[1].answer = 2;
    expect(issuesOf(lessonFrontmatterSchema, frontmatter)).toEqual([
      'quiz.1.answer: is 2, but there are only 2 choices (valid: 0-1)',
    ]);
  });

  it('rejects a missing title and a misspelt field', () => {
    const { title: _omitted, ...withoutTitle } = validFrontmatter();
    const issues = issuesOf(lessonFrontmatterSchema, { ...withoutTitle, goal: ['typo'] });
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatch(/^title: /);
    expect(issues[1]).toMatch(/^: Unrecognized key: "goal"/);
  });

  it('requires 2-5 goals and 2-5 quiz questions', () => {
    const frontmatter = { ...validFrontmatter(), goals: ['only one'], quiz: validFrontmatter().quiz.slice(0, 1) };
    expect(issuesOf(lessonFrontmatterSchema, frontmatter)).toEqual([
      'goals: list at least 2 learning goals',
      'quiz: a quiz needs at least 2 questions',
    ]);
  });

  it('rejects repeated choices, which would make the answer ambiguous', () => {
    const frontmatter = validFrontmatter();
    frontmatter.quiz[0].choices = ['101', '101', '200'];
    expect(issuesOf(lessonFrontmatterSchema, frontmatter)).toEqual(['quiz.0.choices.1: repeats the choice "101"']);
  });

  it('describes every field for authors and tools', () => {
    const shape = lessonFrontmatterSchema.shape;
    for (const [field, schema] of Object.entries(shape)) {
      expect(schema.description, field).toBeTruthy();
    }
  });
});

describe('exercise.json schema', () => {
  it('accepts the test fixture', () => {
    expect(issuesOf(exerciseFileSchema, validExercise())).toEqual([]);
  });

  it('accepts every exercise the lesson authors have written so far', () => {
    const lessonsDir = join(repoRoot, 'lessons');
    const files = readdirSync(lessonsDir)
      .map((folder) => join(lessonsDir, folder, 'exercise', 'exercise.json'))
      .filter((file) => existsSync(file));
    for (const file of files) {
      expect(issuesOf(exerciseFileSchema, JSON.parse(readFileSync(file, 'utf8'))), file).toEqual([]);
    }
  });

  it('rejects a probe kind the runners do not know', () => {
    const exercise = validExercise();
    exercise.checks[0].probe.kind = 'websocket';
    expect(issuesOf(exerciseFileSchema, exercise)).toEqual([
      "checks.0.probe.kind: Invalid discriminator value. Expected 'http' | 'ws' | 'ws-many' | 'raw'",
    ]);
  });

  it('rejects a check that expects nothing, since it would always pass', () => {
    const exercise = validExercise();
    exercise.checks[1].expect = {};
    expect(issuesOf(exerciseFileSchema, exercise)).toEqual([
      'checks.1.expect: must state at least one condition; a check that expects nothing always passes',
    ]);
  });

  it('rejects a missing Japanese hint and an unknown backend', () => {
    const exercise = validExercise();
    delete exercise.checks[0].hint.ja;
    exercise.checks[1].setup.stopped = ['database'];
    expect(issuesOf(exerciseFileSchema, exercise)).toEqual([
      'checks.0.hint.ja: Invalid input: expected string, received undefined',
      'checks.1.setup.stopped.0: Invalid option: expected one of "echo"|"app"',
    ]);
  });

  it('rejects duplicate check ids and malformed AH codes', () => {
    const exercise = validExercise();
    exercise.checks[1].id = exercise.checks[0].id;
    exercise.checks[1].expect.errorLog = ['00957'];
    expect(issuesOf(exerciseFileSchema, exercise)).toEqual([
      'checks.1.expect.errorLog.0: must be an AH code such as AH00957',
      'checks.1.id: repeats the id "upgrade-reaches-echo"',
    ]);
  });

  it('formats issues as a message naming the file and each field', () => {
    const exercise = validExercise();
    exercise.checks[0].probe.path = 'ws/';
    const result = exerciseFileSchema.safeParse(exercise);
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(describeIssues('lessons/01-websocket-basics/exercise/exercise.json', result.error)).toBe(
      'lessons/01-websocket-basics/exercise/exercise.json does not match the lesson format (lessons/README.md):\n' +
        '  checks.0.probe.path: must start with "/"',
    );
  });
});

describe('lesson folder names', () => {
  it('reads order and slug from NN-slug', () => {
    expect(parseLessonFolder('04-basic-vhost')).toEqual({ folder: '04-basic-vhost', order: 4, slug: 'basic-vhost' });
  });

  it('knows the nine syllabus slugs in order', () => {
    expect(SYLLABUS_SLUGS).toEqual([
      'websocket-basics',
      'why-apache',
      'modules',
      'basic-vhost',
      'sample-config',
      'tls',
      'troubleshooting',
      'tuning',
      'summary',
    ]);
  });

  it('explains how to fix a folder without a number', () => {
    expect(() => parseLessonFolder('basic-vhost')).toThrow(
      'Lesson folder "lessons/basic-vhost" is not named NN-slug. Rename it to two digits, a dash and a lower-case slug, e.g. "01-websocket-basics".',
    );
  });

  it('names the right number for a slug filed at the wrong position', () => {
    expect(() => parseLessonFolder('02-tls')).toThrow('Rename the folder to "06-tls".');
  });

  it('lists the known slugs for an unknown one', () => {
    expect(() => parseLessonFolder('03-module')).toThrow(/has slug "module", which is not in the syllabus\. Use one of: websocket-basics, /);
  });
});

describe('diagram inlining', () => {
  const bilingual =
    '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="200" height="50">' +
    '<text data-lang="en" x="1">Browser</text><text data-lang="ja" x="1">ブラウザー</text>' +
    '<g data-lang="ja"><text>内側</text><g><text>入れ子</text></g></g>' +
    '<text x="9">Apache</text></svg>';

  it('keeps only the page language and the unlabelled elements', () => {
    expect(keepLanguage(bilingual, 'en')).toBe(
      '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="200" height="50">' +
        '<text data-lang="en" x="1">Browser</text><text x="9">Apache</text></svg>',
    );
    expect(keepLanguage(bilingual, 'ja')).not.toContain('Browser');
    expect(keepLanguage(bilingual, 'ja')).toContain('入れ子');
  });

  it('removes self-closing elements of the other language', () => {
    expect(keepLanguage('<svg><use data-lang="ja" href="#a"/><use href="#b"/></svg>', 'en')).toBe('<svg><use href="#b"/></svg>');
  });

  it('prefixes ids and every reference to them', () => {
    const svg = '<svg><marker id="arrow"/><path marker-end="url(#arrow)"/><use href="#arrow"/><use xlink:href="#other"/></svg>';
    expect(prefixIds(svg, 'diagram-x')).toBe(
      '<svg><marker id="diagram-x-arrow"/><path marker-end="url(#diagram-x-arrow)"/><use href="#diagram-x-arrow"/><use xlink:href="#other"/></svg>',
    );
  });

  it('makes the root an accessible image sized by CSS up to its drawn width', () => {
    expect(inlineDiagram(bilingual, { locale: 'en', alt: 'A "proxy" <diagram>', idPrefix: 'd' })).toBe(
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 50" style="max-width:200px" role="img" ' +
        'aria-label="A &quot;proxy&quot; &lt;diagram>" focusable="false">' +
        '<text data-lang="en" x="1">Browser</text><text x="9">Apache</text></svg>',
    );
  });

  it('refuses text that is not an SVG, and an SVG it cannot scale', () => {
    expect(() => inlineDiagram('<html></html>', { locale: 'en', alt: 'x', idPrefix: 'd' })).toThrow(
      'does not start with an <svg> element',
    );
    expect(() => inlineDiagram('<svg width="100%"></svg>', { locale: 'en', alt: 'x', idPrefix: 'd' })).toThrow(
      'has neither a viewBox nor numeric width and height',
    );
  });
});

describe('inline code in frontmatter strings', () => {
  it('splits backticked parts out as code', () => {
    expect(splitInlineCode('Load `mod_proxy` and `mod_proxy_http`')).toEqual([
      { text: 'Load ', code: false },
      { text: 'mod_proxy', code: true },
      { text: ' and ', code: false },
      { text: 'mod_proxy_http', code: true },
    ]);
  });

  it('keeps an unmatched backtick as text', () => {
    expect(splitInlineCode('a `b` c `d')).toEqual([
      { text: 'a ', code: false },
      { text: 'b', code: true },
      { text: ' c ', code: false },
      { text: '`d', code: false },
    ]);
    expect(stripInlineCode('`101` Switching Protocols')).toBe('101 Switching Protocols');
  });
});

describe('UI string templates', () => {
  it('fills named placeholders and leaves unknown ones visible', () => {
    expect(fillTemplate('{done} of {total} lessons done.', { done: 3, total: 9 })).toBe('3 of 9 lessons done.');
    expect(fillTemplate('「{title}」から続ける {other}', { title: 'TLS' })).toBe('「TLS」から続ける {other}');
  });
});
