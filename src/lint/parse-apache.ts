/**
 * Apache httpd config → directive tree, read the way httpd reads it (server/config.c, util.c):
 *   - one directive per line; a `\` at the very end of a line continues it on the next;
 *   - a line whose first non-blank character is `#` is a comment (there are no trailing comments);
 *   - arguments are separated by blanks; `"…"` and `'…'` group words, `\"` inside them is a quote
 *     (ap_getword_conf);
 *   - `<Name args>` … `</Name>` is a section (VirtualHost, Location, IfModule, Directory, Proxy, …);
 *     sections must close in order, and every section opened must be closed;
 *   - `Include` and `IncludeOptional` are followed where they stand, with globs; relative paths are
 *     resolved against ServerRoot when the file sets one, else against the main file's directory.
 * Directive names are case-insensitive in httpd, so each directive also carries its lower-case `key`.
 * Pure: included files are read through the `IncludeResolver` the caller passes in.
 */

import { conditionalSections } from './apache-conditional.js';
import { checkApacheDirectives, ifModuleHolds } from './apache-directive-check.js';
import {
  type ApacheMacro,
  confWords,
  expandMacro,
  type LogicalLine,
  macroHeader,
  readMacroBody,
  resolveDefines,
} from './apache-macro.js';
import {
  type IncludeResolver,
  type Located,
  type ParseProblem,
  placeOf,
  type SourceFile,
  type Suppression,
} from './finding.js';
import { parseSuppression } from './suppression.js';

export interface ApacheDirective extends Located {
  /** As written: `ProxyPass`, or `VirtualHost` for a `<VirtualHost …>` section. */
  readonly name: string;
  /** The lower-case name, for lookups. */
  readonly key: string;
  readonly args: readonly string[];
  readonly argAt: readonly Located[];
  /** For a section, the directives between `<Name …>` and `</Name>`; undefined otherwise. */
  readonly section: readonly ApacheDirective[] | undefined;
}

export interface ParsedApache {
  readonly roots: readonly { readonly file: string; readonly directives: readonly ApacheDirective[] }[];
  readonly problems: readonly ParseProblem[];
  readonly suppressions: readonly Suppression[];
}

class ApacheSyntaxError extends Error {
  constructor(
    message: string,
    readonly at: Located,
  ) {
    super(message);
  }
}

function* logicalLines(text: string): Generator<LogicalLine> {
  const physical = text.split('\n');
  for (let index = 0; index < physical.length; index++) {
    let piece = (physical[index] as string).replace(/\r$/, '');
    const pieces: [number, number, number][] = [[0, index + 1, 1]];
    let joined = '';
    // httpd joins a line ending in a backslash with the next one (ap_cfg_getline).
    while (piece.endsWith('\\') && index + 1 < physical.length) {
      joined += piece.slice(0, -1);
      index++;
      piece = (physical[index] as string).replace(/\r$/, '');
      pieces.push([joined.length, index + 1, 1]);
    }
    yield { text: joined + piece, pieces };
  }
}

const locate = (file: string, line: LogicalLine, offset: number): Located => {
  // The last piece that starts at or before the offset, by halving: a line continued 40,000 times has
  // as many pieces, and each of its words is placed (the session 9 cold attack).
  const { pieces } = line;
  let low = 0;
  let high = pieces.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((pieces[middle] as readonly [number, number, number])[0] <= offset) low = middle;
    else high = middle - 1;
  }
  const chosen = pieces[low] as readonly [number, number, number];
  return { file: line.file ?? file, line: chosen[1], column: chosen[2] + offset - chosen[0] };
};

/** Splits arguments as ap_getword_conf does; returns each word and the offset where it starts. */
function words(text: string, from: number): { word: string; offset: number }[] {
  const found: { word: string; offset: number }[] = [];
  let i = from;
  while (i < text.length) {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
    if (i >= text.length) break;
    const start = i;
    const quote = text[i];
    if (quote === '"' || quote === "'") {
      let j = i + 1;
      let word = '';
      while (j < text.length && text[j] !== quote) {
        // `\"` is a quote inside quotes. (ap_getword_conf also reads `\\` as one backslash, but
        // mod_rewrite's own parser keeps both: `"^websocket\\?$"` matches on httpd 2.4.71. Only a Use's
        // values are read as ap_getword_conf reads them: confWords.)
        if (text[j] === '\\' && text[j + 1] === quote) j++;
        word += text[j];
        j++;
      }
      found.push({ word, offset: start });
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && text[j] !== ' ' && text[j] !== '\t') j++;
      found.push({ word: text.slice(i, j), offset: start });
      i = j;
    }
  }
  return found;
}

