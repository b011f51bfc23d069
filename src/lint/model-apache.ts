/**
 * The Apache side of the resolved model: sites (each <VirtualHost>, and the main server when it serves
 * anything itself), their effective settings, the proxy routes they define, which routes carry
 * WebSocket traffic, and the TLS facts the shared TLS rules read.
 *
 * httpd merges the main server's configuration into every virtual host: a directive a virtual host
 * does not set takes the main server's value (https://httpd.apache.org/docs/2.4/vhosts/details.html).
 * Conditional sections (<IfModule>, <IfDefine>, <IfVersion>, <IfFile>, <IfDirective>, <IfSection>) are
 * read as if their condition held: lint cannot know the modules a server loads, and a config written
 * for WebSocket proxying means them to.
 */
import type { ApacheMpm } from '../core/capacity.js';
import { conditionalSections } from './apache-conditional.js';
import { type Located, placeOf } from './finding.js';
import {
  type LintSettings,
  namesSocket,
  type TlsFacts,
  type TlsSite,
  withoutTrailingSlash,
} from './model.js';
import type { ApacheDirective, ParsedApache } from './parse-apache.js';

export interface ApacheSite extends Located {
  readonly node: ApacheDirective | undefined;
  /** `<VirtualHost *:443>` or `the main server`. */
  readonly label: string;
  readonly tls: boolean;
  /** The value of a directive for this site: its own, else the main server's. */
  setting(key: string): ApacheDirective | undefined;
  /** Every directive with this key that applies somewhere in the site: its own (including inside
   *  <Location>, <Directory>, <Proxy> sections) and the main server's. */
  everywhere(key: string): readonly ApacheDirective[];
  readonly routes: readonly ApacheRoute[];
}

export type RouteKind = 'ProxyPass' | 'ProxyPassMatch' | 'RewriteRule';

export interface ApacheRoute {
  readonly node: ApacheDirective;
  readonly kind: RouteKind;
  readonly site: ApacheSite;
  /** The URL path (or, for ProxyPassMatch and RewriteRule, the regex) the route serves. */
  readonly path: string;
  readonly pathIsRegex: boolean;
  /** Where the path argument is written (the <Location> line for a ProxyPass inside one). */
  readonly pathAt: Located;
  /** A ProxyPass inside <Location> or <LocationMatch>. httpd tries it before the server's ProxyPass
   *  list (mod_proxy.c proxy_trans: the "short way"), and of several <Location> sections matching a
   *  request the last one in the file gives the ProxyPass (sections merge in order; both shown on httpd
   *  2.4 in test/lint/apache-path-evidence.test.ts). */
  readonly inLocation: boolean;
  /** Written inside a request section (<Location>, <Directory>, <Proxy>, …), not at the site's level:
   *  a RewriteRule there is per-directory, with RewriteEngine of its own context. */
  readonly inSection: boolean;
  readonly url: string;
  readonly urlAt: Located;
  /** Lower-case schemes the route reaches: of the URL, or of the members of a balancer:// URL. */
  readonly schemes: readonly string[];
  /** `key=value` parameters of ProxyPass, keys lower-case. */
  readonly params: ReadonlyMap<string, { readonly value: string; readonly at: Located }>;
  /** A RewriteRule that only applies when the request asks for an Upgrade (RewriteCond %{HTTP:Upgrade}). */
  readonly upgradeCondition: boolean;
  /** A RewriteRule that only applies when the request does NOT ask for one (`RewriteCond %{HTTP:Upgrade}
   *  !=websocket`: a CondPattern starting with `!` is negated, mod_rewrite docs), so upgrades pass it by. */
  readonly upgradeExcluded: boolean;
  /** A RewriteRule's own RewriteCond lines, in order (they apply to the next RewriteRule only). */
  readonly conditions: readonly ApacheDirective[];
  readonly pathNamesSocket: boolean;
  /** It is the route a `--ws-path` reaches. */
  readonly selectedByWsPath: boolean;
  /** It carries WebSocket traffic: ws:// or wss:// URL, Upgrade condition, upgrade= parameter, a
   *  path that names a socket, or --ws-path. */
  readonly webSocket: boolean;
}

