/**
 * `wslab` subcommands. Each one is a thin shell over the engine and the Node server: argument
 * parsing, reading files, and turning results into httpd-style output and exit codes.
 */
import { parseArgs } from 'node:util';
import { runConfigtestCommand } from './configtest-command.ts';
import { runProxyCommand } from './proxy-command.ts';
import { runBackendCommand } from './backend-command.ts';
import { runServeCommand } from './serve-command.ts';
import { runDirectivesCommand } from './directives-command.ts';

export interface Subcommand {
  summary: string;
  usage: string;
  /** Run with the arguments after the subcommand name; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  configtest: {
    summary: 'check a config file like `apache2 -t -f FILE`',
    usage: `Usage: wslab configtest [-D NAME]... FILE

Checks FILE as \`apache2 -t -f FILE\` does and prints the same output:
"Syntax OK", or "AH00526: Syntax error on line N of FILE:" and httpd's message.
Exit status 0 when the syntax is OK, 1 otherwise.

Options:
  -D NAME    define NAME for <IfDefine NAME>, as httpd's -D does
  -h, --help show this help`,
    run: runConfigtestCommand,
  },
  proxy: {
    summary: 'run the httpd emulator on a config, like `apache2 -f FILE -DFOREGROUND`',
    usage: `Usage: wslab proxy [-D NAME]... [--tap] FILE

Runs the Apache httpd 2.4 proxy emulator in the foreground. It listens on the Listen addresses
in FILE and connects to the backends its ProxyPass, RewriteRule [P] and BalancerMember lines name.
Logs go where ErrorLog and CustomLog say (relative paths are under ServerRoot).
A config error prints the configtest message and exits 1. SIGTERM or SIGINT stops it cleanly.

Options:
  -D NAME    define NAME for <IfDefine NAME>
  --tap      print every traffic event (request heads, routing decisions, frames) as JSON lines
  -h, --help show this help`,
    run: runProxyCommand,
  },
  echo: {
    summary: "run the article's ws echo backend (default port 8080)",
    usage: `Usage: wslab echo [--port 8080] [--host 127.0.0.1]

Runs the source article's WebSocket echo server: each text message comes back as
"Echo: <message>", binary messages come back unchanged. Plain HTTP requests get a JSON
description of what the server received. Stops on SIGTERM or SIGINT.`,
    run: (args) => runBackendCommand('echo', args),
  },
  app: {
    summary: "run the article's HTTP app backend (default port 3000)",
    usage: `Usage: wslab app [--port 3000] [--host 127.0.0.1]

Runs the plain HTTP application backend from the source article: "/" serves a small page,
"/redirect" answers 302, any other path gets a JSON description of the request.`,
    run: (args) => runBackendCommand('app', args),
  },
  directives: {
    summary: 'list the directives the emulator simulates (or --all it validates)',
    usage: `Usage: wslab directives [--all] [--lang en|ja] [--markdown]

Lists the directives the emulator acts on, with their module and a one-line description.
--all adds the directives it only validates (checked like httpd, then reported as not simulated).
--markdown prints the README's table.`,
    run: runDirectivesCommand,
  },
  serve: {
    summary: 'serve the built site and the local sandbox runtime (default 127.0.0.1:4321)',
    usage: `Usage: wslab serve [--host 127.0.0.1] [--port 4321] [--max-sessions 4] [--root DIR]

Serves the built tutorial (dist/, made by \`npm run build\`, or --root DIR) with the
cross-origin isolation headers the in-browser sandbox needs, and runs the local sandbox
runtime: one sandbox process per browser session, at most --max-sessions at once.
A non-loopback --host exposes the site and the sandboxes to the network; wslab says so.`,
    run: runServeCommand,
  },
};

function topLevelHelp(): string {
  const width = Math.max(...Object.keys(SUBCOMMANDS).map((name) => name.length));
  const lines = Object.entries(SUBCOMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
  return `Usage: wslab <command> [options]

Apache WebSocket Lab: an emulator of Apache httpd 2.4's WebSocket proxying, with the
source article's backends.

Commands:
${lines.join('\n')}

Run \`wslab <command> --help\` for a command's options.`;
}

/** Entry point: dispatch argv (without node and script) to a subcommand; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    console.log(topLevelHelp());
    return name === undefined ? 1 : 0;
  }
  const command = SUBCOMMANDS[name];
  if (!command) {
    console.error(`wslab: unknown command '${name}'\n\n${topLevelHelp()}`);
    return 1;
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`wslab ${name}: ${error.message}\n\n${command.usage}`);
      return 1;
    }
    throw error;
  }
}

/** A mistake in the command line; printed with the command's usage. */
export class UsageError extends Error {}

/** parseArgs with wslab's conventions: unknown options and missing values become UsageErrors. */
export function parseCommandArgs<T extends NonNullable<Parameters<typeof parseArgs>[0]>['options']>(
  args: string[],
  options: T,
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Parse a --port value: an integer from 0 to 65535. */
export function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new UsageError(`invalid port '${value}': use a number from 0 to 65535`);
  return port;
}
