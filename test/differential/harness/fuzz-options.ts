/**
 * Command-line options the fuzzers share: whole-number settings with defaults, `--only PREFIX`
 * (repeatable) and `--out DIR`. Parsed with node:util's parseArgs, which refuses unknown flags.
 */
import { parseArgs } from 'node:util';

export interface FuzzOptions<Name extends string> {
  numbers: Record<Name, number>;
  only: string[];
  out: string | undefined;
}

/** Parse `argv`; `defaults` names the whole-number options and their values when not given. */
export function parseFuzzOptions<Name extends string>(argv: string[], defaults: Record<Name, number>, usage: string): FuzzOptions<Name> {
  const numberFlags = Object.fromEntries(Object.keys(defaults).map((name) => [name, { type: 'string' as const }]));
  let values: Record<string, string | string[] | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: { ...numberFlags, only: { type: 'string', multiple: true }, out: { type: 'string' } }, strict: true }));
  } catch (error) {
    throw new Error(`${(error as Error).message} (usage: ${usage})`);
  }
  const numbers = { ...defaults };
  for (const name of Object.keys(defaults) as Name[]) {
    const given = values[name];
    if (given === undefined) continue;
    const value = Number(given);
    if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number`);
    numbers[name] = value;
  }
  return { numbers, only: (values.only as string[] | undefined) ?? [], out: values.out as string | undefined };
}

/** parseFuzzOptions for a command: a bad option is printed and the process exits 2. */
export function parseFuzzOptionsOrExit<Name extends string>(argv: string[], defaults: Record<Name, number>, usage: string): FuzzOptions<Name> {
  try {
    return parseFuzzOptions(argv, defaults, usage);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
}
