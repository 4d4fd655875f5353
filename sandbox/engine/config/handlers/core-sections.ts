/**
 * core.c's containers: <VirtualHost>, <Location>, <LocationMatch>, <Directory>,
 * <DirectoryMatch>, <Files>, <FilesMatch>, <If>/<ElseIf>/<Else>, <Limit>/<LimitExcept>.
 * Each checks where it may appear and its argument, then walks its children in a new context.
 */
import { parseAddressPort } from '../address.ts';
import type { SplitArguments } from '../argument-splitter.ts';
import { readWord, skipSpaces } from '../lexer.ts';
import { emptyDirectoryScope, emptyServerConfig } from '../model-factory.ts';
import type { Section, SectionKind, VirtualHostAddress, VirtualHostConfig } from '../model.ts';
import { sourceOf } from '../directive-node.ts';
import { canResolve, startupEvent } from '../parse-state.ts';
import {
  checkCommandContext,
  GLOBAL_ONLY,
  NOT_IN_DIR_CONTEXT,
  NOT_IN_LIMIT,
  NOT_IN_LOCATION,
  recordNotSimulated,
  SECTION_OVERRIDE,
  walkNodes,
  wordSpan,
  type CommandContext,
  type HandlerError,
  type HandlerTable,
} from '../process-phase.ts';
import { isValidHttpdRegex } from '../regex.ts';
import { isBuiltinMethod } from '../../http/http-methods.ts';
import { checkExprSyntax } from '../../routing/ap-expr-syntax.ts';

/** The text between a section's name and its last '>', or httpd's error when there is no '>'. */
export function sectionArgument(context: CommandContext, raw: string): string | HandlerError {
  const end = raw.lastIndexOf('>');
  if (end === -1) return { message: `${context.spec.name}> directive missing closing '>'` };
  return raw.slice(0, end);
}

/** httpd's message for an empty section argument. */
export function missingContainerArgument(context: CommandContext): string {
  return `${context.spec.name}> directive requires additional arguments`;
}

/** Add a section to the current server (or to the enclosing <Directory> for nested <Files>). */
export function addSection(context: CommandContext, section: Section): void {
  if (context.section && (section.kind === 'Files' || section.kind === 'FilesMatch')) context.section.nested.push(section);
  else context.server.sections.push(section);
}

/** Walk a section's children with the section as the per-directory target. */
export function walkSection(context: CommandContext, section: Section, path: string, override: number, limited = context.limited): void {
  walkNodes(context.node.children, {
    state: context.state,
    server: context.server,
    virtualHost: context.virtualHost,
    path,
    override,
    limited,
    scope: section.settings,
    section,
  });
}

function newSection(context: CommandContext, kind: SectionKind, match: string, regex: boolean): Section {
  return { kind, match, regex, settings: emptyDirectoryScope(), nested: [], source: sourceOf(context.node) };
}

function virtualHost(context: CommandContext, args: SplitArguments): HandlerError | string | null {
  const contextError = checkCommandContext(context, GLOBAL_ONLY);
  if (contextError) return contextError;
  const inner = sectionArgument(context, args.raw);
  if (typeof inner !== 'string') return inner;
  if (inner === '') return missingContainerArgument(context);
  const addresses: VirtualHostAddress[] = [];
  // An address without a port takes the main server's port, which only its ServerName sets.
  const defaultPort = context.state.config.main.server.serverName?.value.port ?? null;
  for (let word = readWord(inner, 0); word; word = readWord(inner, word.end)) {
    if (word.value === '') continue;
    let text = word.value;
    let wildPort = false;
    if (text.endsWith('*')) {
      if (text.length < 2) wildPort = true;
      else if (text[text.length - 2] === ':') {
        text = text.slice(0, -2);
        wildPort = true;
      }
    }
    const parsed = parseAddressPort(text);
    if (!parsed) return 'The address or port is invalid';
    if (parsed.host === null) return 'Missing address for VirtualHost';
    const wildcard = parsed.host === '*' || parsed.host.toLowerCase() === '_default_';
    if (!wildcard && !canResolve(context.state, parsed.host)) {
      // httpd logs it and leaves the address out: the vhost then matches nothing there.
      const message = `(EAI 2)Name or service not known: AH00547: Could not resolve host name ${parsed.host} -- ignoring!`;
      context.state.diagnostics.push({ code: 'AH00547', severity: 'warning', message, ...wordSpan(context, word) });
      context.state.events.push(startupEvent('process', [message], { bare: false, level: 'error', module: 'core' }));
      continue;
    }
    addresses.push({ host: parsed.host, port: wildPort ? '*' : parsed.port === 0 ? defaultPort : parsed.port, raw: word.value });
  }
  const host: VirtualHostConfig = { ...emptyServerConfig(), addresses, source: sourceOf(context.node) };
  // ap_init_virtual_host: the new server_rec starts with the main server's request-head limits as they are now.
  const main = context.state.config.main.server;
  host.server.limitRequestLine = main.limitRequestLine ?? null;
  host.server.limitRequestFieldSize = main.limitRequestFieldSize ?? null;
  host.server.limitRequestFields = main.limitRequestFields ?? null;
  context.state.config.virtualHosts.push(host);
  walkNodes(context.node.children, {
    state: context.state,
    server: host,
    virtualHost: host,
    path: null,
    override: context.override,
    limited: context.limited,
    scope: host.directory,
    section: null,
  });
  return null;
}

