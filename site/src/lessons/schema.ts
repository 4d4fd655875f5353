/**
 * The lesson format (lessons/README.md) as zod schemas. The content collections validate every
 * lesson against these, so a malformed lesson fails the build with the file and field named.
 *
 * Kept free of `astro:*` virtual modules so tests can validate fixtures without an Astro build.
 */
import { z } from 'astro/zod';
import type { BackendName, Check, Expectation, OutgoingMessage, Probe, ProbeSetup } from '../../../sandbox/engine/probe.ts';

/**
 * Text fields. YAML reads unquoted text containing ": " as a mapping, which is the most common way a
 * frontmatter string breaks; say so instead of "expected string, received object".
 */
const nonEmptyText = z
  .string({
    error: (issue) =>
      typeof issue.input === 'object' && issue.input !== null && !Array.isArray(issue.input)
        ? 'is a YAML mapping, not text: unquoted text containing ": " starts a mapping. Put the whole text in double quotes.'
        : undefined,
  })
  .trim()
  .min(1, 'must not be empty');

// ---------------------------------------------------------------------------------------------
// Frontmatter of lessons/NN-slug/{en,ja}.mdx
// ---------------------------------------------------------------------------------------------

export const quizQuestionSchema = z
  .strictObject({
    question: nonEmptyText.describe('The question, in the page language.'),
    choices: z
      .array(nonEmptyText)
      .min(2, 'a question needs at least 2 choices')
      .max(6, 'keep a question to at most 6 choices')
      .describe('Possible answers, shown in this order.'),
    answer: z
      .number()
      .int('must be a whole number')
      .min(0, 'must be 0 or more')
      .describe('Index (0-based) of the correct entry in `choices`.'),
    explanation: nonEmptyText.describe('Why the answer is right; shown after the reader checks their choice.'),
  })
  .superRefine((question, context) => {
    if (question.answer >= question.choices.length) {
      context.addIssue({
        code: 'custom',
        path: ['answer'],
        message: `is ${question.answer}, but there are only ${question.choices.length} choices (valid: 0-${question.choices.length - 1})`,
      });
    }
    const seen = new Set<string>();
    question.choices.forEach((choice, index) => {
      if (seen.has(choice)) {
        context.addIssue({ code: 'custom', path: ['choices', index], message: `repeats the choice "${choice}"` });
      }
      seen.add(choice);
    });
  })
  .describe('One multiple-choice question with a single right answer.');

export const lessonFrontmatterSchema = z
  .strictObject({
    title: nonEmptyText.describe('Lesson title: the page heading and the entry in the lesson list.'),
    description: nonEmptyText
      .max(300, 'keep the description to one sentence (at most 300 characters)')
      .describe('One sentence for search results, the lesson list and <meta name="description">.'),
    goals: z
      .array(nonEmptyText)
      .min(2, 'list at least 2 learning goals')
      .max(5, 'list at most 5 learning goals')
      .describe('Learning goals, shown as bullets above the lesson text.'),
    quiz: z
      .array(quizQuestionSchema)
      .min(2, 'a quiz needs at least 2 questions')
      .max(5, 'a quiz has at most 5 questions')
      .describe('The end-of-lesson quiz.'),
  })
  .describe('Frontmatter of lessons/NN-slug/en.mdx and ja.mdx.');

export type LessonFrontmatter = z.infer<typeof lessonFrontmatterSchema>;
export type QuizQuestion = z.infer<typeof quizQuestionSchema>;

// ---------------------------------------------------------------------------------------------
// lessons/NN-slug/exercise/exercise.json — the Probe/Expectation types of sandbox/engine/probe.ts
// ---------------------------------------------------------------------------------------------

export const localizedTextSchema = z
  .strictObject({
    en: nonEmptyText.describe('English text.'),
    ja: nonEmptyText.describe('Japanese text.'),
  })
  .describe('The same text in both languages.');

const backendNameSchema = z.enum(['echo', 'app']).describe('A backend: the echo server (8080) or the app (3000).');

const headersSchema = z.record(z.string(), z.string());

