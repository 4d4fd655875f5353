/**
 * An OS error as httpd prints it before a message: "(2)No such file or directory". httpd shows the
 * errno and strerror(); Node carries the error's name ("ENOENT"), from which both are recovered.
 */
import { constants } from 'node:os';
import * as util from 'node:util';

/** "(errno)Message" for a failed system call, or "(CODE)" for an error Node has no errno for. */
export function httpdOsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const errno = code ? (constants.errno as Record<string, number>)[code] : undefined;
  if (errno === undefined) return `(${code ?? 'unknown'})`;
  // util.getSystemErrorMessage is Node 22.12+; WebContainer's older Node has only the name.
  const text = typeof util.getSystemErrorMessage === 'function' ? util.getSystemErrorMessage(-errno) : (code as string);
  // libuv's texts are strerror()'s with a lower-case first letter.
  return `(${errno})${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}
