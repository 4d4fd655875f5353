import { configtest } from '../engine/config/configtest.ts';
import { nodeFileSystem, processEnvironment, readConfigFile } from './config-file.ts';
import { parseCommandArgs, UsageError } from './main.ts';

/** `wslab configtest FILE`: print what `apache2 -t -f FILE` prints, exit as it exits. */
export async function runConfigtestCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { define: { type: 'string', short: 'D', multiple: true } });
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'missing FILE' : `unexpected argument '${positionals[1]}'`);
  const file = readConfigFile(positionals[0]);
  if (!file.ok) {
    console.error(file.message);
    return 1;
  }
  const result = configtest(file.text, {
    file: file.path,
    env: processEnvironment(),
    defines: values.define ?? [],
    fileSystem: nodeFileSystem,
    // This command stands in for Debian's apache2, which can only load its own module files.
    modulePaths: 'debian',
    pid: process.pid,
  });
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  return result.exitCode;
}
