/**
 * The argument checks a socache provider's create() makes when SSLSessionCache or
 * SSLStaplingCache names it ("shmcb:/path(size)"), as modules/cache/mod_socache_*.c do; httpd
 * prefixes the message with the directive's name.
 */
import { strtol } from './c-numbers.ts';

/** SHMCB_MAX_SIZE: UINT_MAX on a 64-bit build. */
const SHMCB_MAX_SIZE = 4294967295;
const SHMCB_MIN_SIZE = 8192;

/** The error `provider`'s create() returns for `arg` (what follows the colon, or null), or null. */
export function socacheCreateError(provider: string, arg: string | null): string | null {
  switch (provider) {
    case 'shmcb':
    case 'default':
      return shmcbCreateError(arg);
    case 'memcache':
    case 'redis':
      return arg ? null : `List of server names required to create ${provider} socache.`;
    default:
      // dbm takes any path, dc any target.
      return null;
  }
}

/** socache_shmcb_create: "PATH" or "PATH(SIZE)", SIZE in bytes, 8192 up to SHMCB_MAX_SIZE. */
function shmcbCreateError(arg: string | null): string | null {
  if (!arg) return null;
  const open = arg.lastIndexOf('(');
  const closed = arg.endsWith(')');
  if (open === -1) return closed ? 'Invalid argument: no opening parenthesis' : null;
  if (!closed || open === arg.length - 1) {
    return 'Invalid argument: no closing parenthesis or cache size missing after pathname with parenthesis';
  }
  const sizeText = arg.slice(open + 1, -1);
  const parsed = strtolWhole(sizeText);
  if (parsed === null) return 'Invalid argument: cache size not numerical';
  const size = asSizeT(parsed);
  if (size < SHMCB_MIN_SIZE) return `Invalid argument: size has to be >= ${SHMCB_MIN_SIZE} bytes`;
  if (size >= SHMCB_MAX_SIZE) return `Invalid argument: size has to be < ${SHMCB_MAX_SIZE} bytes on this platform`;
  return null;
}

/**
 * strtol(text, &end, 10) when it must consume all of `text`: null when it stops early. An empty
 * text is consumed whole as 0, as strtol leaves `end` at the start.
 */
function strtolWhole(text: string): number | null {
  const parsed = strtol(text);
  return parsed.consumed === text.length ? Number(parsed.value) : null;
}

/** The long strtol returned, stored in shmcb's apr_size_t: a negative size wraps to a huge one. */
function asSizeT(value: number): number {
  return value < 0 ? value + 2 ** 64 : value;
}
