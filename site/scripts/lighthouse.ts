/**
 * Lighthouse scores of a built lesson page, as a measurement: performance and accessibility, with
 * Lighthouse's desktop and mobile presets, for the English and the Japanese page. Run after
 * `npm run build` (this script builds nothing):
 *
 *   node site/scripts/lighthouse.ts                 # basic-vhost, threshold 95
 *   node site/scripts/lighthouse.ts --slug tls      # another lesson
 *   node site/scripts/lighthouse.ts --min 90 --json # machine-readable result on the last line
 *   node site/scripts/lighthouse.ts --dist /tmp/copy  # serve another build output than dist/
 *
 * Serves dist/ on 127.0.0.1 with the project's server (sandbox/server/site-server.ts: the same
 * COOP/COEP and cache headers as `wslab serve`), drives Debian's chromium through chrome-launcher
 * (/usr/bin/chromium, or CHROMIUM_PATH; never a downloaded browser) and prints every score. For a
 * score under 100 it lists the audits that cost points, and for performance also Lighthouse's
 * opportunities (unweighted audits with estimated FCP/LCP savings), which say what to change.
 * Exits 1 if any score is below the threshold, 2 if it could not measure at all.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import { startSiteServer } from '../../sandbox/server/site-server.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.ts';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const DEFAULT_DIST_DIR = join(repoRoot, 'dist');

const CATEGORIES = ['performance', 'accessibility'] as const;
type Category = (typeof CATEGORIES)[number];
const PRESETS = ['desktop', 'mobile'] as const;
type Preset = (typeof PRESETS)[number];
const LOCALES = ['en', 'ja'] as const;

/** One audit that cost points in a category. */
export interface LostAudit {
  id: string;
  title: string;
  score: number | null;
  /** Its weight in the category (0 for an opportunity, which moves the metrics instead). */
  weight: number;
  displayValue?: string;
  /** Lighthouse's estimate of what fixing it saves, e.g. { FCP: 1000, LCP: 1000 } in ms. */
  metricSavings?: Record<string, number>;
}

export interface PageScore {
  url: string;
  locale: string;
  preset: Preset;
  scores: Record<Category, number>;
  /** Per category under 100: the audits that did not get full marks, costliest first. */
  lost: Partial<Record<Category, LostAudit[]>>;
  /** Lighthouse's own warnings about the run (throttling, interstitials...). */
  runWarnings: string[];
}

export interface LighthouseReport {
  threshold: number;
  pages: PageScore[];
  passed: boolean;
}

interface LighthouseAudit {
  id: string;
  title: string;
  score: number | null;
  scoreDisplayMode: string;
  displayValue?: string;
  metricSavings?: Record<string, number>;
}

interface LighthouseResult {
  categories: Record<string, { score: number | null; auditRefs: { id: string; weight: number }[] }>;
  audits: Record<string, LighthouseAudit>;
  runWarnings: string[];
  runtimeError?: { code: string; message: string };
}

async function measure(url: string, port: number, preset: Preset, threshold: number): Promise<Omit<PageScore, 'locale'>> {
  const flags = { port, output: 'json' as const, logLevel: 'error' as const, onlyCategories: [...CATEGORIES] };
  // Lighthouse's default config is the mobile preset (Moto G Power, simulated slow 4G, 4x CPU).
  const runner = await lighthouse(url, flags, preset === 'desktop' ? desktopConfig : undefined);
  if (!runner) throw new Error(`Lighthouse returned nothing for ${url}`);
  const result = runner.lhr as unknown as LighthouseResult;
  if (result.runtimeError) throw new Error(`Lighthouse could not load ${url}: ${result.runtimeError.code} ${result.runtimeError.message}`);
  const scores = {} as Record<Category, number>;
  const lost: Partial<Record<Category, LostAudit[]>> = {};
  for (const category of CATEGORIES) {
    const entry = result.categories[category];
    const score = Math.round((entry?.score ?? 0) * 100);
    scores[category] = score;
    if (score >= 100) continue;
    const scored = (audit: LighthouseAudit | undefined): audit is LighthouseAudit =>
      audit !== undefined && audit.scoreDisplayMode !== 'notApplicable' && audit.scoreDisplayMode !== 'informative' && audit.scoreDisplayMode !== 'manual' && (audit.score ?? 0) < 1;
    const weighted = entry.auditRefs
      .filter((ref) => ref.weight > 0 && scored(result.audits[ref.id]))
      .sort((a, b) => b.weight * (1 - (result.audits[b.id].score ?? 0)) - a.weight * (1 - (result.audits[a.id].score ?? 0)))
      .map((ref) => lostAudit(result.audits[ref.id], ref.weight));
    // The weighted performance audits are metrics (FCP, LCP...); what moves them are the
    // unweighted opportunities with estimated savings.
    const opportunities =
      category === 'performance'
        ? entry.auditRefs
            .filter((ref) => ref.weight === 0 && scored(result.audits[ref.id]) && savingsOf(result.audits[ref.id]) > 0)
            .sort((a, b) => savingsOf(result.audits[b.id]) - savingsOf(result.audits[a.id]))
            .map((ref) => lostAudit(result.audits[ref.id], 0))
        : [];
    lost[category] = [...weighted, ...opportunities];
  }
  return { url, preset, scores, lost, runWarnings: result.runWarnings };
}

