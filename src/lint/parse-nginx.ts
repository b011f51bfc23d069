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
import { checkNginxDirectives, type NginxContext } from './nginx-directive-check.js';
import { parseSuppression } from './suppression.js';

export interface NginxDirective extends Located {
  readonly name: string;
  /** Arguments with quotes removed and escapes applied, as nginx passes them to the directive. */
  readonly args: readonly string[];
  /** Where each argument starts. */
  readonly argAt: readonly Located[];
  /** The directives inside `{ … }`, or undefined for a simple directive. */
  readonly block: readonly NginxDirective[] | undefined;
  /** The line of the `;` or `{` that ends it, where nginx reports a problem with it. */
  readonly endLine?: number;
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

const LUA_BLOCK = /_by_lua_block$/;

/** The index of the `}` that closes a Lua block whose body starts at `from` (or the text's length):
 *  braces are counted outside Lua strings ('…', "…", [[…]], [==[…]==]) and comments (--…, --[[…]]). */
function luaBlockEnd(text: string, from: number): number {
  const n = text.length;
  let depth = 1;
  let i = from;
  const longBracket = (at: number): number => {
    // `[`, any number of `=`, `[`: returns the level, or -1.
    if (text[at] !== '[') return -1;
    let k = at + 1;
    while (text[k] === '=') k++;
    return text[k] === '[' ? k - at - 1 : -1;
  };
  const skipLong = (at: number, level: number): number => {
    const close = `]${'='.repeat(level)}]`;
    const end = text.indexOf(close, at + level + 2);
    return end < 0 ? n : end + close.length;
  };
  while (i < n) {
    const c = text[i];
    if (c === '-' && text[i + 1] === '-') {
      const level = longBracket(i + 2);
      if (level >= 0) i = skipLong(i + 2, level);
      else {
        const end = text.indexOf('\n', i);
        i = end < 0 ? n : end;
      }
      continue;
    }
    if (c === '"' || c === "'") {
      let k = i + 1;
      while (k < n && text[k] !== c && text[k] !== '\n') k += text[k] === '\\' ? 2 : 1;
      i = k + 1;
      continue;
    }
    if (c === '[') {
      const level = longBracket(i);
      if (level >= 0) {
        i = skipLong(i, level);
        continue;
      }
    }
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
    i++;
  }
  return n;
}

const noArgs: readonly string[] = Object.freeze([]);

/** Slots in the word cache: a power of two, large enough that the few hundred distinct words of a
 *  real config (names, `on`, `$host`, …) rarely evict each other. */
const WORD_SLOTS = 4096;

/**
 * Words and argument lists, shared between the directives that repeat them. Nearly every word of a
 * large config is one seen before (directive names, `on`, `1.1`, `$http_upgrade`), and each string
 * and array made for it lives until the end: in an 80,000-line config (bench/lint.mjs) the young
 * generation collector spent more time copying these survivors than the tokenizer spent reading.
 * A word is looked up by a hash computed while it is scanned and compared in place
 * (`text.startsWith`), so a repeated word costs no allocation; argument lists of one or two words are
 * shared through maps keyed by those words. Both are read-only to everything after the parser.
 */
class Interner {
  readonly #words: string[] = new Array<string>(WORD_SLOTS).fill('');
  readonly #one = new Map<string, readonly string[]>();
  readonly #two = new Map<string, Map<string, readonly string[]>>();

  /** text.slice(from, to), or the same word made earlier. `hash` is of its characters. */
  word(text: string, from: number, to: number, hash: number): string {
    const slot = hash & (WORD_SLOTS - 1);
    const seen = this.#words[slot] as string;
    if (seen.length === to - from && text.startsWith(seen, from)) return seen;
    const made = text.slice(from, to);
    this.#words[slot] = made;
    return made;
  }

