/**
 * The nginx side of the resolved model: configuration levels (http → server → location → if) with the
 * directives set at each, effective values after nginx's inheritance rules, the locations that proxy,
 * which of them carry WebSocket traffic, and the TLS facts the shared TLS rules read.
 *
 * Inheritance, as nginx merges configurations (ngx_conf_merge_* in each module):
 *   - a simple directive (proxy_http_version, proxy_read_timeout, ssl_stapling, …) set at an inner
 *     level wins; otherwise the nearest outer level's value applies;
 *   - array directives (proxy_set_header, add_header) are inherited only by a level that sets none of
 *     its own: "These directives are inherited from the previous configuration level if and only if
 *     there are no proxy_set_header directives defined on the current level"
 *     (https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_set_header).
 */
import { type Located, placeOf } from './finding.js';
import { debianProxyParamsLines } from './known-includes.js';
import { type LintSettings, namesSocket, type TlsFacts, type TlsSite } from './model.js';
import { type LocationModifier, locationName } from './nginx-location.js';
import type { NginxDirective, ParsedNginx } from './parse-nginx.js';

export type NginxBlockKind = 'main' | 'http' | 'server' | 'location' | 'if' | 'limit_except';

/** One configuration level and the directives set directly in it. */
export interface NginxBlock {
  readonly kind: NginxBlockKind;
  /** The `server`, `location`, … directive that opens it; undefined for a file's top level. */
  readonly node: NginxDirective | undefined;
  readonly parent: NginxBlock | undefined;
  /** The directives set directly in it, by name, in file order. */
  readonly own: OwnDirectives;
  /** The file given on the command line this level was read from (relative paths resolve there). */
  readonly mainFile: string;
}

export type { LocationModifier };

export interface NginxLocation {
  readonly node: NginxDirective;
  readonly modifier: LocationModifier;
  readonly path: string;
  readonly block: NginxBlock;
  readonly children: readonly NginxLocation[];
  readonly label: string;
  /** Where a request in this location is sent on to, with the settings of the target, not these:
   *  `try_files … @name` (when no file matches), `error_page … @name` (on those errors), and
   *  `rewrite … last` to a literal URI (matched again against the server's locations). */
  readonly jumps: readonly NginxJump[];
}

/** An internal redirect from one location to another (ngx_http_internal_redirect,
 *  ngx_http_named_location): the request then runs with the target's settings only. */
export interface NginxJump {
  readonly via: 'try_files' | 'error_page' | 'rewrite';
  /** The try_files, error_page or rewrite directive. */
  readonly node: NginxDirective;
  readonly from: NginxLocation;
  readonly target: NginxLocation;
}

export interface NginxServer extends Located {
  readonly block: NginxBlock;
  /** Undefined for locations written outside any server block (a snippet meant to be included). */
  readonly node: NginxDirective | undefined;
  readonly label: string;
  /** Whether it terminates TLS: a `listen … ssl`, or the old `ssl on`. */
  readonly tls: boolean;
  readonly locations: readonly NginxLocation[];
}

export interface HeaderSetting {
  readonly name: string;
  readonly value: string;
  readonly node: NginxDirective;
  /** An empty value ("") that has no effect: another line for the same header sends a value, and
   *  nginx sends every line whose value is not empty and skips the empty ones (proven with nginx
   *  1.22.1: `Connection "upgrade"` then `Connection ""` sends "Connection: upgrade"). A lone empty
   *  line is not dead: it removes the header nginx would send by default (Connection: close). */
  readonly dead: boolean;
}

export interface EffectiveHeaders {
  /** Lower-case header name → the line nginx sends first: the first whose value is not empty, else
   *  the last line (empty, so the header is not sent). */
  readonly byName: ReadonlyMap<string, HeaderSetting>;
  /** Lower-case header name → every line that sets it at this level, in order. nginx sends each line
   *  whose value is not empty (a value with variables is sent when it evaluates to non-empty). */
  readonly all: ReadonlyMap<string, readonly HeaderSetting[]>;
  /** The empty lines that have no effect (`dead`), in file order: such as the `Connection ""` meant
   *  for upstream keepalive next to a `Connection $connection_upgrade`. */
  readonly deadLines: readonly HeaderSetting[];
  /** The level whose directives apply (this one or the nearest outer one that sets any). */
  readonly from: NginxBlock | undefined;
  /** Headers an outer level sets that do not reach this level, because `from` sets its own. */
  readonly dropped: readonly HeaderSetting[];
}