export interface ApacheModel {
  readonly sites: readonly ApacheSite[];
  readonly routes: readonly ApacheRoute[];
  /** RewriteRules whose conditions never hold (unmetLookup): they route nothing, so they are in no
   *  site's `routes`, and only apache-upgrade-condition, which explains why, reads them. */
  readonly deadRewrites: readonly ApacheRoute[];
  /** The RewriteCond lines of those rules that never hold, and the map each looks up. */
  readonly unmetLookups: ReadonlyMap<ApacheDirective, UnmetLookup>;
  /** Every directive with this key anywhere, in file order. */
  directives(key: string): readonly ApacheDirective[];
  readonly mpmSizing: ApacheMpmSizing;
}

/** `maxrequestworkers` stands for MaxClients too: 2.2's name, which 2.4 still reads into the same setting
 *  (mpm_common docs, MaxRequestWorkers). */
export type MpmSizingKey = 'maxrequestworkers' | 'threadsperchild' | 'threadlimit' | 'serverlimit';

/**
 * The MPM sizing directives as httpd reads them. httpd loads one MPM, and only that MPM's
 * `<IfModule mpm_event_module>` (or `<IfModule event.c>`) sections count for it; directives outside such
 * sections count for every MPM. Each directive stores its value as httpd reads it, so of several that
 * apply the last one read is the one httpd runs with (server/mpm/event/event.c, set_max_workers and the
 * others): Debian's `MaxRequestWorkers 150` with `MaxRequestWorkers 1280` appended runs 1280, and
 * `apache2 -t` says nothing of the 150.
 */
export interface ApacheMpmSizing {
  /** The MPMs the files size, in the order first met: each with a section holding a sizing directive,
   *  and the event MPM (the one Debian and the upstream build default to) for directives outside them. */
  readonly mpms: readonly ApacheMpm[];
  /** Every directive for `key` that applies when `mpm` is loaded, in the order httpd reads them. */
  applying(mpm: ApacheMpm, key: MpmSizingKey): readonly ApacheDirective[];
  /** The one httpd runs `mpm` with: the last that applies. */
  setting(mpm: ApacheMpm, key: MpmSizingKey): ApacheDirective | undefined;
}

/** `<IfModule mpm_event_module>` or `<IfModule event.c>`: the MPM its contents are for. */
const mpmSection = /^(?:mpm_(event|worker|prefork)_module|(event|worker|prefork)\.c)$/i;
const mpmSizingKeys: readonly MpmSizingKey[] = [
  'maxrequestworkers',
  'threadsperchild',
  'threadlimit',
  'serverlimit',
];
const mpmSizingKeyOf = (key: string): MpmSizingKey | undefined =>
  key === 'maxclients' ? 'maxrequestworkers' : mpmSizingKeys.find((known) => known === key);

