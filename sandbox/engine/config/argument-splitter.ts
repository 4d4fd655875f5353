/**
 * Argument splitting and arity checks as config.c invoke_cmd does them for each args_how, with
 * httpd's exact messages ("X takes one argument, <help>", "X must be On or Off", ...).
 */
import type { DirectiveSpec } from './directive-lookup.ts';
import { readWord, skipSpaces, type Word } from './lexer.ts';

/** Arguments ready for a handler. Word offsets are relative to `raw`. */
export interface SplitArguments {
  /** The argument text as httpd hands it to RAW_ARGS handlers. */
  raw: string;
  /**
   * The words the handler receives: all of them for RAW_ARGS and TAKE_ARGV, the present ones
   * for TAKEn (an omitted optional word is absent), the ones up to the first empty word for
   * ITERATE (httpd stops there), all for ITERATE2 (first word is the fixed one).
   */
  words: Word[];
  /** For FLAG directives: On (true) or Off (false). */
  flag: boolean | null;
}

/** An arity or format error; `at` is the word to underline when there is one. */
export interface ArgumentError {
  error: string;
  at: Word | null;
}

/** httpd's AP_MAX_ARGC: TAKE_ARGV handlers see at most this many words. */
const MAX_ARGC = 64;

/** Split and check a directive's arguments the way its args_how says. */
export function splitArguments(spec: DirectiveSpec, raw: string): SplitArguments | ArgumentError {
  const words: Word[] = [];
  let position = 0;
  const next = (): Word => {
    const word = readWord(raw, position);
    if (!word) {
      position = raw.length;
      return { value: '', start: raw.length, end: raw.length };
    }
    position = skipSpaces(raw, word.end);
    return word;
  };
  const rest = () => position < raw.length;
  const takes = (what: string, at: Word | null = null): ArgumentError => ({
    error: `${spec.name} ${what}${spec.help !== null ? `, ${spec.help}` : ''}`,
    at,
  });
  const ok = (list: Word[], flag: boolean | null = null): SplitArguments => ({ raw, words: list, flag });
  const extra = (): Word | null => readWord(raw, position);

  switch (spec.argsHow) {
    case 'RAW_ARGS': {
      let cursor = 0;
      for (let word = readWord(raw, cursor); word; word = readWord(raw, cursor)) {
        words.push(word);
        cursor = word.end;
      }
      return ok(words);
    }
    case 'TAKE_ARGV': {
      do {
        const word = next();
        if (word.value === '' && !rest()) break;
        words.push(word);
      } while (words.length < MAX_ARGC && rest());
      return ok(words);
    }
    case 'NO_ARGS':
      // http_config.h declares AP_INIT_NO_ARGS with args_how RAW_ARGS (designated-initializer
      // builds, Debian's included), so invoke_cmd's "takes no arguments" check never runs and
      // whatever follows the directive is ignored.
      return ok([]);
    case 'TAKE1': {
      const first = next();
      if (first.value === '' || rest()) return takes('takes one argument', rest() ? extra() : null);
      return ok([first]);
    }
    case 'TAKE2': {
      const first = next();
      const second = next();
      if (first.value === '' || second.value === '' || rest()) return takes('takes two arguments', rest() ? extra() : null);
      return ok([first, second]);
    }
    case 'TAKE12': {
      const first = next();
      const second = next();
      if (first.value === '' || rest()) return takes('takes 1-2 arguments', rest() ? extra() : null);
      return ok(second.value !== '' ? [first, second] : [first]);
    }
    case 'TAKE3': {
      const [first, second, third] = [next(), next(), next()];
      if (first.value === '' || second.value === '' || third.value === '' || rest()) {
        return takes('takes three arguments', rest() ? extra() : null);
      }
      return ok([first, second, third]);
    }
    case 'TAKE23': {
      const first = next();
      const second = next();
      const third = rest() ? next() : null;
      if (first.value === '' || second.value === '' || rest()) return takes('takes two or three arguments', rest() ? extra() : null);
      return ok(third ? [first, second, third] : [first, second]);
    }
    case 'TAKE123': {
      const first = next();
      const second = rest() ? next() : null;
      const third = rest() ? next() : null;
      if (first.value === '' || rest()) return takes('takes one, two or three arguments', rest() ? extra() : null);
      return ok([first, second, third].filter((word): word is Word => word !== null));
    }
    case 'TAKE13': {
      const first = next();
      const second = rest() ? next() : null;
      const third = rest() ? next() : null;
      if (first.value === '' || (second && second.value !== '' && !third) || rest()) {
        return takes('takes one or three arguments', rest() ? extra() : null);
      }
      return ok([first, second, third].filter((word): word is Word => word !== null));
    }
    case 'ITERATE': {
      let word = next();
      if (word.value === '') return takes('requires at least one argument');
      while (word.value !== '') {
        words.push(word);
        word = next();
      }
      return ok(words);
    }
    case 'ITERATE2': {
      const first = next();
      if (first.value === '' || !rest()) return takes('requires at least two arguments');
      words.push(first);
      for (let word = next(); word.value !== ''; word = next()) words.push(word);
      return ok(words);
    }
    case 'FLAG': {
      const word = next();
      const lower = word.value.toLowerCase();
      if (lower !== 'on' && lower !== 'off') {
        return { error: `${spec.name} must be On or Off`, at: word.value === '' ? null : word };
      }
      return ok([word], lower === 'on');
    }
  }
}

/** Type guard for the error branch of splitArguments. */
export function isArgumentError(result: SplitArguments | ArgumentError): result is ArgumentError {
  return 'error' in result;
}