const outgoingMessageSchema = z
  .union([
    z.strictObject({ text: z.string().describe('A text frame to send.') }),
    z.strictObject({
      binaryHex: z
        .string()
        .regex(/^(?:[0-9a-fA-F]{2})*$/, 'must be hex digits, two per byte')
        .describe('A binary frame to send, as hex.'),
    }),
  ])
  .describe('One WebSocket message to send after the upgrade.');

const urlPathSchema = z.string().startsWith('/', 'must start with "/"');

const milliseconds = z.number().int().nonnegative();

export const probeSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('http'),
      method: z.string().regex(/^[A-Z]+$/, 'must be an upper-case HTTP method').optional().describe('Default GET.'),
      path: urlPathSchema.describe('Request path.'),
      host: z.string().optional().describe('Host header; default "localhost:<proxy port>".'),
      headers: headersSchema.optional().describe('Extra request headers.'),
      body: z.string().optional().describe('Request body.'),
      tls: z.boolean().optional().describe('Connect with TLS to the proxy.'),
      servername: z.string().optional().describe('With tls: the SNI name to send (default "localhost"); an empty string sends none.'),
    }),
    z.strictObject({
      kind: z.literal('ws'),
      path: urlPathSchema.describe('Path of the WebSocket URL.'),
      host: z.string().optional().describe('Host header.'),
      headers: headersSchema.optional().describe('Extra handshake headers.'),
      protocols: z.array(z.string()).optional().describe('Sec-WebSocket-Protocol values to offer.'),
      origin: z.string().optional().describe('Origin header.'),
      send: z.array(outgoingMessageSchema).optional().describe('Messages to send after the upgrade.'),
      holdMs: milliseconds.optional().describe('How long to keep the tunnel open after the last message.'),
      closeCode: z.number().int().min(1000).max(4999).optional().describe('Close code to send; default 1000.'),
      tls: z.boolean().optional().describe('Connect with TLS to the proxy.'),
      servername: z.string().optional().describe('With tls: the SNI name to send (default "localhost"); an empty string sends none.'),
    }),
    z.strictObject({
      kind: z.literal('ws-many'),
      path: urlPathSchema.describe('Path of the WebSocket URL.'),
      count: z.number().int().positive().describe('How many WebSockets to open at once.'),
      holdMs: milliseconds.describe('How long to hold them open.'),
      host: z.string().optional().describe('Host header.'),
    }),
    z.strictObject({
      kind: z.literal('raw'),
      data: z.string().min(1).describe('Raw bytes for a fresh TCP connection; "\\r\\n" written literally.'),
    }),
  ])
  .describe('A request made through the proxy (Probe in sandbox/engine/probe.ts).');

export const expectationSchema = z
  .strictObject({
    status: z.number().int().min(100).max(599).optional().describe('HTTP status the client must receive.'),
    received: z.array(z.string()).optional().describe('Exact sequence of WebSocket messages received.'),
    backend: z
      .strictObject({
        backend: backendNameSchema.optional(),
        path: z.string().optional(),
        headers: headersSchema.optional(),
      })
      .optional()
      .describe('The backend that must have seen the request, and what it must have seen.'),
    noBackend: z.boolean().optional().describe('No backend may have seen the request.'),
    errorLog: z
      .array(z.string().regex(/^AH\d{5}$/, 'must be an AH code such as AH00957'))
      .optional()
      .describe('AH codes that must appear in the error log.'),
    headers: headersSchema.optional().describe('Response headers that must have these exact values.'),
    closeCode: z.number().int().optional().describe('Close code the client must see.'),
    openMs: z
      .strictObject({ min: milliseconds, max: milliseconds })
      .refine((range) => range.min <= range.max, { message: 'min must not exceed max' })
      .optional()
      .describe('The tunnel must close within [min, max] ms.'),
    opened: z.number().int().nonnegative().optional().describe('For ws-many: how many reached 101.'),
  })
  .refine((expectation) => Object.keys(expectation).length > 0, {
    message: 'must state at least one condition; a check that expects nothing always passes',
  })
  .describe('The pass condition of a check (Expectation in sandbox/engine/probe.ts).');