/** A location (or `if`/`limit_except` inside one) that proxies with proxy_pass. */
export interface NginxProxyBlock {
  readonly block: NginxBlock;
  readonly server: NginxServer;
  readonly location: NginxLocation | undefined;
  readonly label: string;
  readonly proxyPass: NginxDirective;
  readonly headers: EffectiveHeaders;
  readonly httpVersion: NginxDirective | undefined;
  readonly readTimeout: NginxDirective | undefined;
  /** Its location's prefix names a socket (`/ws`, `/socket.io/`, …). */
  readonly pathNamesSocket: boolean;
  /** It is the location nginx picks for a `--ws-path`: `exact` when the location is that path. */
  readonly selectedByWsPath: 'exact' | 'prefix' | undefined;
  /** Locations whose requests jump here (try_files/error_page @name, rewrite … last): their own
   *  settings (proxy_read_timeout, proxy_set_header, …) do not apply to those requests, these do. */
  readonly reachedFrom: readonly NginxJump[];
  /** It carries WebSocket traffic: it sets Upgrade, its path names a socket, --ws-path names it, or a
   *  location that does jumps here. */
  readonly webSocket: boolean;
  /** Plain HTTP requests reach it too: its path neither names a socket nor is exactly a --ws-path. */
  readonly servesPlainHttp: boolean;
}

export interface NginxMap {
  readonly node: NginxDirective;
  readonly source: string;
  readonly target: string;
  readonly hasDefault: boolean;
}

export interface NginxEntry {
  readonly node: NginxDirective;
  readonly block: NginxBlock;
}

/** The main context of nginx.conf (outside http), when a file given has one: what sizes the server. */
export interface NginxMainContext {
  /** The file whose top level it is. */
  readonly file: string;
  readonly workerProcesses: NginxDirective | undefined;
  readonly workerRlimitNofile: NginxDirective | undefined;
  readonly events: NginxDirective | undefined;
  /** Inside `events { }`. */
  readonly workerConnections: NginxDirective | undefined;
}

export interface NginxModel {
  /** Undefined when the files are site files or snippets only. */
  readonly main: NginxMainContext | undefined;
  readonly servers: readonly NginxServer[];
  readonly proxyBlocks: readonly NginxProxyBlock[];
  readonly maps: readonly NginxMap[];
  /** Every directive with this name in http, server and location levels (map, upstream and other
   *  special blocks excluded), in file order, with the level that sets it. */
  directives(name: string): readonly NginxEntry[];
  /** Directives whose arguments use the variable `$name` or `${name}`. */
  variableUses(name: string): readonly NginxDirective[];
}

/** The value of a simple directive at `block`: its own, else the nearest outer level's. */
export function effective(block: NginxBlock | undefined, name: string): NginxDirective | undefined {
  for (let level = block; level; level = level.parent) {
    const set = level.own.last(name);
    if (set) return set;
  }
  return undefined;
}

/** An array directive at `block`: the whole set of the nearest level that has any. */
export function inheritedList(
  block: NginxBlock | undefined,
  name: string,
): { readonly directives: readonly NginxDirective[]; readonly from: NginxBlock | undefined } {
  for (let level = block; level; level = level.parent) {
    const set = level.own.get(name);
    if (set) return { directives: set, from: level };
  }
  return { directives: [], from: undefined };
}

const headerSetting = (node: NginxDirective, dead = false): HeaderSetting => ({
  name: node.args[0] ?? '',
  value: node.args[1] ?? '',
  node,
  dead,
});

const noHeaders: readonly HeaderSetting[] = Object.freeze([]);

