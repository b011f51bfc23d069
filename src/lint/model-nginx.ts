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
import { type LintSettings, namesSocket, type TlsFacts, type TlsSite } from './model.js';
import type { NginxDirective, ParsedNginx } from './parse-nginx.js';

export type NginxBlockKind = 'main' | 'http' | 'server' | 'location' | 'if' | 'limit_except';

/** One configuration level and the directives set directly in it. */
export interface NginxBlock {
  readonly kind: NginxBlockKind;
  /** The `server`, `location`, … directive that opens it; undefined for a file's top level. */
  readonly node: NginxDirective | undefined;
  readonly parent: NginxBlock | undefined;
  readonly own: ReadonlyMap<string, readonly NginxDirective[]>;
  /** The file given on the command line this level was read from (relative paths resolve there). */
  readonly mainFile: string;
}

export type LocationModifier = '' | '=' | '~' | '~*' | '^~' | '@';

export interface NginxLocation {
  readonly node: NginxDirective;
  readonly modifier: LocationModifier;
  readonly path: string;
  readonly block: NginxBlock;
  readonly children: readonly NginxLocation[];
  readonly label: string;
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
}

export interface EffectiveHeaders {
  /** Lower-case header name → the directive that sets it for this level. */
  readonly byName: ReadonlyMap<string, HeaderSetting>;
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
  /** It carries WebSocket traffic: it sets Upgrade, its path names a socket, or --ws-path names it. */
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
    const set = level.own.get(name);
    if (set) return set[set.length - 1];
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

const headerSetting = (node: NginxDirective): HeaderSetting => ({
  name: node.args[0] ?? '',
  value: node.args[1] ?? '',
  node,
});

export function effectiveHeaders(block: NginxBlock, directive: string): EffectiveHeaders {
  const { directives, from } = inheritedList(block, directive);
  const byName = new Map<string, HeaderSetting>();
  for (const node of directives) byName.set((node.args[0] ?? '').toLowerCase(), headerSetting(node));
  const outer = from?.parent ? inheritedList(from.parent, directive).directives : [];
  const dropped = outer.map(headerSetting).filter((header) => !byName.has(header.name.toLowerCase()));
  return { byName, from, dropped };
}

function makeBlock(
  kind: NginxBlockKind,
  node: NginxDirective | undefined,
  parent: NginxBlock | undefined,
  directives: readonly NginxDirective[],
  mainFile: string,
): NginxBlock {
  const own = new Map<string, NginxDirective[]>();
  for (const directive of directives) {
    const set = own.get(directive.name);
    if (set) set.push(directive);
    else own.set(directive.name, [directive]);
  }
  return { kind, node, parent, own, mainFile };
}

/** `location [=|~|~*|^~] uri` or `location @name`; nginx also accepts the modifier glued on (`=/x`). */
function locationOf(node: NginxDirective, block: NginxBlock): NginxLocation {
  const [first = '', second] = node.args;
  let modifier: LocationModifier = '';
  let path = first;
  if (second !== undefined && ['=', '~', '~*', '^~'].includes(first)) {
    modifier = first as LocationModifier;
    path = second;
  } else if (first.startsWith('@')) {
    modifier = '@';
  } else if (first.startsWith('=')) {
    modifier = '=';
    path = first.slice(1);
  } else if (first.startsWith('~*')) {
    modifier = '~*';
    path = first.slice(2);
  } else if (first.startsWith('~')) {
    modifier = '~';
    path = first.slice(1);
  }
  const label = `location ${modifier && modifier !== '@' ? `${modifier} ` : ''}${path}`;
  return { node, modifier, path, block, children: [], label };
}

const regexMatches = (location: NginxLocation, uri: string): boolean => {
  try {
    return new RegExp(location.path, location.modifier === '~*' ? 'i' : '').test(uri);
  } catch {
    return false; // a PCRE construct JavaScript lacks: not matched rather than guessed
  }
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
  const index = new Map<string, NginxEntry[]>();
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
      if (entries) entries.push({ node, block });
      else index.set(node.name, [{ node, block }]);
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
    const position = placeOf(node ?? firstLocation ?? { file: block.mainFile, line: 1, column: 1 });
    const label = blockLabel(block);
    const server: NginxServer = { ...position, block, node, label, tls, locations: mutable.locations };
    finishedServers.push(server);

    const selected = new Map<NginxLocation, 'exact' | 'prefix'>();
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

    for (const { block: inner, location } of mutable.inner) {
      const proxyPass = inner.own.get('proxy_pass')?.[0];
      if (!proxyPass) continue;
      const headers = effectiveHeaders(inner, 'proxy_set_header');
      const upgrade = headers.byName.get('upgrade');
      const pathNamesSocket = location ? namesSocket(location.path) : false;
      const selectedByWsPath = location ? selected.get(location) : undefined;
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
        webSocket:
          (upgrade !== undefined && upgrade.value !== '') ||
          pathNamesSocket ||
          selectedByWsPath !== undefined,
        servesPlainHttp:
          !pathNamesSocket &&
          !(selectedByWsPath === 'exact' && location !== undefined && location.path !== '/'),
      });
    }

    if (tls) tlsSites.push(tlsSiteOf(server, mutable));
  }

  const entries = (name: string): readonly NginxEntry[] => index.get(name) ?? [];
  let variables: Map<string, NginxDirective[]> | undefined;
  const variableUses = (name: string): readonly NginxDirective[] => {
    if (!variables) {
      variables = new Map();
      const pattern = /\$\{?([A-Za-z0-9_]+)/g;
      for (const [directiveName, list] of index) {
        if (directiveName === 'map') continue; // a map's target is where the variable is made, not used
        for (const { node } of list) {
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
    // "For a resolution of the OCSP responder hostname, the resolver directive should also be
    // specified" (ngx_http_ssl_module, ssl_stapling).
    if (!effective(block, 'resolver')) missing.push('resolver');
    // ssl_stapling_verify checks the response against ssl_trusted_certificate (same page).
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
