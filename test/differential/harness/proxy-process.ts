/**
 * Starting and stopping the proxy under test (real `apache2` or `wslab proxy`) as a child process.
 * Every process lives in its own process group so a kill reaches httpd's forked children too, and
 * every one is registered so nothing outlives the test run, whatever fails.
 */
import { allocateListenPort, portAnswers } from '../../../sandbox/server/loopback-ports.ts';
export { allocateListenPort };
import { killGroup, spawnInOwnGroup } from './process-groups.ts';
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';

export interface ProxyCommand {
  command: string;
  /** argv[0] as the program sees it: httpd names itself by it in messages ("apache2: Syntax error ..."). */
  argv0?: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  /**
   * Output the program prints once its own listeners are bound. Without it an answering port is
   * taken as the program's, which it is not when another process took the port first and the
   * program has not yet got as far as failing to bind it (a slow start on a busy machine).
   */
  readyOutput?: RegExp;
}

/** Result of a process that ran to completion. */
export interface FinishedProcess {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  timedOut: boolean;
}

/** Spawn a process and collect its combined output until it exits; killed after timeoutMs. */
export function runToCompletion(command: ProxyCommand, timeoutMs: number): Promise<FinishedProcess> {
  return new Promise((resolve) => {
    const child = spawnTracked(command);
    let output = '';
    let timedOut = false;
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child, 'SIGKILL');
    }, timeoutMs);
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, output, timedOut });
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ exitCode: null, signal: null, output: `${output}${String(error)}`, timedOut });
    });
  });
}

/** A proxy that is up and listening. */
export interface RunningProxy {
  /** Output so far (stdout and stderr interleaved). */
  output(): string;
  /** SIGTERM, wait for the exit, SIGKILL the whole group if it lingers. */
  stop(): Promise<void>;
}

export type ProxyStart = { started: true; proxy: RunningProxy } | { started: false; exit: FinishedProcess };

/** How long stop() waits after SIGTERM before it kills the process group. */
const STOP_GRACE_MS = 3_000;

/**
 * Spawn the proxy and wait until every one of `ports` accepts a connection and the process is
 * still alive settleMs later. If the process exits first (a config it refuses), the exit is the
 * result; if the ports never answer, it is killed. The one start-up loop of the differential
 * harness and the lesson-exercise runner (test/lessons/helpers/netns-runner.ts).
 */
export async function startProxy(command: ProxyCommand, ports: number[], readyTimeoutMs: number, settleMs = 200): Promise<ProxyStart> {
  const child = spawnTracked(command);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<FinishedProcess>((resolve) => {
    child.on('close', (exitCode, signal) => resolve({ exitCode, signal, output, timedOut: false }));
    child.on('error', (error) => resolve({ exitCode: null, signal: null, output: `${output}${String(error)}`, timedOut: false }));
  });
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (hasExited) return { started: false, exit: await exited };
    const saidReady = !command.readyOutput || command.readyOutput.test(output);
    if (saidReady && (await Promise.all(ports.map(portAnswers))).every(Boolean)) break;
    if (Date.now() > deadline) {
      killGroup(child, 'SIGKILL');
      const exit = await exited;
      return { started: false, exit: { ...exit, timedOut: true, output: `${exit.output}\n[harness] ports ${ports.join(', ')} never answered` } };
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  // httpd binds its listeners before the post-config checks that can still make it exit (a
  // balancer without an lbmethod module), so an answering port is not yet a running server.
  await Promise.race([exited, sleep(settleMs)]);
  if (hasExited) return { started: false, exit: await exited };

  return {
    started: true,
    proxy: {
      output: () => output,
      async stop() {
        if (!hasExited) {
          child.kill('SIGTERM');
          await Promise.race([exited, sleep(STOP_GRACE_MS)]);
        }
        // httpd's children normally leave with their parent; make sure of it, and of a parent
        // that outlived the grace period.
        killGroup(child, 'SIGKILL');
        await exited;
      },
    },
  };
}

function spawnTracked(command: ProxyCommand): ChildProcess {
  return spawnInOwnGroup(command.command, command.args, { argv0: command.argv0, env: command.env, cwd: command.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A port nobody listens on right now (the kernel hands out a fresh ephemeral one). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
