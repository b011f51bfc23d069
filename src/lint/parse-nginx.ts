/**
 * nginx config → directive tree, following nginx's own tokenizer (ngx_conf_read_token in
 * src/core/ngx_conf_file.c) so that lint reads a file the way nginx does:
 *   - tokens are separated by spaces, tabs and newlines and end at `;` or `{`;
 *   - `"…"` and `'…'` are strings in which `\"`, `\'` and `\\` stand for the character and `\t`, `\r`,
 *     `\n` for control characters; right after the closing quote only a space, `;`, `{` or `)` may follow;
 *   - `#` starts a comment only where a token could start (`foo#bar` is one word);
 *   - `{` ends a word, except right after `$`, so `${var}` is one token; `}` inside a word is part of it;
 *   - `include` is followed where it stands, with globs, relative to the main file's directory (nginx's
 *     configuration prefix), and a file already being included is not entered again (a cycle).
 * Pure: included files are read through the `IncludeResolver` the caller passes in.
 */
import {
  type IncludeResolver,
  type Located,
  type ParseProblem,
  placeOf,
  type SourceFile,
  type Suppression,
} from './finding.js';
import { parseSuppression } from './suppression.js';

export interface NginxDirective extends Located {
  readonly name: string;
  /** Arguments with quotes removed and escapes applied, as nginx passes them to the directive. */
  readonly args: readonly string[];
  /** Where each argument starts. */
  readonly argAt: readonly Located[];
  /** The directives inside `{ … }`, or undefined for a simple directive. */
  readonly block: readonly NginxDirective[] | undefined;
}

export interface ParsedNginx {
  /** One entry per file given on the command line, with includes spliced in where they stand. */
  readonly roots: readonly { readonly file: string; readonly directives: readonly NginxDirective[] }[];
  readonly problems: readonly ParseProblem[];
  readonly suppressions: readonly Suppression[];
}

class NginxSyntaxError extends Error {
  constructor(
    message: string,
    readonly at: Located,
  ) {
    super(message);
  }
}

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const DOUBLE_QUOTE = 34;
const HASH = 35;
const DOLLAR = 36;
const SINGLE_QUOTE = 39;
const RIGHT_PAREN = 41;
const SEMICOLON = 59;
const BACKSLASH = 92;
const LEFT_BRACE = 123;
const RIGHT_BRACE = 125;
const BYTE_ORDER_MARK = 0xfeff;

const escapes: Readonly<Record<string, string>> = { t: '\t', r: '\r', n: '\n' };
/** nginx turns `\"`, `\'`, `\\` into the character and `\t`, `\r`, `\n` into control characters; any
 *  other backslash stays as written. */
