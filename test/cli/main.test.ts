import { describe, expect, it } from 'vitest';
import { parsePort, UsageError } from '../../sandbox/cli/main.ts';
import { runCli, runMain } from './cli-process.ts';

const SUBCOMMANDS = ['configtest', 'proxy', 'echo', 'app', 'serve'] as const;

describe('wslab main', () => {
  // These three run the real bin.mjs, so its exit code is what a shell sees; the per-command cases
  // below call main() in-process, which is the same code.
  it('prints the command list for --help and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('Usage: wslab <command> [options]');
    for (const name of SUBCOMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    expect(result.stderr).toBe('');
  });

  it('prints the command list and exits 1 when no command is given', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n')[0]).toBe('Usage: wslab <command> [options]');
  });

  it('names an unknown command, prints the command list and exits 1', async () => {
    const result = await runCli(['frobnicate']);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe("wslab: unknown command 'frobnicate'");
    expect(result.stderr).toContain('Usage: wslab <command> [options]');
    expect(result.stdout).toBe('');
  });

  it.each(SUBCOMMANDS)('%s --help prints the usage and exits 0', async (name) => {
    const result = await runMain([name, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toMatch(new RegExp(`^Usage: wslab ${name}( |$)`));
    expect(result.stderr).toBe('');
  });

  it.each(SUBCOMMANDS)('%s -h is the same as --help', async (name) => {
    const short = await runMain([name, '-h']);
    const long = await runMain([name, '--help']);
    expect(short).toEqual(long);
  });

  it.each(SUBCOMMANDS)('%s with an unknown option prints the error and the usage and exits 1', async (name) => {
    const result = await runMain([name, '--no-such-option']);
    expect(result.code).toBe(1);
    const [first, blank, usage] = result.stderr.split('\n');
    expect(first).toMatch(new RegExp(`^wslab ${name}: Unknown option '--no-such-option'`));
    expect(blank).toBe('');
    expect(usage).toMatch(new RegExp(`^Usage: wslab ${name}( |$)`));
    expect(result.stdout).toBe('');
  });
});

describe('parsePort', () => {
  it('takes the fallback when no --port is given', () => {
    expect(parsePort(undefined, 8080)).toBe(8080);
  });

  it('accepts 0 (a free port) through 65535', () => {
    expect([parsePort('0', 1), parsePort('65535', 1)]).toEqual([0, 65535]);
  });

  it.each(['-1', '65536', 'abc', '80.5', '', ' 80'])('refuses %j with a UsageError', (value) => {
    expect(() => parsePort(value, 1)).toThrow(UsageError);
    expect(() => parsePort(value, 1)).toThrow(`invalid port '${value}': use a number from 0 to 65535`);
  });
});