function mpmSizingOf(parsed: ParsedApache): ApacheMpmSizing {
  /** Each sizing directive with its key and the MPM of the innermost MPM section around it, if any. */
  const read: { node: ApacheDirective; key: MpmSizingKey; mpm: ApacheMpm | undefined }[] = [];
  // Includes are spliced in where they stand, so this walk meets directives in the order httpd reads them.
  // An explicit stack, in file order: thousands of nested sections must not overflow the call stack.
  const walk = (nodes: readonly ApacheDirective[], mpm: ApacheMpm | undefined): void => {
    const stack = [{ nodes, index: 0, mpm }];
    for (let frame = stack.at(-1); frame; frame = stack.at(-1)) {
      const node = frame.nodes[frame.index++];
      if (!node) {
        stack.pop();
        continue;
      }
      if (node.section) {
        const match = node.key === 'ifmodule' ? mpmSection.exec(node.args[0] ?? '') : null;
        const named = (match?.[1] ?? match?.[2])?.toLowerCase() as ApacheMpm | undefined;
        stack.push({ nodes: node.section, index: 0, mpm: named ?? frame.mpm });
        continue;
      }
      const key = mpmSizingKeyOf(node.key);
      if (key) read.push({ node, key, mpm: frame.mpm });
    }
  };
  for (const root of parsed.roots) walk(root.directives, undefined);
  const applying = (mpm: ApacheMpm, key: MpmSizingKey): ApacheDirective[] =>
    read.filter((entry) => entry.key === key && (entry.mpm ?? mpm) === mpm).map((entry) => entry.node);
  return {
    mpms: [...new Set(read.map((entry) => entry.mpm ?? 'event'))],
    applying,
    setting: (mpm, key) => applying(mpm, key).at(-1),
  };
}

/** Sections that scope directives to some requests; their contents still belong to the site. */
const requestSections = new Set([
  'location',
  'locationmatch',
  'directory',
  'directorymatch',
  'files',
  'filesmatch',
  'proxy',
  'proxymatch',
  'if',
  'elseif',
  'else',
  'limit',
  'limitexcept',
]);

interface Scope {
  /** Directives set for the site itself (through conditionals, not inside request sections). */
  readonly own: Map<string, ApacheDirective[]>;
  /** Every directive in the site, request sections included. */
  readonly all: Map<string, ApacheDirective[]>;
  /** ProxyPass/ProxyPassMatch/RewriteRule as found, with the section they sit in. */
  readonly routeNodes: {
    node: ApacheDirective;
    section: ApacheDirective | undefined;
    upgradeCondition: boolean;
    upgradeExcluded: boolean;
    conditions: readonly ApacheDirective[];
  }[];
}

const newScope = (): Scope => ({ own: new Map(), all: new Map(), routeNodes: [] });
const add = (map: Map<string, ApacheDirective[]>, node: ApacheDirective): void => {
  const list = map.get(node.key);
  if (list) list.push(node);
  else map.set(node.key, [node]);
};

/** Fills `scope` from `directives`; <VirtualHost> sections met at the top are handed to `onVhost`.
 *  Walked with an explicit stack, in file order, so deeply nested sections cannot overflow the stack. */