  /** args.slice(1), or the same list made earlier. */
  argsAfterName(args: readonly string[]): readonly string[] {
    if (args.length === 1) return noArgs;
    if (args.length === 2) {
      const first = args[1] as string;
      let list = this.#one.get(first);
      if (!list) {
        list = [first];
        this.#one.set(first, list);
      }
      return list;
    }
    if (args.length === 3) {
      const first = args[1] as string;
      const second = args[2] as string;
      let byFirst = this.#two.get(first);
      if (!byFirst) {
        byFirst = new Map();
        this.#two.set(first, byFirst);
      }
      let list = byFirst.get(second);
      if (!list) {
        list = [first, second];
        byFirst.set(second, list);
      }
      return list;
    }
    return args.slice(1);
  }
}

/** A directive as read. A class, and argument places kept as numbers until asked for: an 80,000-line
 *  config has some 200,000 arguments, and an object for each cost more in garbage collection than
 *  the whole tokenizer (bench/lint.mjs). */
class ParsedDirective implements NginxDirective {
  #argAt: readonly Located[] | undefined;
  constructor(
    readonly name: string,
    readonly args: readonly string[],
    /** The file-wide list of line/column pairs, and where this directive's arguments start in it. */
    private readonly places: readonly number[],
    private readonly placesFrom: number,
    readonly block: readonly NginxDirective[] | undefined,
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly endLine: number,
  ) {}
  get argAt(): readonly Located[] {
    if (!this.#argAt) {
      const at: Located[] = [];
      for (let k = 0; k < this.args.length; k++) {
        const p = this.placesFrom + 2 * k;
        at.push({ file: this.file, line: this.places[p] as number, column: this.places[p + 1] as number });
      }
      this.#argAt = at;
    }
    return this.#argAt;
  }
}

interface TokenizerHooks {
  /** Called with each complete `include` directive; returns the directives to splice in its place. */
  readonly include: (directive: NginxDirective) => readonly NginxDirective[];
  readonly comment: (body: string, at: Located) => void;
  /** A place where nginx -t would stop; the tokenizer records it and reads on (see parseText). */
  readonly problem: (message: string, at: Located) => void;
  /** Shared by every file of one run: includes repeat the same words. */
  readonly interner: Interner;
}

/** Tokenizes and builds one file's tree. Where nginx would stop, it records the problem and recovers
 *  so that the rest of the file is still checked: a stray `;` or `}` is skipped, the words before an
 *  unexpected `}` are dropped, an anonymous `{ … }` is read and discarded. Only a byte order mark
 *  (which shifts everything after it) throws NginxSyntaxError. */
function parseText(source: SourceFile, hooks: TokenizerHooks): NginxDirective[] {
  const { text, name: file } = source;
  const n = text.length;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const root: NginxDirective[] = [];
  const open: { readonly outer: NginxDirective[]; readonly opener: NginxDirective }[] = [];
  let list = root;
  // The words of the directive being read (its name first) and where each starts, as line/column
  // pairs: plain numbers, made into Located objects only when a rule asks (ParsedDirective.argAt).
  const args: string[] = [];
  const argAt: number[] = [];
  /** Every argument's line and column, for the whole file: one array rather than one per directive. */
  const places: number[] = [];
  const interner = hooks.interner;

  const here = (): Located => ({ file, line, column: i - lineStart + 1 });
  const fail = (message: string, at: Located = here()): never => {
    throw new NginxSyntaxError(message, at);
  };
  const problem = (message: string, at: Located = here()): void => hooks.problem(message, at);
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
    const placesFrom = places.length;
    for (let k = 2; k < argAt.length; k++) places.push(argAt[k] as number);
    const directive = new ParsedDirective(
      args[0] as string,
      interner.argsAfterName(args),
      places,
      placesFrom,
      block,
      file,
      argAt[0] as number,
      argAt[1] as number,
      line,
    );
    args.length = 0;
    argAt.length = 0;
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
      if (args.length === 0) {
        problem('unexpected ";"');
        i++;
        continue;
      }
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
      if (args.length === 0) {
        problem('unexpected "{"');
        // Read the anonymous block to its `}` and discard it, so the braces after it still pair up.
        args.push('{');
        argAt.push(line, i - lineStart + 1);
        open.push({ outer: list, opener: finish([]) });
        list = [];
        i++;
        continue;
      }
      if (LUA_BLOCK.test(args[0] as string)) {
        // OpenResty's *_by_lua_block bodies are Lua, read by lua-nginx-module's own tokenizer
        // (ngx_http_lua_conf_lua_block_parse): braces inside Lua strings and comments do not count.
        const end = luaBlockEnd(text, i + 1);
        for (let k = text.indexOf('\n', i); k >= 0 && k < end; k = text.indexOf('\n', k + 1)) {
          line++;
          lineStart = k + 1;
        }
        if (end >= n) {
          i = n;
          problem(`unexpected end of file: the "${args[0]}" Lua block is not closed`);
          args.length = 0;
          argAt.length = 0;
          break;
        }
        list.push(finish([]));
        i = end + 1;
        continue;
      }
      const block: NginxDirective[] = [];
      const opener = finish(block);
      list.push(opener);
      open.push({ outer: list, opener });
      list = block;
      i++;
      continue;
    }
    if (ch === RIGHT_BRACE) {
      if (args.length !== 0) {
        // `proxy_pass http://a }`: nginx stops; the unterminated words are dropped, the block closed.
        problem('unexpected "}"');
        args.length = 0;
        argAt.length = 0;
      }
      const closed = open.pop();
      if (!closed) problem('unexpected "}"');
      else list = closed.outer;
      i++;
      continue;
    }

