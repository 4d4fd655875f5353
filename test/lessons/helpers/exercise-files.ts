/**
 * The lesson exercises as the tests see them: lessons/NN-slug/exercise/{exercise.json,
 * start.conf, solution.conf}. Only the checks are read from exercise.json (titles and hints are
 * the site's business); loading fails loudly on a folder that lacks a file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Check } from '../../../sandbox/engine/probe.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const LESSONS_DIR = join(REPO_ROOT, 'lessons');

/** Which of the two configs an exercise ships. */
export type ExerciseConfigName = 'start' | 'solution';
export const EXERCISE_CONFIG_NAMES: readonly ExerciseConfigName[] = ['start', 'solution'];

export interface Exercise {
  /** Lesson folder, e.g. "04-basic-vhost". */
  lesson: string;
  dir: string;
  checks: Check[];
  configs: Record<ExerciseConfigName, { path: string; text: string }>;
}

/** Every lesson that has an exercise folder, in lesson order. */
export function loadExercises(lessonsDir = LESSONS_DIR): Exercise[] {
  return readdirSync(lessonsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(lessonsDir, entry.name, 'exercise')))
    .map((entry) => entry.name)
    .sort()
    .map((lesson) => loadExercise(join(lessonsDir, lesson, 'exercise'), lesson));
}

function loadExercise(dir: string, lesson: string): Exercise {
  const json = JSON.parse(readFileSync(join(dir, 'exercise.json'), 'utf8')) as { checks?: unknown };
  if (!Array.isArray(json.checks) || json.checks.length === 0) throw new Error(`${lesson}/exercise/exercise.json has no checks`);
  const checks = json.checks.map((raw, index) => {
    const check = raw as Partial<Check>;
    if (typeof check.id !== 'string' || typeof check.probe !== 'object' || typeof check.expect !== 'object') {
      throw new Error(`${lesson}/exercise/exercise.json: check ${index} needs id, probe and expect`);
    }
    return { id: check.id, setup: check.setup, probe: check.probe, expect: check.expect } as Check;
  });
  const read = (name: ExerciseConfigName) => {
    const path = join(dir, `${name}.conf`);
    return { path, text: readFileSync(path, 'utf8') };
  };
  return { lesson, dir, checks, configs: { start: read('start'), solution: read('solution') } };
}

/** Ports of the config's Listen lines (the article's 80 and 443): the server is up once each answers. */
export function listenPorts(configText: string): number[] {
  const ports = [...configText.matchAll(/^\s*Listen\s+(\S+)/gim)].map((match) => {
    const address = match[1];
    return Number(address.slice(address.lastIndexOf(':') + 1));
  });
  return [...new Set(ports.filter((port) => Number.isInteger(port) && port > 0))];
}