function collect(
  directives: readonly ApacheDirective[],
  scope: Scope,
  section: ApacheDirective | undefined,
  onVhost: ((node: ApacheDirective) => void) | undefined,
  everything: Map<string, ApacheDirective[]>,
): void {
  /** What the RewriteCond lines read since the last RewriteRule say: they apply to the next RewriteRule
   *  httpd reads, and a conditional section is read as if it were not there (the RewriteRule may sit in
   *  an <IfModule> after them: the session 9 cold attack), so its frame shares its parent's. */
  interface Pending {
    /** A RewriteCond on Upgrade (negated: upgradeExcluded). */
    upgradeCondition: boolean;
    upgradeExcluded: boolean;
    conditions: ApacheDirective[];
  }
  interface Frame {
    readonly nodes: readonly ApacheDirective[];
    index: number;
    readonly section: ApacheDirective | undefined;
    readonly onVhost: ((node: ApacheDirective) => void) | undefined;
    readonly pending: Pending;
  }
  const nothingPending = (): Pending => ({ upgradeCondition: false, upgradeExcluded: false, conditions: [] });
  const stack: Frame[] = [{ nodes: directives, index: 0, section, onVhost, pending: nothingPending() }];
  for (let frame = stack.at(-1); frame; frame = stack.at(-1)) {
    const node = frame.nodes[frame.index++];
    if (!node) {
      stack.pop();
      continue;
    }
    add(everything, node);
    if (node.section) {
      if (node.key === 'virtualhost' && frame.onVhost) frame.onVhost(node);
      else if (conditionalSections.has(node.key)) {
        stack.push({
          nodes: node.section,
          index: 0,
          section: frame.section,
          onVhost: frame.onVhost,
          pending: frame.pending,
        });
      } else if (requestSections.has(node.key)) {
        stack.push({
          nodes: node.section,
          index: 0,
          section: node,
          onVhost: undefined,
          pending: nothingPending(),
        });
      }
      continue;
    }
    add(scope.all, node);
    if (!frame.section) add(scope.own, node);
    const { pending } = frame;
    if (node.key === 'rewritecond') {
      pending.conditions.push(node);
      if (/%\{HTTP:Upgrade\}/i.test(node.args[0] ?? '')) {
        const pattern = node.args[1] ?? '';
        const negated = pattern.startsWith('!');
        // Only a condition about WebSocket upgrades counts: `%{HTTP:Upgrade} ^h2c$` takes none.
        if (conditionMatchesWebSocket(negated ? pattern.slice(1) : pattern, node.args[2] ?? '')) {
          if (negated) pending.upgradeExcluded = true;
          else pending.upgradeCondition = true;
        }
      }
    } else if (node.key === 'rewriterule') {
      const { upgradeCondition, upgradeExcluded, conditions } = pending;
      scope.routeNodes.push({ node, section: frame.section, upgradeCondition, upgradeExcluded, conditions });
      // RewriteCond applies to the next RewriteRule only (mod_rewrite docs)
      pending.conditions = [];
      pending.upgradeCondition = false;
      pending.upgradeExcluded = false;
    } else if (node.key === 'proxypass' || node.key === 'proxypassmatch') {
      scope.routeNodes.push({
        node,
        section: frame.section,
        upgradeCondition: false,
        upgradeExcluded: false,
        conditions: [],
      });
    }
  }
}

const schemeOf = (url: string): string => {
  // unix:/path/to.sock|http://localhost/ reaches the scheme after the bar (mod_proxy, ProxyPass).
  const target = url.toLowerCase().startsWith('unix:') ? (url.split('|')[1] ?? '') : url;
  return /^([a-z][a-z0-9+.-]*):\/\//i.exec(target)?.[1]?.toLowerCase() ?? '';
};

/** The RewriteRule flags say the rule proxies: [P] or [proxy] (mod_rewrite flags). */
const proxies = (flags: string | undefined): boolean =>
  (flags ?? '')
    .replace(/^\[|\]$/g, '')
    .split(',')
    .some((flag) => /^(p|proxy)$/i.test(flag.trim()));