export function effectiveHeaders(block: NginxBlock, directive: string): EffectiveHeaders {
  const { directives, from } = inheritedList(block, directive);
  const byName = new Map<string, HeaderSetting>();
  let repeated = false;
  for (const node of directives) {
    const key = (node.args[0] ?? '').toLowerCase();
    if (byName.has(key)) repeated = true;
    else byName.set(key, headerSetting(node));
  }
  const outer = from?.parent ? inheritedList(from.parent, directive).directives : [];
  const dropped = outer.length
    ? outer.map((node) => headerSetting(node)).filter((header) => !byName.has(header.name.toLowerCase()))
    : noHeaders;
  if (!repeated) {
    // Each header set once (the usual case): no line is dead, and the list per header is built only
    // if a rule asks for it; a large config has one of these per proxying location.
    let all: Map<string, readonly HeaderSetting[]> | undefined;
    return {
      byName,
      get all() {
        all ??= new Map([...byName].map(([key, setting]) => [key, [setting]]));
        return all;
      },
      deadLines: noHeaders,
      from,
      dropped,
    };
  }
  const lines = new Map<string, NginxDirective[]>();
  for (const node of directives) {
    const key = (node.args[0] ?? '').toLowerCase();
    const list = lines.get(key);
    if (list) list.push(node);
    else lines.set(key, [node]);
  }
  const all = new Map<string, HeaderSetting[]>();
  const deadLines: HeaderSetting[] = [];
  for (const [key, nodes] of lines) {
    const sends = nodes.some((node) => (node.args[1] ?? '') !== '');
    const settings = nodes.map((node) => headerSetting(node, sends && (node.args[1] ?? '') === ''));
    all.set(key, settings);
    byName.set(key, settings.find((setting) => setting.value !== '') ?? (settings.at(-1) as HeaderSetting));
    for (const setting of settings) if (setting.dead) deadLines.push(setting);
  }
  deadLines.sort((a, b) => a.node.line - b.node.line);
  return { byName, all, deadLines, from, dropped };
}

/** Above this many directives a level indexes them by name on the first look-up; below, a look-up
 *  scans them. */
const SCAN_LIMIT = 24;

/**
 * The directives of one level, by name. Most levels are a location or server of a dozen lines, and
 * most look-ups (effective() asks every level up to http) find nothing: scanning the level's own
 * list answers those without building anything. A Map of arrays per level was a third of the
 * memory of an 80,000-line config's model and most of its garbage collection (bench/lint.mjs). A
 * large level (the http context of a site file with thousands of servers) is indexed once, so a
 * look-up there stays constant-time rather than a scan per server.
 */
export class OwnDirectives {
  #byName: Map<string, NginxDirective[]> | undefined;
  constructor(private readonly directives: readonly NginxDirective[]) {}

  /** Every directive with this name, in file order; undefined when there is none. */
  get(name: string): readonly NginxDirective[] | undefined {
    const list = this.directives;
    if (list.length > SCAN_LIMIT) return this.#index().get(name);
    let found: NginxDirective[] | undefined;
    for (let k = 0; k < list.length; k++) {
      const directive = list[k] as NginxDirective;
      if (directive.name !== name) continue;
      if (found) found.push(directive);
      else found = [directive];
    }
    return found;
  }

  has(name: string): boolean {
    return this.last(name) !== undefined;
  }

  /** The last directive with this name (the one a simple directive's value comes from). */
  last(name: string): NginxDirective | undefined {
    const list = this.directives;
    if (list.length > SCAN_LIMIT) return this.#index().get(name)?.at(-1);
    for (let k = list.length - 1; k >= 0; k--) {
      const directive = list[k] as NginxDirective;
      if (directive.name === name) return directive;
    }
    return undefined;
  }

  #index(): Map<string, NginxDirective[]> {
    if (!this.#byName) {
      const byName = new Map<string, NginxDirective[]>();
      for (const directive of this.directives) {
        const set = byName.get(directive.name);
        if (set) set.push(directive);
        else byName.set(directive.name, [directive]);
      }
      this.#byName = byName;
    }
    return this.#byName;
  }
}

function makeBlock(
  kind: NginxBlockKind,
  node: NginxDirective | undefined,
  parent: NginxBlock | undefined,
  directives: readonly NginxDirective[],
  mainFile: string,
): NginxBlock {
  return { kind, node, parent, own: new OwnDirectives(withKnownIncludes(directives)), mainFile };
}

/**
 * Debian's proxy_params (src/lint/known-includes.ts), where lint cannot read it: a level that includes
 * it sets proxy_set_header, so it no longer inherits the server's Upgrade and Connection (nginx inherits
 * an array directive only into a level that sets none): a location with `include proxy_params;` under a
 * server that forwards them answers the handshake with 200 (nginx 1.22.1, the session 9 cold attack).
 * Its lines are put where the include stands, at its place, after it.
 */
function withKnownIncludes(directives: readonly NginxDirective[]): readonly NginxDirective[] {
  const linesOf = (directive: NginxDirective) =>
    directive.name === 'include' ? debianProxyParamsLines(directive.args[0] ?? '') : undefined;
  if (!directives.some(linesOf)) return directives;
  return directives.flatMap((directive) => [
    directive,
    ...(linesOf(directive) ?? []).map(
      ([name, value]): NginxDirective => ({
        name: 'proxy_set_header',
        args: [name, value],
        argAt: [placeOf(directive), placeOf(directive)],
        block: undefined,
        file: directive.file,
        line: directive.line,
        column: directive.column,
        endLine: directive.endLine,
      }),
    ),
  ]);
}