/** <Location>, <LocationMatch>, <Directory>, <DirectoryMatch>, <Files>, <FilesMatch>. */
function pathSection(kind: SectionKind, matchForm: boolean) {
  return (context: CommandContext, args: SplitArguments): HandlerError | string | null => {
    const isFiles = kind === 'Files' || kind === 'FilesMatch';
    const contextError = checkCommandContext(context, isFiles ? NOT_IN_LOCATION | NOT_IN_LIMIT : NOT_IN_DIR_CONTEXT);
    if (contextError) return contextError;
    const inner = sectionArgument(context, args.raw);
    if (typeof inner !== 'string') return inner;
    if (inner === '') return missingContainerArgument(context);
    const first = readWord(inner, 0);
    let path = first?.value ?? '';
    let rest = first ? skipSpaces(inner, first.end) : inner.length;
    let regex = matchForm;
    if (!matchForm && path === '~') {
      const pattern = readWord(inner, rest);
      path = pattern?.value ?? '';
      rest = pattern ? skipSpaces(inner, pattern.end) : inner.length;
      regex = true;
    }
    // <Directory> and <Files> match case-sensitively on Unix; <Location> regexes too.
    if (regex && !isValidHttpdRegex(path)) return 'Regex could not be compiled';
    if (kind === 'Directory' && !regex && path !== '/' && !path.endsWith('/')) path += '/';
    const section = newSection(context, kind, path, regex);
    addSection(context, section);
    const override = isFiles && context.path !== null ? context.override : SECTION_OVERRIDE;
    walkSection(context, section, path, override);
    if (rest < inner.length) return `Multiple ${context.spec.name}> arguments not (yet) supported.`;
    return null;
  };
}

/** <If>, <ElseIf>, <Else>: walked for errors, kept out of the model (expressions are not simulated). */
function conditionSection(context: CommandContext, args: SplitArguments): HandlerError | string | null {
  const contextError = checkCommandContext(context, NOT_IN_LIMIT);
  if (contextError) return contextError;
  const inner = sectionArgument(context, args.raw);
  if (typeof inner !== 'string') return inner;
  const isElse = context.spec.name.toLowerCase() === '<else';
  if (isElse && inner !== '') return '<Else> does not take an argument';
  if (!isElse && inner === '') return missingContainerArgument(context);
  let rest = inner.length;
  if (!isElse) {
    // core.c reads the condition as one config word (quotes removed) and parses it at once, so a
    // bad expression fails `apache2 -t` even though the emulator does not evaluate <If>.
    const condition = readWord(inner, 0);
    const exprError = checkExprSyntax(condition?.value ?? '');
    if (exprError) return `Cannot parse condition clause: ${exprError}`;
    rest = condition ? skipSpaces(inner, condition.end) : inner.length;
  }
  recordNotSimulated(context, args.words.map((word) => word.value));
  const detached = newSection(context, 'Location', '*If', false);
  walkSection(context, detached, '*If', context.path === null ? SECTION_OVERRIDE : context.override);
  // Checked after the section's contents, as core.c's ifsection does.
  if (rest < inner.length) return `Multiple ${context.spec.name}> arguments not supported.`;
  return null;
}

/** <Limit>, <LimitExcept>: method-specific settings; walked for errors, not simulated. */
function limitSection(context: CommandContext, args: SplitArguments): HandlerError | string | null {
  const inner = sectionArgument(context, args.raw);
  if (typeof inner !== 'string') return inner;
  if (inner.trim() === '') return `${context.spec.name}> directive requires additional arguments`;
  recordNotSimulated(context, args.words.map((word) => word.value));
  // ap_limit_section registers a method it does not know, so RegisteredMethods then accepts it.
  const global = context.state.config.global;
  const unknown = inner.split(/[ \t]+/).filter((method) => method !== '' && !isBuiltinMethod(method));
  if (unknown.length > 0) global.registeredMethods = [...(global.registeredMethods ?? []), ...unknown];
  const detached = newSection(context, 'Location', context.path ?? '', false);
  walkSection(context, detached, context.path ?? '', context.override, true);
  return null;
}

/** Handlers for core's containers. */
export const coreSectionHandlers: HandlerTable = {
  '<virtualhost': virtualHost,
  '<location': pathSection('Location', false),
  '<locationmatch': pathSection('LocationMatch', true),
  '<directory': pathSection('Directory', false),
  '<directorymatch': pathSection('DirectoryMatch', true),
  '<files': pathSection('Files', false),
  '<filesmatch': pathSection('FilesMatch', true),
  '<if': conditionSection,
  '<elseif': conditionSection,
  '<else': conditionSection,
  '<limit': limitSection,
  '<limitexcept': limitSection,
};
