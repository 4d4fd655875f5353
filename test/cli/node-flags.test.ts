import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WSLAB_NODE_FLAGS } from '../../sandbox/cli/node-flags.ts';
import { BIN, RunningCli, SYSTEM_NODES } from './cli-process.ts';

/** The command line of a running process, as the kernel has it. */
function commandLine(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((part) => part !== '');
}

function childPids(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text === '' ? [] : text.split(/\s+/).map(Number);
}

describe('the node flags of wslab processes', () => {
  let running: RunningCli | undefined;
  // SIGTERM, which bin.mjs passes on to a Node 22 it handed over to (SIGKILL would orphan that).
  afterEach(async () => {
    await running?.stop('SIGTERM');
    running = undefined;
  });

  /** Run bin.mjs as `npx wslab echo` does (as an executable, by its first line) with `pathFirst` first in PATH. */
  async function runAsExecutable(pathFirst: string): Promise<number> {
    running = new RunningCli(['echo', '--port', '0'], { executableWithPathFirst: pathFirst });
    await running.waitForOutput(/listening on/);
    return running.child.pid as number;
  }

  it('are what bin.mjs passes to node on its first line', () => {
    const firstLine = readFileSync(BIN, 'utf8').split('\n')[0];
    expect(firstLine).toBe(`#!/usr/bin/env -S node ${WSLAB_NODE_FLAGS.join(' ')}`);
  });

  it('reach the process when bin.mjs runs as an executable under Node 22', async () => {
    const pid = await runAsExecutable(dirname(process.execPath));
    const line = commandLine(pid);
    expect(line.slice(1, 1 + WSLAB_NODE_FLAGS.length)).toEqual(WSLAB_NODE_FLAGS);
    expect(line.slice(-3)).toEqual(['echo', '--port', '0']);
  });

  const systemNode = SYSTEM_NODES[0];
  it.skipIf(systemNode === undefined)('are handed on to the bundled Node 22 when an older node runs bin.mjs', async () => {
    if (systemNode === undefined) throw new Error('no system node at /usr/bin/node or /usr/local/bin/node');
    const pid = await runAsExecutable(dirname(systemNode.path));
    const children = childPids(pid);
    if (systemNode.major >= 22) {
      // A new enough system node runs the CLI itself.
      expect(children).toEqual([]);
      expect(commandLine(pid).slice(1, 1 + WSLAB_NODE_FLAGS.length)).toEqual(WSLAB_NODE_FLAGS);
      return;
    }
    expect(children).toHaveLength(1);
    const handedTo = commandLine(children[0]);
    expect(handedTo[0]).toMatch(/node_modules\/node\/bin\/node$/);
    expect(handedTo.slice(1, 1 + WSLAB_NODE_FLAGS.length)).toEqual(WSLAB_NODE_FLAGS);
  });
});