interface ParseHooks {
  readonly include: (directive: ApacheDirective) => readonly ApacheDirective[];
  readonly comment: (body: string, at: Located) => void;
  /** A problem where httpd stops, after which the file can still be read (a misplaced section), or
   *  with severity `info` one where httpd may not stop. */
  readonly problem: (message: string, at: Located, severity?: 'info') => void;
  /** The macros defined so far in this run, by lower-case name: a macro defined in one file is used
   *  in the files read after it (mod_macro keeps one table per configuration). */
  readonly macros: MacroTable;
  /** `Define name value` so far in this run, filled in where `${name}` is written (resolveDefines). */
  readonly defines: Map<string, string>;
}

/** Sections that only say whether their contents are read: httpd's context checks look through them
 *  (ap_check_cmd_context walks the parents by name). <Limit> and <LimitExcept> are passed over too. */
const transparentSections = new Set([...conditionalSections, 'limit', 'limitexcept']);
/** Per-directory sections: <Location>, <Directory>, <Proxy> and <VirtualHost> cannot stand in them. */
const directorySections = new Set([
  'directory',
  'directorymatch',
  'location',
  'locationmatch',
  'files',
  'filesmatch',
  'proxy',
  'proxymatch',
  'if',
  'elseif',
  'else',
]);
const pathSections = [
  'virtualhost',
  'location',
  'locationmatch',
  'directory',
  'directorymatch',
  'proxy',
  'proxymatch',
];

/**
 * What httpd 2.4 says when section `name` opens inside the sections in `open` where it may not, or
 * undefined. Proven with apache2 -t 2.4 (test/lint/agrees-with-servers.test.ts):
 *   - <VirtualHost> in <VirtualHost>: "<VirtualHost> cannot occur within <VirtualHost> section";
 *   - <VirtualHost>, <Location>, <Directory>, <Proxy> (and their …Match) in a per-directory section:
 *     "<Location not allowed in <Directory> context";
 *   - <Files> in <Location> or <Files>: "<Files> cannot occur within <Location> section".
 */
function misplacedSection(
  name: string,
  open: readonly { readonly opener: ApacheDirective }[],
): string | undefined {
  let around: ApacheDirective | undefined;
  for (let k = open.length - 1; k >= 0; k--) {
    const opener = (open[k] as { readonly opener: ApacheDirective }).opener;
    if (!transparentSections.has(opener.key)) {
      around = opener;
      break;
    }
  }
  if (!around) return undefined;
  const key = name.toLowerCase();
  const where = `(opened on line ${around.line})`;
  if (key === 'virtualhost' && around.key === 'virtualhost') {
    return `<${name}> cannot occur within <${around.name}> section ${where}`;
  }
  if (pathSections.includes(key) && directorySections.has(around.key)) {
    return `<${name} not allowed in <${around.name}> context ${where}`;
  }
  if (
    (key === 'files' || key === 'filesmatch') &&
    ['location', 'locationmatch', 'files', 'filesmatch'].includes(around.key)
  ) {
    return `<${name}> cannot occur within <${around.name}> section ${where}`;
  }
  return undefined;
}

