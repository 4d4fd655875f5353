import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's httpd binary; tests that need it are skipped where it is not installed. */
export const APACHE_BINARY = '/usr/sbin/apache2';
export const APACHE_MODULES = '/usr/lib/apache2/modules';
export const hasRealApache = existsSync(APACHE_BINARY);

export interface ThrowawayHttpd {
  port: number;
  dir: string;
  /** The error log so far. */
  errorLog(): Promise<string>;
  stop(): Promise<void>;
}

/** A free loopback port, found by binding port 0 and letting it go. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Start a real httpd on a loopback port with a minimal config plus `extraConfig`, and wait until it
 * accepts connections. `modules` are module names without the mod_ prefix (mpm_event and
 * authz_core are always loaded).
 */
export async function startThrowawayHttpd(options: { modules?: string[]; extraConfig?: string; logLevel?: string } = {}): Promise<ThrowawayHttpd> {
  const dir = await mkdtemp(join(tmpdir(), 'wslab-httpd-'));
  // httpd drops to www-data after start; it must be able to traverse the DocumentRoot.
  await chmod(dir, 0o755);
  const port = await freePort();
  const modules = ['mpm_event', 'authz_core', ...(options.modules ?? [])];
  const config = [
    `ServerRoot ${dir}`,
    ...modules.map((name) => `LoadModule ${name}_module ${APACHE_MODULES}/mod_${name}.so`),
    `Listen 127.0.0.1:${port}`,
    'ServerName localhost',
    `PidFile ${dir}/httpd.pid`,
    `ErrorLog ${dir}/error.log`,
    `LogLevel ${options.logLevel ?? 'debug'}`,
    `DocumentRoot ${dir}`,
    'User www-data',
    'Group www-data',
    'StartServers 1',
    'ServerLimit 1',
    'ThreadsPerChild 4',
    'MaxRequestWorkers 4',
    options.extraConfig ?? '',
  ].join('\n');
  const configFile = join(dir, 'httpd.conf');
  await writeFile(configFile, `${config}\n`);
  const child = spawn(APACHE_BINARY, ['-f', configFile, '-DFOREGROUND'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await waitUntilListening(port, child, () => stderr);
  return {
    port,
    dir,
    errorLog: () => readFile(join(dir, 'error.log'), 'utf8'),
    async stop() {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitUntilListening(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`httpd exited with ${child.exitCode}: ${stderr()}`);
    const connected = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (connected) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`httpd did not start listening: ${stderr()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Send raw bytes on a fresh connection and collect everything until httpd closes it. */
export function rawExchange(port: number, data: string | Uint8Array, timeoutMs = 5000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1', () => socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(Buffer.concat(chunks));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      if (chunks.length > 0) resolve(Buffer.concat(chunks));
      else reject(error);
    });
  });
}