export function buildApacheModel(
  parsed: ParsedApache,
  settings: LintSettings,
): { readonly apache: ApacheModel; readonly tls: TlsFacts } {
  const everything = new Map<string, ApacheDirective[]>();
  const main = newScope();
  const vhostNodes: ApacheDirective[] = [];
  for (const root of parsed.roots) {
    collect(root.directives, main, undefined, (node) => vhostNodes.push(node), everything);
  }
  const mainFileOf = new Map<ApacheDirective, string>();
  const remember = (directives: readonly ApacheDirective[], file: string): void => {
    for (const node of directives) {
      mainFileOf.set(node, file);
      if (node.section) remember(node.section, file);
    }
  };
  for (const root of parsed.roots) remember(root.directives, root.file);

  // Balancer members, from <Proxy balancer://name> sections: their URLs and `key=value` parameters.
  const balancers = new Map<string, ApacheDirective[]>();
  for (const proxy of everything.get('proxy') ?? []) {
    const name = balancerName(proxy.args[0] ?? '');
    if (!name) continue;
    const members = (proxy.section ?? []).filter(
      (member) => member.key === 'balancermember' && member.args[0],
    );
    balancers.set(name, [...(balancers.get(name) ?? []), ...members]);
  }
  const backendOf = (url: string): Backend => {
    const name = balancerName(url);
    const members = name ? (balancers.get(name) ?? []) : [];
    if (!name || members.length === 0) return { schemes: [schemeOf(url)], upgrade: undefined };
    // The members' own upgrade= counts when every member says the same (mod_proxy_balancer workers).
    const upgrades = members.map((member) => paramsOf(member, 1).get('upgrade'));
    const first = upgrades[0];
    const shared =
      first && upgrades.every((u) => u?.value.toLowerCase() === first.value.toLowerCase())
        ? first
        : undefined;
    return {
      schemes: [...new Set(members.map((member) => schemeOf(member.args[0] ?? '')))],
      upgrade: shared,
    };
  };

  const setting = (own: Map<string, ApacheDirective[]>, key: string): ApacheDirective | undefined =>
    own.get(key)?.at(-1) ?? main.own.get(key)?.at(-1);

  const sites: ApacheSite[] = [];
  const routes: ApacheRoute[] = [];
  const deadRewrites: ApacheRoute[] = [];
  const unmetLookups = new Map<ApacheDirective, UnmetLookup>();

  const makeSite = (
    scope: Scope,
    node: ApacheDirective | undefined,
    label: string,
    position: Located,
  ): ApacheSite => {
    const engine = setting(scope.own, 'sslengine');
    const tls =
      /^on$/i.test(engine?.args[0] ?? '') ||
      (scope.own.has('sslcertificatefile') && !/^off$/i.test(engine?.args[0] ?? ''));
    const siteRoutes: ApacheRoute[] = [];
    const site: ApacheSite = {
      ...position,
      node,
      label,
      tls,
      setting: (key) => setting(scope.own, key),
      everywhere: (key) => [...(scope.all.get(key) ?? []), ...(node ? (main.all.get(key) ?? []) : [])],
      routes: siteRoutes,
    };
    const drafts = scope.routeNodes.flatMap((found) => routeDraftOf(found, backendOf) ?? []);
    // --ws-path reaches the ProxyPass with the longest prefix of it (configs list specific paths
    // first, as httpd's docs ask, so this is also the one that matches).
    const selected = new Set<RouteDraft>();
    for (const wsPath of settings.wsPaths) {
      let best: RouteDraft | undefined;
      for (const draft of drafts) {
        if (draft.kind !== 'ProxyPass' || draft.pathIsRegex) continue;
        const prefix = withoutTrailingSlash(draft.path);
        const reaches =
          prefix === '/' || withoutTrailingSlash(wsPath) === prefix || wsPath.startsWith(`${prefix}/`);
        if (reaches && (!best || draft.path.length > best.path.length)) best = draft;
      }
      if (best) selected.add(best);
    }
    // The maps defined so far: the main server's and this site's own (collected before it is made).
    const maps = new Set(
      (everything.get('rewritemap') ?? []).map((map) => (map.args[0] ?? '').toLowerCase()),
    );
    for (const draft of drafts) {
      const selectedByWsPath = selected.has(draft);
      const route = { ...draft, site, selectedByWsPath, webSocket: draft.webSocket || selectedByWsPath };
      let dead = false;
      if (draft.kind === 'RewriteRule') {
        for (const [index, condition] of draft.conditions.entries()) {
          const lookup = unmetLookup(draft.conditions, index, maps);
          if (lookup) unmetLookups.set(condition, lookup);
          dead ||= lookup !== undefined;
        }
      }
      (dead ? deadRewrites : siteRoutes).push(route);
    }
    routes.push(...siteRoutes);
    return site;
  };

  const mainServes = ['proxypass', 'proxypassmatch', 'rewriterule', 'sslengine', 'sslcertificatefile'].some(
    (key) => main.own.has(key),
  );
  if (mainServes || main.routeNodes.length > 0) {
    // Findings about the main server as a whole point at what makes it a site.
    const first =
      main.own.get('sslengine')?.[0] ??
      main.own.get('sslcertificatefile')?.[0] ??
      main.routeNodes[0]?.node ??
      parsed.roots.find((root) => root.directives.length > 0)?.directives[0];
    const position = first ? placeOf(first) : { file: parsed.roots[0]?.file ?? '', line: 1, column: 1 };
    sites.push(makeSite(main, undefined, 'the main server', position));
  }
  for (const vhost of vhostNodes) {
    const scope = newScope();
    collect(vhost.section ?? [], scope, undefined, undefined, everything);
    sites.push(makeSite(scope, vhost, `<VirtualHost ${vhost.args.join(' ')}>`, placeOf(vhost)));
  }

  const tls: TlsFacts = {
    protocols: (everything.get('sslprotocol') ?? []).map((node) => ({
      ...placeOf(node),
      directive: node.name,
      enabled: enabledProtocols(node.args),
    })),
    ciphers: (everything.get('sslciphersuite') ?? []).flatMap((node) => {
      // `SSLCipherSuite TLSv1.3 …` configures TLS 1.3 suites, which are all strong; `SSL …` or a
      // single argument is the OpenSSL cipher string for TLS 1.2 and below (mod_ssl docs).
      const [first = '', second] = node.args;
      if (second !== undefined && /^tlsv1\.3$/i.test(first)) return [];
      return [{ ...placeOf(node), directive: node.name, cipherString: second ?? first }];
    }),
    serverCipherOrder: (everything.get('sslhonorcipherorder') ?? []).map((node) => ({
      ...placeOf(node),
      directive: node.name,
      on: /^on$/i.test(node.args[0] ?? ''),
    })),
    sites: sites.filter((site) => site.tls).map(tlsSiteOf),
    certificateFiles: [
      'sslcertificatefile',
      'sslcertificatekeyfile',
      'sslcertificatechainfile',
      'sslcacertificatefile',
    ].flatMap((key) =>
      (everything.get(key) ?? []).map((node) => ({
        ...placeOf(node),
        directive: node.name,
        path: node.args[0] ?? '',
        // Relative certificate paths resolve like other httpd paths; the main file's directory stands
        // in for ServerRoot, which a config linted away from the server rarely matches anyway.
        mainFile: mainFileOf.get(node) ?? '',
      })),
    ),
  };
  return {
    apache: {
      sites,
      routes,
      deadRewrites,
      unmetLookups,
      directives: (key) => everything.get(key) ?? [],
      mpmSizing: mpmSizingOf(parsed),
    },
    tls,
  };

  function tlsSiteOf(site: ApacheSite): TlsSite {
    const hsts = site.everywhere('header').some((node) => {
      const args = node.args.map((a) => a.toLowerCase());
      const action = args[0] === 'always' || args[0] === 'onsuccess' ? args[1] : args[0];
      const name = args[0] === 'always' || args[0] === 'onsuccess' ? args[2] : args[1];
      return (
        ['set', 'add', 'append', 'merge', 'setifempty'].includes(action ?? '') &&
        name === 'strict-transport-security'
      );
    });
    let stapling: TlsSite['stapling'];
    const staplingDirective = site.setting('sslusestapling');
    if (/^on$/i.test(staplingDirective?.args[0] ?? '') && staplingDirective) {
      // "SSLStaplingCache … Configures the cache used to store OCSP responses which get included in
      // the TLS handshake if SSLUseStapling is enabled. Configuration of a cache is mandatory for
      // OCSP stapling." (mod_ssl docs); it is a server-wide directive.
      const missing = main.own.has('sslstaplingcache') ? [] : ['SSLStaplingCache'];
      stapling = { ...placeOf(staplingDirective), missing };
    }
    return { ...placeOf(site), label: site.label, hsts, hstsDroppedAt: [], stapling };
  }
}