function lostAudit(audit: LighthouseAudit, weight: number): LostAudit {
  return { id: audit.id, title: audit.title, score: audit.score, weight, displayValue: audit.displayValue, metricSavings: audit.metricSavings };
}

function savingsOf(audit: LighthouseAudit): number {
  return Math.max(0, ...Object.values(audit.metricSavings ?? {}));
}

/** Measure every page and preset; the server and browser are started and stopped here. */
export async function runLighthouse(options: { slug: string; threshold: number; distDir?: string; log?: (line: string) => void }): Promise<LighthouseReport> {
  const log = options.log ?? (() => undefined);
  const distDir = options.distDir ?? DEFAULT_DIST_DIR;
  if (!existsSync(join(distDir, 'index.html'))) throw new Error(`No built site in ${distDir}. Run "npm run build" first.`);
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH}. Install Debian's chromium package or set CHROMIUM_PATH.`);
  const server = await startSiteServer({ root: distDir, host: '127.0.0.1', port: 0 });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let chrome: chromeLauncher.LaunchedChrome | undefined;
  try {
    chrome = await chromeLauncher.launch({ chromePath: CHROMIUM_PATH, chromeFlags: CHROMIUM_ARGS, logLevel: 'silent' });
    const pages: PageScore[] = [];
    for (const locale of LOCALES) {
      const url = `${origin}/${locale}/lessons/${options.slug}/`;
      const probe = await fetch(url);
      if (!probe.ok) throw new Error(`${url} answered ${probe.status}: is the lesson in dist/?`);
      for (const preset of PRESETS) {
        const began = Date.now();
        const page = { ...(await measure(url, chrome.port, preset, options.threshold)), locale };
        pages.push(page);
        log(formatPage(page, options.threshold, Date.now() - began));
      }
    }
    return { threshold: options.threshold, pages, passed: pages.every((page) => CATEGORIES.every((category) => page.scores[category] >= options.threshold)) };
  } finally {
    await chrome?.kill();
    await new Promise<void>((done) => server.close(() => done()));
  }
}

function formatPage(page: PageScore, threshold: number, elapsedMs: number): string {
  const path = new URL(page.url).pathname;
  const scores = CATEGORIES.map((category) => `${category} ${page.scores[category]}${page.scores[category] < threshold ? ' (below ' + threshold + ')' : ''}`).join(', ');
  const lines = [`${path} [${page.preset}] ${scores}  (${(elapsedMs / 1000).toFixed(1)} s)`];
  for (const category of CATEGORIES) {
    for (const audit of page.lost[category] ?? []) {
      const score = audit.score === null ? 'n/a' : audit.score.toFixed(2);
      const savings = Object.entries(audit.metricSavings ?? {})
        .filter(([, ms]) => ms > 0)
        .map(([metric, ms]) => `${metric} -${ms} ms`)
        .join(' ');
      const kind = audit.weight > 0 ? `weight ${audit.weight}` : 'opportunity';
      lines.push(`    ${category}: ${audit.id} score ${score}, ${kind}${audit.displayValue ? `, ${audit.displayValue}` : ''}${savings ? ` (est. ${savings})` : ''}: ${audit.title}`);
    }
  }
  for (const warning of page.runWarnings) lines.push(`    lighthouse warning: ${warning}`);
  return lines.join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      slug: { type: 'string', default: 'basic-vhost' },
      min: { type: 'string', default: '95' },
      json: { type: 'boolean', default: false },
      dist: { type: 'string' },
    },
  });
  const threshold = Number(values.min);
  if (!Number.isFinite(threshold)) throw new Error(`--min must be a number, not ${values.min}`);
  const distDir = values.dist ? resolve(values.dist) : DEFAULT_DIST_DIR;
  const report = await runLighthouse({ slug: values.slug ?? 'basic-vhost', threshold, distDir, log: (line) => console.log(line) });
  console.log(report.passed ? `all scores >= ${threshold}` : `some scores are below ${threshold}`);
  if (values.json) console.log(JSON.stringify(report));
  return report.passed ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(2);
    },
  );
}