    const startLine = line;
    const startColumn = i - lineStart + 1;
    if (ch === DOUBLE_QUOTE || ch === SINGLE_QUOTE) {
      let j = i + 1;
      let escaped = false;
      let hash = 0;
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
        hash = (Math.imul(hash, 31) + c) | 0;
        j++;
      }
      if (j >= n) {
        i = n;
        problem('unexpected end of file, expecting ";" or "}"');
        args.length = 0;
        argAt.length = 0;
        break;
      }
      args.push(escaped ? unescapeNginx(text.slice(i + 1, j)) : interner.word(text, i + 1, j, hash));
      argAt.push(startLine, startColumn);
      i = j + 1;
      if (i < n) {
        const c = text.charCodeAt(i);
        const spaceFollows =
          c === SPACE || c === TAB || c === CR || c === LF || c === SEMICOLON || c === LEFT_BRACE;
        // `)` may follow a quoted string (`if ($a = "b")`); it then starts a word of its own.
        // The next character then starts a word of its own.
        if (!spaceFollows && c !== RIGHT_PAREN) problem(`unexpected "${text[i]}"`);
      }
      continue;
    }

    let j = i;
    let escaped = false;
    let variable = false;
    let hash = 0;
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
      hash = (Math.imul(hash, 31) + c) | 0;
      j++;
    }
    if (j > n) j = n;
    args.push(escaped ? unescapeNginx(text.slice(i, j)) : interner.word(text, i, j, hash));
    argAt.push(startLine, startColumn);
    i = j;
  }

  if (args.length !== 0) problem('unexpected end of file, expecting ";" or "}"');
  const unclosed = open.at(-1);
  if (unclosed) {
    problem(
      `unexpected end of file, expecting "}": the "${unclosed.opener.name}" block opened on line ${unclosed.opener.line} is not closed`,
    );
  }
  return root;
}

/** Parses the files given on the command line, following their includes. Never throws on bad input:
 *  a file nginx would reject becomes a `parse-error` problem and contributes no directives. */
export function parseNginx(
  mains: readonly SourceFile[],
  resolveInclude: IncludeResolver,
  /** `--server-version`: unknown names are not reported for a version newer than the table's. */
  serverVersion?: string,
): ParsedNginx {
  const problems: ParseProblem[] = [];
  const suppressions: Suppression[] = [];
  const interner = new Interner();
  /** The files given on the command line under which an include glob matched nothing here. */
  const emptyGlobsUnder = new Set<string>();

  const parseFile = (source: SourceFile, chain: readonly string[], mainFile: string): NginxDirective[] => {
    const hooks: TokenizerHooks = {
      interner,
      problem: (message, at) => problems.push({ kind: 'parse-error', ...at, message }),
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
          // An include lint could not read stays in the tree where it stands: the level it sits in
          // may set what the rules look for (src/lint/rules/unread-include.ts).
          return result.refused ? [] : [directive];
        }
        // A glob that matches nothing here is fine for nginx, but on the server it may match files that
        // define what the rest of this file uses (a log_format in conf.d/): checkNginxDirectives is told.
        if (result.files.length === 0 && /[*?[]/.test(pattern)) emptyGlobsUnder.add(mainFile);
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
  for (const root of roots) {
    for (const problem of checkNginxDirectives(
      root.directives,
      contextOfFile(root.directives),
      serverVersion,
      {
        allRead: !emptyGlobsUnder.has(root.file),
      },
    )) {
      problems.push(problem);
    }
  }
  return { roots, problems, suppressions };
}

/** The context a file given on the command line is read in, as nginx would include it: nginx.conf
 *  (events, http, worker_processes at the top) is the main context; a site file (server, upstream,
 *  map) belongs in http; a file of locations in a server block. A file of other directives could be
 *  included anywhere (proxy_params, a snippet): undefined, and contexts are not checked in it. */
function contextOfFile(directives: readonly NginxDirective[]): NginxContext | undefined {
  const names = new Set(directives.map((d) => d.name));
  const mainOnly = ['http', 'events', 'worker_processes', 'stream', 'mail', 'user', 'pid', 'load_module'];
  if (mainOnly.some((n) => names.has(n))) return 'main';
  // A file of stream servers (ngx_stream): every server block has a `listen … udp` or a `proxy_pass` to
  // a host or upstream without a scheme (stream's proxy_pass takes an address; http's takes a URL and
  // is refused at server level), and none has a location or a directive only http has. Such a file
  // belongs in stream, whose directives lint does not check; one http server keeps the file http.
  const servers = directives.filter((d) => d.name === 'server');
  const httpOnly = new Set([
    'location',
    'server_name',
    'proxy_set_header',
    'proxy_http_version',
    'proxy_read_timeout',
    'add_header',
    'root',
    'index',
    'try_files',
    'rewrite',
    'client_max_body_size',
  ]);
  const streamServer =
    servers.length > 0 &&
    servers.every(
      (server) =>
        !server.block?.some((inner) => httpOnly.has(inner.name)) &&
        server.block?.some(
          (inner) =>
            (inner.name === 'listen' && inner.args.includes('udp')) ||
            (inner.name === 'proxy_pass' && !(inner.args[0] ?? '').includes('://')),
        ),
    );
  if (streamServer) return undefined;
  if (['server', 'upstream', 'map', 'geo', 'split_clients'].some((n) => names.has(n))) return 'http';
  if (names.has('location')) return 'server';
  return undefined;
}