type RouteDraft = Omit<ApacheRoute, 'site' | 'selectedByWsPath'>;
type Param = { readonly value: string; readonly at: Located };
/** Where a URL's requests go: the schemes of its balancer members or its own, and a shared upgrade=. */
interface Backend {
  readonly schemes: readonly string[];
  readonly upgrade: Param | undefined;
}

/** `balancer://name` of a URL, lower-case, or undefined when it is no balancer URL. */
const balancerName = (url: string): string | undefined =>
  /^balancer:\/\/([^/]+)/i.exec(url)?.[1]?.toLowerCase();

/** The `key=value` arguments from index `from` on, keys lower-case. */
function paramsOf(node: ApacheDirective, from: number): Map<string, Param> {
  const params = new Map<string, Param>();
  node.args.slice(from).forEach((arg, i) => {
    const eq = arg.indexOf('=');
    if (eq > 0)
      params.set(arg.slice(0, eq).toLowerCase(), {
        value: arg.slice(eq + 1),
        at: node.argAt[from + i] ?? placeOf(node),
      });
  });
  return params;
}

function routeDraftOf(
  found: Scope['routeNodes'][number],
  backendOf: (url: string) => Backend,
): RouteDraft | undefined {
  const { node, section } = found;
  const kind: RouteKind =
    node.key === 'proxypass' ? 'ProxyPass' : node.key === 'proxypassmatch' ? 'ProxyPassMatch' : 'RewriteRule';
  let path: string;
  let pathAt: Located;
  let urlIndex: number;
  if (kind === 'RewriteRule') {
    if (!proxies(node.args[2])) return undefined;
    path = node.args[0] ?? '';
    pathAt = node.argAt[0] ?? placeOf(node);
    urlIndex = 1;
  } else if (section && /^location(match)?$/.test(section.key)) {
    // Inside <Location /x>, ProxyPass takes only the URL and the section gives the path; in
    // <Location ~ "re"> the path is the regex after the ~ (the cold attack: read as "~" before).
    const tilde = section.key === 'location' && section.args[0] === '~' ? 1 : 0;
    path = section.args[tilde] ?? '/';
    pathAt = section.argAt[tilde] ?? placeOf(section);
    urlIndex = 0;
  } else {
    path = node.args[0] ?? '';
    pathAt = node.argAt[0] ?? placeOf(node);
    urlIndex = 1;
  }
  const url = node.args[urlIndex] ?? '';
  if (url === '' || url === '!') return undefined; // `ProxyPass /x !` excludes a path from proxying
  const params = kind === 'RewriteRule' ? new Map<string, Param>() : paramsOf(node, urlIndex + 1);
  const backend = backendOf(url);
  if (!params.has('upgrade') && backend.upgrade) params.set('upgrade', backend.upgrade);
  const schemes = backend.schemes;
  const pathIsRegex =
    kind !== 'ProxyPass' ||
    section?.key === 'locationmatch' ||
    (section?.key === 'location' && section.args[0] === '~');
  const pathNamesSocket = namesSocket(path);
  return {
    node,
    kind,
    path,
    pathIsRegex,
    pathAt,
    url,
    urlAt: node.argAt[urlIndex] ?? placeOf(node),
    schemes,
    params,
    inLocation: kind === 'ProxyPass' && section !== undefined && /^location(match)?$/.test(section.key),
    inSection: section !== undefined,
    upgradeCondition: found.upgradeCondition,
    upgradeExcluded: found.upgradeExcluded,
    conditions: found.conditions,
    pathNamesSocket,
    webSocket:
      pathNamesSocket ||
      found.upgradeCondition ||
      params.has('upgrade') ||
      schemes.some((scheme) => scheme === 'ws' || scheme === 'wss'),
  };
}