/** `location [=|~|~*|^~] uri` or `location @name`; nginx also accepts the modifier glued on (`=/x`,
 *  `^~/x`). */
function locationOf(node: NginxDirective, block: NginxBlock): NginxLocation {
  const { modifier, name: path } = locationName(node.args);
  const label = `location ${modifier && modifier !== '@' ? `${modifier} ` : ''}${path}`;
  return { node, modifier, path, block, children: [], label, jumps: [] };
}

/** Each regex location's pattern, compiled once: a rule may select a location for every socket path
 *  of a server with thousands of regex locations (the session 10 cold attack: 62 s for 8,000 of each
 *  when each test compiled its own). null: a PCRE construct JavaScript lacks. */
const compiled = new WeakMap<NginxLocation, RegExp | null>();
const regexMatches = (location: NginxLocation, uri: string): boolean => {
  let regex = compiled.get(location);
  if (regex === undefined) {
    try {
      regex = new RegExp(location.path, location.modifier === '~*' ? 'i' : '');
    } catch {
      regex = null;
    }
    compiled.set(location, regex);
  }
  // Not matched rather than guessed, for a pattern JavaScript cannot read.
  return regex?.test(uri) ?? false;
};

/** The location nginx picks for `uri` (https://nginx.org/en/docs/http/ngx_http_core_module.html#location):
 *  an exact match; else the longest prefix, final if it is `^~`; else the first matching regex; else
 *  the longest prefix. Nested locations are searched the same way inside the one picked. */
export function selectLocation(locations: readonly NginxLocation[], uri: string): NginxLocation | undefined {
  // Level by level, in a loop: nesting thousands deep must not overflow the call stack.
  let picked: NginxLocation | undefined;
  for (let level = locations; ; ) {
    const found = selectAtLevel(level, uri);
    if (!found) return picked;
    picked = found;
    if (found.modifier === '=') return found;
    level = found.children;
  }
}

function selectAtLevel(locations: readonly NginxLocation[], uri: string): NginxLocation | undefined {
  const exact = locations.find((l) => l.modifier === '=' && l.path === uri);
  if (exact) return exact;
  let longest: NginxLocation | undefined;
  for (const l of locations) {
    if ((l.modifier === '' || l.modifier === '^~') && uri.startsWith(l.path)) {
      if (!longest || l.path.length > longest.path.length) longest = l;
    }
  }
  if (longest?.modifier === '^~') return longest;
  const regex = locations.find((l) => (l.modifier === '~' || l.modifier === '~*') && regexMatches(l, uri));
  return regex ?? longest;
}

interface MutableServer {
  block: NginxBlock;
  node: NginxDirective | undefined;
  locations: NginxLocation[];
  inner: { block: NginxBlock; location: NginxLocation | undefined }[];
}