const unescapeNginx = (raw: string): string =>
  raw.replace(/\\(["'\\trn])/g, (_, c: string) => escapes[c] ?? c);

interface TokenizerHooks {
  /** Called with each complete `include` directive; returns the directives to splice in its place. */
  readonly include: (directive: NginxDirective) => readonly NginxDirective[];
  readonly comment: (body: string, at: Located) => void;
}

/** Tokenizes and builds one file's tree; throws NginxSyntaxError where nginx would stop. */
function parseText(source: SourceFile, hooks: TokenizerHooks): NginxDirective[] {
  const { text, name: file } = source;
  const n = text.length;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const root: NginxDirective[] = [];
  const open: { readonly outer: NginxDirective[]; readonly opener: NginxDirective }[] = [];
  let list = root;
  let args: string[] = [];
  let argAt: Located[] = [];

  const here = (): Located => ({ file, line, column: i - lineStart + 1 });
  const fail = (message: string, at: Located = here()): never => {
    throw new NginxSyntaxError(message, at);
  };
  // A UTF-8 byte order mark (Windows Notepad saves one) is not whitespace to nginx: it becomes part of
  // the first word, so nginx 1.22.1 stops with `unknown directive "<BOM>#"` (ngx_conf_read_token has
  // no BOM handling), reported on the line where that misread directive ends. Lint stops too, at the
  // real cause, rather than reading on as if it were not there (or, worse, as nginx misreads it).
  if (text.charCodeAt(0) === BYTE_ORDER_MARK) {
    fail(
      'the file starts with a UTF-8 byte order mark (BOM, U+FEFF, invisible in most editors), which nginx reads as part of the first directive and refuses ("unknown directive"); save the file as UTF-8 without BOM',
    );
  }
  const finish = (block: NginxDirective[] | undefined): NginxDirective => {
    const at = argAt[0] as Located;
    const directive: NginxDirective = {
      name: args[0] as string,
      args: args.slice(1),
      argAt: argAt.slice(1),
      block,
      file,
      line: at.line,
      column: at.column,
    };
    args = [];
    argAt = [];
    return directive;
  };

  while (i < n) {
    const ch = text.charCodeAt(i);
    if (ch === LF) {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (ch === SPACE || ch === TAB || ch === CR) {
      i++;
      continue;
    }
    if (ch === HASH) {
      let end = text.indexOf('\n', i);
      if (end < 0) end = n;
      // Only comments that start like a suppression are looked at; most are not.
      let k = i + 1;
      while (text.charCodeAt(k) === SPACE || text.charCodeAt(k) === TAB) k++;
      if (text.startsWith('wss-conf-ignore', k)) hooks.comment(text.slice(i + 1, end), here());
      i = end;
      continue;
    }
    if (ch === SEMICOLON) {
      if (args.length === 0) fail('unexpected ";"');
      const directive = finish(undefined);
      if (directive.name === 'include') {
        for (const included of hooks.include(directive)) list.push(included);
      } else {
        list.push(directive);
      }
      i++;
      continue;
    }
    if (ch === LEFT_BRACE) {
      if (args.length === 0) fail('unexpected "{"');
      const block: NginxDirective[] = [];
      const opener = finish(block);
      list.push(opener);
      open.push({ outer: list, opener });
      list = block;
      i++;
      continue;
    }
    if (ch === RIGHT_BRACE) {
      if (args.length !== 0) fail('unexpected "}"');
      const closed = open.pop();
      if (!closed) fail('unexpected "}"');
      list = (closed as (typeof open)[number]).outer;
      i++;
      continue;
    }

    const start = here();
    if (ch === DOUBLE_QUOTE || ch === SINGLE_QUOTE) {
      let j = i + 1;
      let escaped = false;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === BACKSLASH) {
          escaped = true;
          if (text.charCodeAt(j + 1) === LF) {
            line++;
            lineStart = j + 2;
          }
          j += 2;
          continue;
        }
        if (c === ch) break;
        if (c === LF) {
          line++;
          lineStart = j + 1;
        }
        j++;
      }
      if (j >= n) {
        i = n;
        fail('unexpected end of file, expecting ";" or "}"');
      }
      const raw = text.slice(i + 1, j);
      args.push(escaped ? unescapeNginx(raw) : raw);
      argAt.push(start);
      i = j + 1;
      if (i < n) {
        const c = text.charCodeAt(i);
        const spaceFollows =
          c === SPACE || c === TAB || c === CR || c === LF || c === SEMICOLON || c === LEFT_BRACE;
        // `)` may follow a quoted string (`if ($a = "b")`); it then starts a word of its own.
        if (!spaceFollows && c !== RIGHT_PAREN) fail(`unexpected "${text[i]}"`);
      }
      continue;
    }

    let j = i;
    let escaped = false;
    let variable = false;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === SPACE || c === TAB || c === CR || c === LF || c === SEMICOLON) break;
      if (c === LEFT_BRACE) {
        if (!variable) break;
        variable = false;
        j++;
        continue;
      }
      if (c === BACKSLASH) {
        escaped = true;
        variable = false;
        if (text.charCodeAt(j + 1) === LF) {
          line++;
          lineStart = j + 2;
        }
        j += 2;
        continue;
      }
      variable = c === DOLLAR;
      j++;
    }
    if (j > n) j = n;
    const raw = text.slice(i, j);
    args.push(escaped ? unescapeNginx(raw) : raw);
    argAt.push(start);
    i = j;
  }

  if (args.length !== 0) fail('unexpected end of file, expecting ";" or "}"');
  const unclosed = open.at(-1);
  if (unclosed) {
    fail(
      `unexpected end of file, expecting "}": the "${unclosed.opener.name}" block opened on line ${unclosed.opener.line} is not closed`,
    );
  }
  return root;
}

/** Parses the files given on the command line, following their includes. Never throws on bad input:
 *  a file nginx would reject becomes a `parse-error` problem and contributes no directives. */
export function parseNginx(mains: readonly SourceFile[], resolveInclude: IncludeResolver): ParsedNginx {
  const problems: ParseProblem[] = [];
  const suppressions: Suppression[] = [];

  const parseFile = (source: SourceFile, chain: readonly string[], mainFile: string): NginxDirective[] => {
    const hooks: TokenizerHooks = {
      comment: (body, at) => {
        const suppression = parseSuppression(body, at);
        if (suppression) suppressions.push(suppression);
      },
      include: (directive) => {
        const pattern = directive.args[0];
        if (directive.args.length !== 1 || pattern === undefined) {
          problems.push({
            kind: 'parse-error',
            ...placeOf(directive),
            message: 'invalid number of arguments in "include" directive',
          });
          return [];
        }
        const result = resolveInclude(pattern, mainFile);
        if ('unreadable' in result) {
          const kind = result.refused ? 'parse-error' : 'include-unresolved';
          problems.push({ kind, ...placeOf(directive), message: result.unreadable });
          return [];
        }
        const spliced: NginxDirective[] = [];
        for (const file of result.files) {
          if (chain.includes(file.name)) {
            problems.push({
              kind: 'parse-error',
              ...placeOf(directive),
              message: `include cycle: ${[...chain, file.name].join(' → ')}; nginx would include these files until it runs out of memory or open files`,
            });
            continue;
          }
          for (const included of parseFile(file, [...chain, file.name], mainFile)) spliced.push(included);
        }
        return spliced;
      },
    };
    try {
      return parseText(source, hooks);
    } catch (error) {
      if (!(error instanceof NginxSyntaxError)) throw error;
      problems.push({ kind: 'parse-error', ...error.at, message: error.message });
      return [];
    }
  };

  const roots = mains.map((main) => ({
    file: main.name,
    directives: parseFile(main, [main.name], main.name),
  }));
  return { roots, problems, suppressions };
}
