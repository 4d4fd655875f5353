/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and says where the time went: self time by function
 * and by file, and inclusive time of the project's own functions (a function's callees included),
 * as shares of the busy samples (idle excluded). Usable alone:
 *   node sandbox/bench/cpu-profile-summary.ts FILE.cpuprofile [--top N] [--from S] [--to S]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT, table } from './bench-support.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  busySamples: number;
  idleShare: number;
  durationSeconds: number;
  bySelfFunction: Array<{ name: string; share: number }>;
  bySelfFile: Array<{ name: string; share: number }>;
  byInclusiveProjectFunction: Array<{ name: string; share: number }>;
  /** Native/builtin leaf time (writeBuffer, TextDecoder...) charged to the nearest caller written in JS. */
  byNativeCaller: Array<{ name: string; share: number }>;
}

function shortUrl(url: string): string {
  if (url === '') return '';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith(`${REPO_ROOT}/`) ? path.slice(REPO_ROOT.length + 1) : path;
}

function functionKey(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = shortUrl(url);
  const name = functionName === '' ? '(anonymous)' : functionName;
  return file === '' ? name : `${name}  ${file}:${lineNumber + 1}`;
}

function fileKey(node: ProfileNode): string {
  const file = shortUrl(node.callFrame.url);
  if (file !== '') return file;
  const name = node.callFrame.functionName;
  return name.startsWith('(') ? name : '(native / builtins)';
}

/** Summarise a profile file; `from`/`to` (seconds since the profile began) keep a window of it. */
export function summarizeProfile(path: string, top = 20, from = 0, to = Infinity): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) byId.set(node.id, node);
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map<string, number>();
  const files = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const nativeCallers = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  let elapsedMicros = 0;
  let first = Infinity;
  let last = 0;
  for (let index = 0; index < profile.samples.length; index++) {
    elapsedMicros += profile.timeDeltas[index] ?? 0;
    if (elapsedMicros < from * 1e6 || elapsedMicros > to * 1e6) continue;
    first = Math.min(first, elapsedMicros);
    last = Math.max(last, elapsedMicros);
    const id = profile.samples[index];
    const node = byId.get(id);
    if (!node) continue;
    if (node.callFrame.functionName === '(idle)') {
      idle += 1;
      continue;
    }
    busy += 1;
    const key = functionKey(node);
    self.set(key, (self.get(key) ?? 0) + 1);
    const file = fileKey(node);
    files.set(file, (files.get(file) ?? 0) + 1);
    if (node.callFrame.url === '' && !node.callFrame.functionName.startsWith('(')) {
      let caller = parent.get(id);
      while (caller !== undefined && byId.get(caller)?.callFrame.url === '') caller = parent.get(caller);
      const callerNode = caller === undefined ? undefined : byId.get(caller);
      const chain = `${node.callFrame.functionName || '(anonymous)'} <- ${callerNode ? functionKey(callerNode) : '(root)'}`;
      nativeCallers.set(chain, (nativeCallers.get(chain) ?? 0) + 1);
    }
    const seen = new Set<string>();
    for (let cursor: number | undefined = id; cursor !== undefined; cursor = parent.get(cursor)) {
      const frame = byId.get(cursor);
      if (!frame || !frame.callFrame.url.includes('/sandbox/')) continue;
      const frameKey = functionKey(frame);
      if (seen.has(frameKey)) continue;
      seen.add(frameKey);
      inclusive.set(frameKey, (inclusive.get(frameKey) ?? 0) + 1);
    }
  }
  const ranked = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, count]) => ({ name, share: busy === 0 ? 0 : count / busy }));
  return {
    busySamples: busy,
    idleShare: busy + idle === 0 ? 0 : idle / (busy + idle),
    durationSeconds: Number.isFinite(first) ? (last - first) / 1e6 : 0,
    bySelfFunction: ranked(self),
    bySelfFile: ranked(files),
    byInclusiveProjectFunction: ranked(inclusive),
    byNativeCaller: ranked(nativeCallers),
  };
}

/** The summary as text. */
export function formatProfileSummary(summary: ProfileSummary): string {
  const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
  const rows = (list: Array<{ name: string; share: number }>) => list.map(({ name, share }) => [name, percent(share)]);
  return [
    `${summary.busySamples} busy samples over ${summary.durationSeconds.toFixed(1)} s, idle ${percent(summary.idleShare)} of samples; shares below are of busy samples`,
    '',
    table(['self time by function', 'share'], rows(summary.bySelfFunction)),
    '',
    table(['self time by file', 'share'], rows(summary.bySelfFile)),
    '',
    table(['inclusive time, project functions (callees included)', 'share'], rows(summary.byInclusiveProjectFunction)),
    '',
    table(['native self time <- nearest JS caller', 'share'], rows(summary.byNativeCaller)),
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, ...rest] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node sandbox/bench/cpu-profile-summary.ts FILE.cpuprofile [--top N] [--from S] [--to S]');
    process.exit(64);
  }
  const flag = (name: string, fallback: number) => (rest.includes(name) ? Number(rest[rest.indexOf(name) + 1]) : fallback);
  console.log(formatProfileSummary(summarizeProfile(file, flag('--top', 25), flag('--from', 0), flag('--to', Infinity))));
}