export function buildNginxModel(
  parsed: ParsedNginx,
  settings: LintSettings,
): { readonly nginx: NginxModel; readonly tls: TlsFacts } {
  // Directive → [node, level, node, level, …]: NginxEntry objects are made only for the names rules
  // ask for (directives(name)), not for every directive of a large config.
  const index = new Map<string, (NginxDirective | NginxBlock)[]>();
  const maps: NginxMap[] = [];
  const servers: MutableServer[] = [];

  // The tree is walked with an explicit stack, in file order: a config nested thousands of levels
  // deep (nginx itself accepts it) must not overflow the JavaScript call stack.
  interface Frame {
    readonly directives: readonly NginxDirective[];
    index: number;
    readonly block: NginxBlock;
    readonly server: MutableServer | undefined;
    readonly location: NginxLocation | undefined;
  }
  const walk = (
    directives: readonly NginxDirective[],
    block: NginxBlock,
    server: MutableServer | undefined,
    location: NginxLocation | undefined,
  ): void => {
    const stack: Frame[] = [{ directives, index: 0, block, server, location }];
    for (let frame = stack.at(-1); frame; frame = stack.at(-1)) {
      const node = frame.directives[frame.index++];
      if (!node) {
        stack.pop();
        continue;
      }
      const { block, server, location } = frame;
      const entries = index.get(node.name);
      if (entries) entries.push(node, block);
      else index.set(node.name, [node, block]);
      if (!node.block) continue;
      const name = node.name;
      if (name === 'map') {
        maps.push({
          node,
          source: node.args[0] ?? '',
          target: node.args[1] ?? '',
          hasDefault: node.block.some((entry) => entry.name === 'default'),
        });
      } else if (name === 'http' && !server) {
        const child = makeBlock('http', node, block, node.block, block.mainFile);
        stack.push({
          directives: node.block,
          index: 0,
          block: child,
          server: undefined,
          location: undefined,
        });
      } else if (name === 'server' && !server && block.kind !== 'main') {
        const child = makeBlock('server', node, block, node.block, block.mainFile);
        const created: MutableServer = { block: child, node, locations: [], inner: [] };
        servers.push(created);
        stack.push({ directives: node.block, index: 0, block: child, server: created, location: undefined });
      } else if (server && name === 'location') {
        const child = makeBlock('location', node, block, node.block, block.mainFile);
        const created = locationOf(node, child);
        (location ? (location.children as NginxLocation[]) : server.locations).push(created);
        server.inner.push({ block: child, location: created });
        stack.push({ directives: node.block, index: 0, block: child, server, location: created });
      } else if (server && (name === 'if' || name === 'limit_except')) {
        const child = makeBlock(name, node, block, node.block, block.mainFile);
        server.inner.push({ block: child, location });
        stack.push({ directives: node.block, index: 0, block: child, server, location });
      }
      // Other blocks (events, upstream, types, geo, stream, …) are not read as http levels: their
      // contents follow rules of their own.
    }
  };

  let main: NginxMainContext | undefined;
  for (const root of parsed.roots) {
    const names = new Set(root.directives.map((d) => d.name));
    // nginx refuses to start without an events block, so a file with one is a main config.
    if (!main && (names.has('events') || names.has('worker_processes'))) main = mainContextOf(root);
    if (names.has('http')) {
      walk(
        root.directives,
        makeBlock('main', undefined, undefined, root.directives, root.file),
        undefined,
        undefined,
      );
    } else if (!names.has('server') && names.has('location')) {
      // A snippet of locations, meant to be included in a server block: read it as one.
      const block = makeBlock('server', undefined, undefined, root.directives, root.file);
      const pseudo: MutableServer = { block, node: undefined, locations: [], inner: [] };
      servers.push(pseudo);
      walk(root.directives, block, pseudo, undefined);
    } else {
      // A site file (server, map, upstream at the top) belongs in the http context.
      walk(
        root.directives,
        makeBlock('http', undefined, undefined, root.directives, root.file),
        undefined,
        undefined,
      );
    }
  }

  const finishedServers: NginxServer[] = [];
  const proxyBlocks: NginxProxyBlock[] = [];
  const tlsSites: TlsSite[] = [];
  for (const mutable of servers) {
    const { block, node } = mutable;
    const listens = block.own.get('listen') ?? [];
    const sslDirective = effective(block, 'ssl');
    const tls = listens.some((l) => l.args.includes('ssl')) || sslDirective?.args[0] === 'on';
    const firstLocation = mutable.locations[0]?.node;
    const position = node ?? firstLocation ?? { file: block.mainFile, line: 1, column: 1 };
    const label = blockLabel(block);
    // Fields written out rather than spread: one of these per server block, thousands in a large config.
    const server: NginxServer = {
      file: position.file,
      line: position.line,
      column: position.column,
      block,
      node,
      label,
      tls,
      locations: mutable.locations,
    };
    finishedServers.push(server);

    const selected = settings.wsPaths.length > 0 ? new Map<NginxLocation, 'exact' | 'prefix'>() : noSelection;
    for (const wsPath of settings.wsPaths) {
      const candidates = wsPath.endsWith('/') ? [wsPath] : [wsPath, `${wsPath}/`];
      let best: NginxLocation | undefined;
      for (const uri of candidates) {
        const found = selectLocation(mutable.locations, uri);
        if (found && (!best || found.path.length > best.path.length)) best = found;
      }
      if (best) {
        const exact = candidates.includes(best.path) || `${best.path}/` === wsPath;
        if (selected.get(best) !== 'exact') selected.set(best, exact ? 'exact' : 'prefix');
      }
    }

    const reachedFrom = jumpsOf(mutable);
    /** Whether requests in `location` carry WebSocket traffic of their own: it sets Upgrade, its path
     *  names a socket, or a --ws-path picks it. */
    const ownSocket = (location: NginxLocation): boolean => {
      const upgrade = effectiveHeaders(location.block, 'proxy_set_header').byName.get('upgrade');
      return (
        (upgrade !== undefined && upgrade.value !== '') ||
        namesSocket(location.path) ||
        selected.has(location)
      );
    };
    /** Whether WebSocket requests arrive through jumps: from a location that carries them, itself or
     *  through earlier jumps (nginx allows 10 internal redirects per request). */
    const socketByJump = (location: NginxLocation): boolean => {
      const seen = new Set<NginxLocation>([location]);
      let frontier = [location];
      for (let step = 0; step < 10 && frontier.length > 0; step++) {
        const next: NginxLocation[] = [];
        for (const at of frontier) {
          for (const jump of reachedFrom.get(at) ?? []) {
            if (seen.has(jump.from)) continue;
            if (ownSocket(jump.from)) return true;
            seen.add(jump.from);
            next.push(jump.from);
          }
        }
        frontier = next;
      }
      return false;
    };

    const serverRedirects = redirectsEveryRequest(block);
    for (const { block: inner, location } of mutable.inner) {
      const proxyPass = inner.own.get('proxy_pass')?.[0];
      if (!proxyPass) continue;
      if (serverRedirects || (inner.kind === 'location' && redirectsEveryRequest(inner))) continue;
      const headers = effectiveHeaders(inner, 'proxy_set_header');
      const upgrade = headers.byName.get('upgrade');
      const pathNamesSocket = location ? namesSocket(location.path) : false;
      const selectedByWsPath = location ? selected.get(location) : undefined;
      const jumpsHere = (location && reachedFrom.get(location)) ?? [];
      const viaJump = location !== undefined && jumpsHere.length > 0 && socketByJump(location);
      const locationLabel = location?.label ?? 'the server block';
      proxyBlocks.push({
        block: inner,
        server,
        location,
        label:
          inner.kind === 'location'
            ? locationLabel
            : `the "${inner.kind}" block in ${locationLabel} (line ${inner.node?.line ?? 0})`,
        proxyPass,
        headers,
        httpVersion: effective(inner, 'proxy_http_version'),
        readTimeout: effective(inner, 'proxy_read_timeout'),
        pathNamesSocket,
        selectedByWsPath,
        reachedFrom: jumpsHere,
        webSocket:
          (upgrade !== undefined && upgrade.value !== '') ||
          pathNamesSocket ||
          selectedByWsPath !== undefined ||
          viaJump,
        // A named location is reached only through jumps: plain HTTP comes when a location it is
        // reached from serves plain HTTP (its path does not name a socket).
        servesPlainHttp:
          location?.modifier === '@'
            ? jumpsHere.some((jump) => !namesSocket(jump.from.path))
            : !pathNamesSocket &&
              !(selectedByWsPath === 'exact' && location !== undefined && location.path !== '/'),
      });
    }

    if (tls) tlsSites.push(tlsSiteOf(server, mutable));
  }

  const made = new Map<string, readonly NginxEntry[]>();
  const entries = (name: string): readonly NginxEntry[] => {
    let list = made.get(name);
    if (!list) {
      const flat = index.get(name) ?? [];
      const built: NginxEntry[] = [];
      for (let k = 0; k + 1 < flat.length; k += 2) {
        built.push({ node: flat[k] as NginxDirective, block: flat[k + 1] as NginxBlock });
      }
      list = built;
      made.set(name, list);
    }
    return list;
  };
  let variables: Map<string, NginxDirective[]> | undefined;
  const variableUses = (name: string): readonly NginxDirective[] => {
    if (!variables) {
      variables = new Map();
      const pattern = /\$\{?([A-Za-z0-9_]+)/g;
      for (const [directiveName, list] of index) {
        if (directiveName === 'map') continue; // a map's target is where the variable is made, not used
        for (let k = 0; k < list.length; k += 2) {
          const node = list[k] as NginxDirective;
          for (const arg of node.args) {
            if (!arg.includes('$')) continue;
            for (const match of arg.matchAll(pattern)) {
              const variable = match[1] as string;
              const users = variables.get(variable);
              if (!users) variables.set(variable, [node]);
              else if (users.at(-1) !== node) users.push(node);
            }
          }
        }
      }
    }
    return variables.get(name) ?? [];
  };

  const certificateDirectives = [
    'ssl_certificate',
    'ssl_certificate_key',
    'ssl_trusted_certificate',
    'ssl_client_certificate',
  ];
  const tls: TlsFacts = {
    protocols: entries('ssl_protocols').map(({ node }) => ({
      ...placeOf(node),
      directive: 'ssl_protocols',
      enabled: node.args,
    })),
    ciphers: entries('ssl_ciphers').map(({ node }) => ({
      ...placeOf(node),
      directive: 'ssl_ciphers',
      cipherString: node.args[0] ?? '',
    })),
    serverCipherOrder: entries('ssl_prefer_server_ciphers').map(({ node }) => ({
      ...placeOf(node),
      directive: 'ssl_prefer_server_ciphers',
      on: node.args[0] === 'on',
    })),
    sites: tlsSites,
    certificateFiles: certificateDirectives.flatMap((directive) =>
      entries(directive)
        .filter(({ node }) => {
          const path = node.args[0] ?? '';
          // Variables are resolved per handshake, data: and engine: are not files (ssl_certificate docs).
          return path !== '' && !path.includes('$') && !/^(data|engine):/.test(path);
        })
        .map(({ node, block }) => ({
          ...placeOf(node),
          directive,
          path: node.args[0] as string,
          mainFile: block.mainFile,
        })),
    ),
  };

  return {
    nginx: { main, servers: finishedServers, proxyBlocks, maps, directives: entries, variableUses },
    tls,
  };
}

/** A rewrite pattern every URI matches (they all start with `/`): `^`, `.*`, `^(.*)$`, `^/(.*)`, …;
 *  a `$` only after `.*` (`^/$` matches `/` alone: the cold attack). */
const matchesEveryUri = /^\^?\/?((\(\.\*\)|\.\*|\(\/\.\*\))\$?)?$/;

/** `return` codes that answer the request whatever follows: redirects, and 444 (close). A 4xx or 5xx
 *  may be sent on to another location by error_page (`return 418; error_page 418 = @ws;` proxies every
 *  request through @ws: the cold attack), and so may these where an error_page names them. */
const answeringReturn = /^(30[12378]|444)$/;

/**
 * Whether the level's own rewrite-phase directives answer every request before its content handler
 * (proxy_pass) runs: a redirecting `return` outside `if`, or a `rewrite` of every URI that redirects (flag
 * `redirect`/`permanent`, or a replacement starting with http://, https:// or $scheme, which nginx
 * turns into a redirect whatever the flag; ngx_http_rewrite_module). At server level that is every
 * request of the server (NGX_HTTP_SERVER_REWRITE_PHASE comes before a location is chosen), in a
 * location every request there. ntfy publishes a port-80 block that keeps its proxy settings behind
 * `return 302`: nginx 1.22.1 answers each handshake with the redirect, and its access log shows no
 * upstream (test/lint/rule-evidence.test.ts), so no WebSocket rule applies to such a block.
 */
function redirectsEveryRequest(block: NginxBlock): boolean {
  for (let level: NginxBlock | undefined = block; level; level = level.parent) {
    if (level.own.has('error_page')) return false;
  }
  const returns = (block.own.get('return') ?? []).some((node) => {
    const [first = ''] = node.args;
    return answeringReturn.test(first) || (node.args.length === 1 && /^(https?:\/\/|\$scheme)/.test(first));
  });
  if (returns) return true;
  return (block.own.get('rewrite') ?? []).some((node) => {
    const [pattern = '', replacement = '', flag] = node.args;
    if (!matchesEveryUri.test(pattern)) return false;
    return flag === 'redirect' || flag === 'permanent' || /^(https?:\/\/|\$scheme)/.test(replacement);
  });
}

const noJumps: ReadonlyMap<NginxLocation, NginxJump[]> = new Map();
const noSelection = new Map<NginxLocation, 'exact' | 'prefix'>();
const jumpDirectives = ['try_files', 'error_page', 'rewrite'];

/** Fills every location's `jumps` and returns, per target, the jumps that reach it. Only what is
 *  certain from the text is followed: a named location, or a literal URI (a `rewrite … last`
 *  replacement up to its first variable), matched as nginx matches a request's URI. */
function jumpsOf(server: MutableServer): ReadonlyMap<NginxLocation, NginxJump[]> {
  const locations: NginxLocation[] = [];
  let any = false;
  for (const { block, location } of server.inner) {
    if (!location || block !== location.block) continue; // an if/limit_except inside it
    locations.push(location);
    if (!any && jumpDirectives.some((name) => block.own.has(name))) any = true;
  }
  if (!any) return noJumps;
  const named = new Map(locations.filter((l) => l.modifier === '@').map((l) => [l.path, l]));
  const targetOf = (uri: string | undefined): NginxLocation | undefined => {
    if (uri === undefined) return undefined;
    if (uri.startsWith('@')) return named.get(uri);
    const literal = uri.split('$')[0]?.split('?')[0] ?? '';
    return literal.startsWith('/') ? selectLocation(server.locations, literal) : undefined;
  };
  const reached = new Map<NginxLocation, NginxJump[]>();
  for (const from of locations) {
    const own = from.block.own;
    const candidates: [NginxJump['via'], NginxDirective, string | undefined][] = [];
    for (const node of own.get('try_files') ?? []) candidates.push(['try_files', node, node.args.at(-1)]);
    for (const node of own.get('error_page') ?? []) candidates.push(['error_page', node, node.args.at(-1)]);
    for (const node of own.get('rewrite') ?? []) {
      // `last` searches the locations again with the new URI; `break` stays here; redirect and
      // permanent answer the client (ngx_http_rewrite_module).
      if (node.args[2] === 'last') candidates.push(['rewrite', node, node.args[1]]);
    }
    for (const [via, node, uri] of candidates) {
      // try_files' last argument may be =404, a code and not a URI.
      if (uri === undefined || uri.startsWith('=')) continue;
      const target = targetOf(uri);
      if (!target || target === from) continue;
      const jump: NginxJump = { via, node, from, target };
      (from.jumps as NginxJump[]).push(jump);
      const list = reached.get(target);
      if (list) list.push(jump);
      else reached.set(target, [jump]);
    }
  }
  return reached;
}

function mainContextOf(root: { readonly file: string; readonly directives: readonly NginxDirective[] }) {
  const last = (list: readonly NginxDirective[] | undefined, name: string) =>
    list?.filter((d) => d.name === name).at(-1);
  const events = last(root.directives, 'events');
  return {
    file: root.file,
    workerProcesses: last(root.directives, 'worker_processes'),
    workerRlimitNofile: last(root.directives, 'worker_rlimit_nofile'),
    events,
    workerConnections: last(events?.block, 'worker_connections'),
  } satisfies NginxMainContext;
}

const isHsts = (node: NginxDirective): boolean =>
  (node.args[0] ?? '').toLowerCase() === 'strict-transport-security';

function tlsSiteOf(server: NginxServer, mutable: MutableServer): TlsSite {
  const { block } = server;
  const hsts = inheritedList(block, 'add_header').directives.some(isHsts);
  const hstsDroppedAt: (Located & { label: string })[] = [];
  if (hsts) {
    for (const { block: inner, location } of mutable.inner) {
      const own = inner.own.get('add_header');
      if (own?.[0] && !own.some(isHsts)) {
        hstsDroppedAt.push({ ...placeOf(own[0]), label: location?.label ?? 'this block' });
      }
    }
  }
  let stapling: TlsSite['stapling'];
  const staplingDirective = effective(block, 'ssl_stapling');
  if (staplingDirective?.args[0] === 'on') {
    const missing: string[] = [];
    // No `resolver` is needed, whatever the ssl_stapling docs suggest: nginx resolves the responder's
    // name at start-up and uses that address when no resolver is set (ngx_ssl_ocsp_request; shown on
    // nginx 1.22.1 in test/lint/ocsp-stapling-evidence.test.ts). ssl_stapling_verify checks the
    // response against ssl_trusted_certificate, or against the certificate chain when the issuer
    // signed it (OCSP_TRUSTOTHER): only a delegated responder's answer needs the directive.
    if (
      effective(block, 'ssl_stapling_verify')?.args[0] === 'on' &&
      !effective(block, 'ssl_trusted_certificate')
    ) {
      missing.push('ssl_trusted_certificate');
    }
    stapling = { ...placeOf(staplingDirective), missing };
  }
  return { ...placeOf(server), label: server.label, hsts, hstsDroppedAt, stapling };
}

/** How to name a level in a message: `location /ws/`, `server example.com`, `the http block`. */
export function blockLabel(block: NginxBlock): string {
  const node = block.node;
  if (block.kind === 'server') {
    const name = block.own.get('server_name')?.[0]?.args.find((n) => n !== '_' && n !== '');
    if (!node) return 'the locations outside any server block';
    return name ? `server ${name}` : `the server block on line ${node.line}`;
  }
  if (!node) return block.kind === 'main' ? 'the main context' : 'the http context';
  if (block.kind === 'location') return `location ${node.args.join(' ')}`;
  return `the "${node.name}" block on line ${node.line}`;
}
