/**
 * ap_expr_parse_cmd(..., AP_EXPR_FLAG_STRING_RESULT) for directive handlers: the check httpd makes
 * on a string expression (Header's "expr=" values, ErrorDocument, AuthName, Require user lines...)
 * with each directive's own wording around the parser's message.
 */
import { checkStringExprSyntax, ExprScannerJammed } from '../../routing/ap-expr-syntax.ts';
import type { HandlerError } from '../process-phase.ts';

/**
 * The handler error for a string expression httpd refuses, or null. `wrap` puts the parser's
 * message in the directive's sentence. Where httpd's flex scanner jams (a quote inside
 * `%{func:...}`, a trailing backslash) httpd prints only "flex scanner jammed" and exits with 2.
 */
export function stringExprError(text: string, wrap: (error: string) => string): HandlerError | null {
  try {
    const error = checkStringExprSyntax(text);
    return error === null ? null : { message: wrap(error) };
  } catch (thrown) {
    if (thrown instanceof ExprScannerJammed) return { message: thrown.message, exitCode: 2 };
    throw thrown;
  }
}