function parseText(source: SourceFile, hooks: ParseHooks): ApacheDirective[] {
  const file = source.name;
  const root: ApacheDirective[] = [];
  const open: { readonly outer: ApacheDirective[]; readonly opener: ApacheDirective }[] = [];
  let list = root;
  let lastLine = 1;

  // A UTF-8 byte order mark (Windows Notepad saves one) makes httpd 2.4.71 stop at once with
  // `Invalid command '\xef\xbb\xbf#'` (ap_cfg_getline skips only ASCII blanks); JavaScript's \s and
  // trim() would skip it without a word, so it is looked for here.
  if (source.text.startsWith('\uFEFF')) {
    throw new ApacheSyntaxError(
      "the file starts with a UTF-8 byte order mark (BOM, U+FEFF, invisible in most editors), which httpd reads as part of the first directive and refuses (Invalid command '\\xef\\xbb\\xbf…'); save the file as UTF-8 without BOM",
      { file, line: 1, column: 1 },
    );
  }

  // The lines come from the file, and from each `Use`'s expansion of a macro, read where it stands
  // (mod_macro's make_array_config): the innermost expansion first. `using` names the macros being
  // expanded, for httpd's "recursive use of macro" refusal.
  const sources: Iterator<LogicalLine>[] = [logicalLines(source.text)];
  const using: string[] = [];
  const nextLine = (): LogicalLine | undefined => {
    for (let top = sources.at(-1); top; top = sources.at(-1)) {
      const read = top.next();
      if (!read.done) return read.value;
      sources.pop();
      using.pop();
    }
    return undefined;
  };

  for (let read = nextLine(); read !== undefined; read = nextLine()) {
    if (!read.file) lastLine = read.pieces.at(-1)?.[1] ?? lastLine;
    const start = read.text.search(/\S/);
    if (start < 0) continue;
    if (read.text[start] === '#') {
      hooks.comment(read.text.slice(start + 1), locate(file, read, start));
      continue;
    }
    const line = resolveDefines(read, hooks.defines);
    const text = line.text;
    // A line of only `${EMPTY}` is blank once filled in.
    const first = text.search(/\S/);
    if (first < 0) continue;
    const at = locate(file, line, first);
    const trimmed = text.trimEnd();

    if (text.startsWith('</', first)) {
      // httpd reads a closing tag as the line's first word and ignores the rest (ap_build_config_sub,
      // server/config.c): certbot's `</VirtualHost> </IfModule>` closes the VirtualHost only, and
      // `apache2 -t` passes. The word itself must end with ">" (`</VirtualHost >` is refused).
      const word = /^\S+/.exec(text.slice(first))?.[0] ?? '</';
      if (!word.endsWith('>')) {
        throw new ApacheSyntaxError(`${word}> directive missing closing '>'`, at);
      }
      const name = word.slice(2, -1);
      const closed = open.pop();
      if (!closed) throw new ApacheSyntaxError(`</${name}> without matching <${name}> section`, at);
      if (closed.opener.key !== name.toLowerCase()) {
        throw new ApacheSyntaxError(
          `expected </${closed.opener.name}> (opened on line ${closed.opener.line}) but saw </${name}>`,
          at,
        );
      }
      list = closed.outer;
      continue;
    }

    if (text[first] === '<') {
      // httpd's section handlers take the arguments up to the line's last ">" and ignore what follows
      // (ap_strrchr_c(arg, '>') in core.c's sections): `<VirtualHost *:80> # main site` passes.
      const closing = trimmed.lastIndexOf('>');
      if (closing < first) {
        const name = /^<(\S*)/.exec(text.slice(first))?.[1] ?? '';
        throw new ApacheSyntaxError(`<${name} directive missing closing '>'`, at);
      }
      const inner = trimmed.slice(0, closing);
      const nameMatch = /^<([^\s>]+)/.exec(inner.slice(first));
      if (!nameMatch) throw new ApacheSyntaxError('empty section name "<>"', at);
      const name = nameMatch[1] as string;
      if (name.toLowerCase() === 'macro') {
        // A definition, not a section: its body is kept as text until a `Use` (src/lint/apache-macro.ts).
        // Defined here whatever the conditions around it say; httpd skips one in a false <IfModule>.
        const where = `defined on line ${at.line} of "${at.file}"`;
        const header = macroHeader(inner.slice(first + 1 + name.length), where);
        if ('refused' in header) throw new ApacheSyntaxError(header.refused, at);
        // Each body line keeps the file it was written in, for findings in its expansions.
        const body = readMacroBody(nextLine)?.map((read) => (read.file ? read : { ...read, file }));
        if (!body) {
          throw new ApacheSyntaxError(
            `macro '${header.name}' (${where}): expected token not found: </Macro>`,
            at,
          );
        }
        hooks.macros.byName.set(header.name, { ...header, location: where, body });
        hooks.macros.made = true;
        continue;
      }
      const misplaced = misplacedSection(name, open);
      if (misplaced) hooks.problem(misplaced, at);
      const parsed = words(inner, first + 1 + name.length);
      const section: ApacheDirective[] = [];
      const opener: ApacheDirective = {
        name,
        key: name.toLowerCase(),
        args: parsed.map((w) => w.word),
        argAt: parsed.map((w) => locate(file, line, w.offset)),
        section,
        ...at,
      };
      list.push(opener);
      open.push({ outer: list, opener });
      list = section;
      continue;
    }

    const parsed = words(text, first);
    const [head, ...rest] = parsed;
    if (!head) continue;
    const directive: ApacheDirective = {
      name: head.word,
      key: head.word.toLowerCase(),
      args: rest.map((w) => w.word),
      argAt: rest.map((w) => locate(file, line, w.offset)),
      section: undefined,
      ...at,
    };
    if (directive.key === 'include' || directive.key === 'includeoptional') {
      for (const included of hooks.include(directive)) list.push(included);
    } else if (directive.key === 'define' || directive.key === 'undefine') {
      // Read where they stand (EXEC_ON_READ); kept in the tree. Inside a conditional section httpd may
      // skip them unread (<IfDefine NEVER_SET>): the value is then unknown, and stays as written.
      const [name = '', value] = directive.args;
      // An <IfModule> of a module httpd ships, not negated, is read as holding, as the directive check
      // reads it; any other condition leaves the value unknown.
      const conditional = open.some(
        (frame) =>
          conditionalSections.has(frame.opener.key) &&
          !(frame.opener.key === 'ifmodule' && ifModuleHolds(frame.opener.args)),
      );
      if (directive.key === 'undefine' || conditional) hooks.defines.delete(name);
      else if (name.includes(':')) hooks.problem("Variable name must not contain ':'", at);
      else if (value !== undefined) hooks.defines.set(name, value);
      list.push(directive);
    } else if (directive.key === 'use' || directive.key === 'undefmacro') {
      // Read where they stand, as mod_macro runs them (EXEC_ON_READ); neither stays in the tree.
      // Inside a conditional section httpd may skip them unread: a refusal there is not claimed, and
      // an UndefMacro there forgets nothing.
      const conditional = open.some((frame) => conditionalSections.has(frame.opener.key));
      const refused =
        directive.key === 'use'
          ? useMacro(
              directive,
              confWords(text.slice(first + head.word.length)),
              hooks.macros,
              using,
              (expansion, name) => {
                sources.push(expansion[Symbol.iterator]());
                using.push(name);
              },
            )
          : conditional
            ? undefined
            : undefineMacro(directive, hooks.macros);
      if (refused && !refused.quiet && !conditional && !(refused.unknown && hooks.macros.unreadInclude)) {
        hooks.problem(refused.message, at);
      }
    } else {
      list.push(directive);
    }
  }

  // httpd 2.4.71 takes a conditional section left open at the end of the file when its condition holds
  // (the rest of the file is read inside it, sections left open there too), and stops with "Expected
  // </IfModule> before end of configuration" when it does not; a section left open outside any such
  // one stops it ("<VirtualHost> was not closed."). Shown with apache2 -t in the session 7 sweep
  // (Reposilite's published config) and its cold attack (<IfModule> around an open <Location>).
  const outermost = open[0];
  const unclosed =
    outermost && !conditionalSections.has(outermost.opener.key)
      ? open.findLast((frame) => !conditionalSections.has(frame.opener.key))
      : undefined;
  if (unclosed) {
    throw new ApacheSyntaxError(
      `<${unclosed.opener.name}> (opened on line ${unclosed.opener.line}) was not closed`,
      { file, line: lastLine, column: 1 },
    );
  }
  const conditional = open[0];
  if (conditional) {
    const { name, line, args } = conditional.opener;
    hooks.problem(
      `<${[name, ...args].join(' ')}> (opened on line ${line}) is not closed: httpd reads the rest of the file inside it when its condition holds, and stops with "Expected </${name}> before end of configuration" when it does not`,
      { file, line: lastLine, column: 1 },
      'info',
    );
  }
  return root;
}