export const probeSetupSchema = z
  .strictObject({
    stopped: z.array(backendNameSchema).optional().describe('Backends to stop before the probe.'),
  })
  .describe('What the runner prepares before the probe (ProbeSetup in sandbox/engine/probe.ts).');

export const exerciseCheckSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case, e.g. "upgrade-reaches-echo"')
      .describe('Stable identifier, unique within the exercise.'),
    title: localizedTextSchema.describe('What the check verifies, as the learner reads it.'),
    hint: localizedTextSchema.describe('A nudge shown on request when the check fails.'),
    setup: probeSetupSchema.optional(),
    probe: probeSchema,
    expect: expectationSchema,
  })
  .describe('One named check: setup, probe, expectation.');

export const exerciseFileSchema = z
  .strictObject({
    title: localizedTextSchema.describe('Exercise title.'),
    instructions: localizedTextSchema.describe('What to do, in Markdown.'),
    checks: z.array(exerciseCheckSchema).min(1, 'an exercise needs at least one check').describe('The checks, in order.'),
  })
  .superRefine((exercise, context) => {
    const seen = new Set<string>();
    exercise.checks.forEach((check, index) => {
      if (seen.has(check.id)) {
        context.addIssue({ code: 'custom', path: ['checks', index, 'id'], message: `repeats the id "${check.id}"` });
      }
      seen.add(check.id);
    });
  })
  .describe('lessons/NN-slug/exercise/exercise.json');

/** An exercise as the `exercises` collection stores it: the JSON plus the files beside it. */
export const exerciseEntrySchema = z
  .strictObject({
    lesson: z.string().describe('Lesson slug the exercise belongs to.'),
    folder: z.string().describe('Lesson folder name, NN-slug.'),
    order: z.number().int().positive().describe('Reading position of the lesson.'),
    title: localizedTextSchema,
    instructions: localizedTextSchema,
    instructionsHtml: localizedTextSchema.describe('`instructions` rendered from Markdown to HTML.'),
    checks: z.array(exerciseCheckSchema).min(1),
    startConfig: z.string().min(1).describe('exercise/start.conf: the config the learner starts from.'),
    solutionConfig: z.string().min(1).describe('exercise/solution.conf: a config that passes every check.'),
  })
  .describe('One lesson exercise, validated and joined with its config files.');

export type ExerciseFile = z.infer<typeof exerciseFileSchema>;
export type ExerciseCheck = z.infer<typeof exerciseCheckSchema>;
export type ExerciseEntry = z.infer<typeof exerciseEntrySchema>;

// ---------------------------------------------------------------------------------------------
// Compile-time agreement with sandbox/engine/probe.ts: if the engine's types change, `npm run
// typecheck` fails here until the schema follows, so the site never accepts a check the sandbox
// and CI runners cannot run.
// ---------------------------------------------------------------------------------------------

/**
 * Structural equality, blind to how either side spells the type (intersection or flat object). Both
 * sides are made deeply required first, so an optional field present on only one side is a mismatch
 * instead of being silently assignable.
 */
type DeepRequired<T> = T extends readonly (infer Item)[]
  ? DeepRequired<Item>[]
  : T extends object
    ? { [Key in keyof T]-?: DeepRequired<Exclude<T[Key], undefined>> }
    : T;
type Equal<A, B> = [DeepRequired<A>] extends [DeepRequired<B>] ? ([DeepRequired<B>] extends [DeepRequired<A>] ? true : false) : false;
type AssertTrue<T extends true> = T;

export type SchemaMatchesProbeContract = [
  AssertTrue<Equal<z.infer<typeof backendNameSchema>, BackendName>>,
  AssertTrue<Equal<z.infer<typeof outgoingMessageSchema>, OutgoingMessage>>,
  AssertTrue<Equal<z.infer<typeof probeSchema>, Probe>>,
  AssertTrue<Equal<z.infer<typeof expectationSchema>, Expectation>>,
  AssertTrue<Equal<z.infer<typeof probeSetupSchema>, ProbeSetup>>,
  AssertTrue<Equal<Omit<ExerciseCheck, 'title' | 'hint'>, Check>>,
];