/**
 * Whether a RewriteCond pattern on %{HTTP:Upgrade} can match a WebSocket upgrade's header,
 * "websocket" (mod_rewrite docs, RewriteCond: a regex by default, `=x` compares as text, [NC] ignores
 * case). A form lint does not read (`-f`, `<x`, a PCRE construct JavaScript lacks) counts as matching.
 */
function conditionMatchesWebSocket(pattern: string, flags: string): boolean {
  return conditionMatches(pattern, flags, 'websocket');
}

/** Whether a RewriteCond's CondPattern (without its `!`) matches `value`, as mod_rewrite compares:
 *  a regex by default, `=x` as text, [NC] ignoring case. A form lint does not read (`-f`, `<x`, a PCRE
 *  construct JavaScript lacks) counts as matching, so that no finding rests on a guess. */
/** Whether the RewriteCond at `index` is joined to a neighbour with [OR]: the chain holds when one of
 *  its conditions does, so a failing one may be covered by another. */
export const joinedByOr = (conditions: readonly ApacheDirective[], index: number): boolean =>
  [conditions[index], conditions[index - 1]].some((condition) =>
    /\bOR\b|ornext/i.test(condition?.args[2] ?? ''),
  );

/**
 * The map lookup of a RewriteCond that never holds, or undefined: a test string `${HTTP:…}`, `${ENV:…}`
 * or `${SSL:…}` is a RewriteMap lookup (mod_rewrite docs, RewriteCond TestString), the name of a `%{…}`
 * variable family written with `$`, and with no map of that name (and no `|default`) it gives "", which
 * a pattern that needs a character never matches: httpd 2.4.71's rewrite trace says input='' (Baserow's
 * and Twake's published vhosts, the session 9 and 10 sweeps). Negated patterns and [OR] chains are
 * left alone. Only these family names are read, so a map a file not linted defines is not missed.
 */