/** mod_macro's table; `made` once a first macro is defined (ap_macros is then no longer NULL);
 *  `unreadInclude` once an include lint could not read has gone by, which may have defined any. */
interface MacroTable {
  readonly byName: Map<string, ApacheMacro>;
  made: boolean;
  unreadInclude: boolean;
  /** Lines expanded so far in this run, against maxExpandedLines. */
  expanded: number;
}

/**
 * The most macro lines lint expands in one run. Macros that each Use the one below twice double at
 * every level: 19 levels took httpd 2.4.71 2.4 GB and lint 440 MB (the session 9 cold attack), and two
 * more would pass lint's 1 GB bound for hostile files. 500,000 lines is some 25,000 sites of 20 lines.
 */
const maxExpandedLines = 500_000;

/** httpd's refusal of a Use or UndefMacro; `unknown` when it is for a macro lint has not seen. */
interface MacroRefusal {
  readonly message: string;
  readonly unknown?: boolean;
  /** Already said once in this run. */
  readonly quiet?: boolean;
}

/** `Use name values…` (use_macro): httpd's refusal, or undefined once `expand` has the lines. */
function useMacro(
  directive: ApacheDirective,
  /** Its words after `Use`, as mod_macro's get_arguments reads them (ap_getword_conf). */
  words: readonly string[],
  table: MacroTable,
  using: readonly string[],
  expand: (lines: LogicalLine[], name: string) => void,
): MacroRefusal | undefined {
  const { byName: macros, made } = table;
  if (!made) return { message: 'no macro defined before Use', unknown: true };
  const [given, ...values] = words;
  if (!given) return { message: 'no macro name specified with Use' };
  const name = given.toLowerCase();
  const macro = macros.get(name);
  if (!macro) return { message: `macro '${name}' undefined`, unknown: true };
  if (using.includes(name)) return { message: `recursive use of macro '${name}' is invalid` };
  if (values.length !== macro.parameters.length) {
    return {
      message: `macro '${name}' (${macro.location}) used with ${values.length} arguments instead of ${macro.parameters.length}`,
      // An include lint could not read may have defined it again, with other parameters.
      unknown: true,
    };
  }
  if (table.expanded + macro.body.length > maxExpandedLines) {
    // Said once: every Use after it, at each level of the bomb, would say it again.
    if (table.expanded > maxExpandedLines) return { message: '', quiet: true };
    table.expanded = maxExpandedLines + 1;
    return {
      message: `macro '${name}' (${macro.location}) used on line ${directive.line} of "${directive.file}": the macros would expand to more than ${maxExpandedLines.toLocaleString('en-US')} lines (each Use of a macro that Uses others multiplies them); lint stops expanding here, and httpd would need gigabytes of memory`,
    };
  }
  table.expanded += macro.body.length;
  const expansion = expandMacro(macro, values);
  if ('refused' in expansion) {
    return {
      message: `macro '${name}' (${macro.location}) used on line ${directive.line} of "${directive.file}" error while substituting: ${expansion.refused}`,
    };
  }
  expand(expansion, name);
  return undefined;
}

/** `UndefMacro name` (undef_macro): httpd's refusal, or undefined once the macro is forgotten. */
function undefineMacro(
  directive: ApacheDirective,
  { byName: macros, made }: MacroTable,
): MacroRefusal | undefined {
  if (!made) return { message: 'no macro defined before UndefMacro', unknown: true };
  const name = (directive.args[0] ?? '').toLowerCase();
  if (!name) return { message: 'no macro name specified with UndefMacro' };
  if (!macros.delete(name)) return { message: `cannot remove undefined macro '${name}'`, unknown: true };
  return undefined;
}

const isAbsolute = (path: string): boolean => path.startsWith('/');

/** Parses the files given on the command line, following their includes. Never throws on bad input:
 *  a file httpd would reject becomes a `parse-error` problem and contributes no directives. */
export function parseApache(
  mains: readonly SourceFile[],
  resolveInclude: IncludeResolver,
  /** `--server-version`: unknown names are reported only as near-misses for a version newer than
   *  the directive table's. */
  serverVersion?: string,
): ParsedApache {
  const problems: ParseProblem[] = [];
  const suppressions: Suppression[] = [];
  const macros: MacroTable = { byName: new Map(), made: false, unreadInclude: false, expanded: 0 };
  const defines = new Map<string, string>();

  const parseFile = (
    source: SourceFile,
    chain: readonly string[],
    main: { readonly file: string; serverRoot: string | undefined },
  ): ApacheDirective[] => {
    const hooks: ParseHooks = {
      macros,
      defines,
      problem: (message, at, severity) =>
        problems.push(
          severity
            ? { kind: 'parse-error', severity, ...at, message }
            : { kind: 'parse-error', ...at, message },
        ),
      comment: (body, at) => {
        const suppression = parseSuppression(body, at);
        if (suppression) suppressions.push(suppression);
      },
      include: (directive) => {
        const at = placeOf(directive);
        const optional = directive.key === 'includeoptional';
        const pattern = directive.args[0];
        if (directive.args.length !== 1 || pattern === undefined) {
          problems.push({ kind: 'parse-error', ...at, message: `${directive.name} takes one argument` });
          return [];
        }
        const resolved =
          isAbsolute(pattern) || main.serverRoot === undefined
            ? pattern
            : `${main.serverRoot.replace(/\/+$/, '')}/${pattern}`;
        let result = resolveInclude(resolved, main.file);
        // httpd 2.4 refuses an Include whose wildcard matches nothing ("No matches for the wildcard
        // '*.conf' in '…', failing", 2.4.71; IncludeOptional exists to allow it). Away from the server
        // that means the files are there and lint has not read them: unread, as a missing file is
        // (OpenProject's vhost includes its TLS settings this way; the session 10 sweep).
        if (!optional && 'files' in result && result.files.length === 0 && /[*?[]/.test(pattern)) {
          result = {
            unreadable: `Include ${pattern}: the wildcard matches no file here, and httpd refuses an Include whose wildcard matches nothing (IncludeOptional allows it), so on the server it must match files lint has not read; not linted`,
          };
        }
        if ('unreadable' in result) {
          macros.unreadInclude = true;
          // IncludeOptional exists for exactly this: a missing file is not an error (httpd docs).
          if (result.refused) {
            problems.push({ kind: 'parse-error', ...at, message: result.unreadable });
            return [];
          }
          if (!optional) problems.push({ kind: 'include-unresolved', ...at, message: result.unreadable });
          // It stays in the tree where it stands: the site may get from it what the rules look for
          // (src/lint/rules/unread-include.ts).
          return [directive];
        }
        const spliced: ApacheDirective[] = [];
        for (const file of result.files) {
          if (chain.includes(file.name)) {
            problems.push({
              kind: 'parse-error',
              ...at,
              message: `include cycle: ${[...chain, file.name].join(' → ')}; httpd would stop with "Exceeded the maximum include directory nesting level"`,
            });
            continue;
          }
          for (const included of parseFile(file, [...chain, file.name], main)) spliced.push(included);
        }
        return spliced;
      },
    };
    try {
      return parseText(source, hooks);
    } catch (error) {
      if (!(error instanceof ApacheSyntaxError)) throw error;
      problems.push({ kind: 'parse-error', ...error.at, message: error.message });
      return [];
    }
  };

  const roots = mains.map((source) => {
    const main = { file: source.name, serverRoot: serverRootOf(source.text) };
    return { file: source.name, directives: parseFile(source, [source.name], main) };
  });
  for (const root of roots) {
    for (const problem of checkApacheDirectives(root.directives, serverVersion)) problems.push(problem);
  }
  return { roots, problems, suppressions };
}

/** The ServerRoot a main file sets, which httpd resolves relative Include paths against: with a
 *  `${NAME}` in it filled in from the file's own `Define NAME value` (Apache Lounge's Windows
 *  httpd.conf writes `Define SRVROOT "c:/Apache24"` and `ServerRoot "${SRVROOT}"`). */
function serverRootOf(text: string): string | undefined {
  const match = /^[ \t]*ServerRoot[ \t]+["']?([^"'\s]+)/im.exec(text);
  return match?.[1]?.replace(/\$\{([^}]*)\}/g, (written, name: string) => {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const defined = new RegExp(`^[ \\t]*Define[ \\t]+${escaped}[ \\t]+["']?([^"'\\s]+)`, 'im').exec(text);
    return defined?.[1] ?? written;
  });
}