export interface UnmetLookup {
  readonly map: string;
  readonly key: string;
}

function unmetLookup(
  conditions: readonly ApacheDirective[],
  index: number,
  maps: ReadonlySet<string>,
): UnmetLookup | undefined {
  const condition = conditions[index];
  if (!condition || joinedByOr(conditions, index)) return undefined;
  const [test = '', pattern = '', flags = ''] = condition.args;
  if (pattern.startsWith('!')) return undefined;
  const lookup = /^\$\{(HTTP|ENV|SSL):([^}|]*)\}$/i.exec(test);
  if (!lookup || maps.has((lookup[1] as string).toLowerCase())) return undefined;
  if (conditionMatches(pattern, flags, '')) return undefined;
  return { map: lookup[1] as string, key: lookup[2] as string };
}

export function conditionMatches(pattern: string, flags: string, value: string): boolean {
  const noCase = /\bNC\b|nocase/i.test(flags);
  if (pattern.startsWith('=')) {
    const text = pattern.slice(1);
    return noCase ? text.toLowerCase() === value.toLowerCase() : text === value;
  }
  if (/^[-<>]/.test(pattern)) return true;
  try {
    return new RegExp(pattern, noCase ? 'i' : '').test(value);
  } catch {
    return true;
  }
}

/** What SSLProtocol leaves enabled. mod_ssl (ssl_engine_config.c, ssl_cmd_protocol_parse): a word
 *  without + or - replaces the set, `+x` adds, `-x` removes; `all` is every protocol the library has
 *  (SSLv3 and TLSv1 to TLSv1.3). SSLv2 is gone from httpd 2.4, so only `-SSLv2` is accepted. */
export function enabledProtocols(args: readonly string[]): string[] {
  const all = ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
  const canonical = new Map([...all, 'SSLv2'].map((name) => [name.toLowerCase(), name]));
  let enabled = new Set<string>();
  for (const word of args) {
    const action = word[0] === '+' || word[0] === '-' ? word[0] : '';
    const name = (action ? word.slice(1) : word).toLowerCase();
    const protocols = name === 'all' ? all : canonical.has(name) ? [canonical.get(name) as string] : [];
    if (action === '-') for (const p of protocols) enabled.delete(p);
    else if (action === '+') for (const p of protocols) enabled.add(p);
    else enabled = new Set(protocols);
  }
  return all.filter((p) => enabled.has(p)).concat(enabled.has('SSLv2') ? ['SSLv2'] : []);
}
