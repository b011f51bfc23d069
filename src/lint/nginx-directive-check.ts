/**
 * What `nginx -t` checks before any directive's own handler runs (ngx_conf_handler in
 * src/core/ngx_conf_file.c): the name is known, it is allowed in the context it stands in, it opens a
 * block if and only if it is a block directive, and it has an argument count its ngx_command_t allows.
 * The table (nginx-directives.ts) is probed from the nginx binary itself (scripts/probe-nginx-directives.mjs:
 * Debian's nginx 1.22.1, every module it is built with). nginx reports each problem at the line of the
 * `;` or `{` that ends the directive; so does this check (test/lint/agrees-with-servers.test.ts).
 *
 * What the table cannot know is not reported:
 *   - third-party modules (OpenResty's Lua, headers-more, njs, NGINX Plus, …): nginx built or loaded
 *     with them accepts their directives, and lint cannot know which are loaded, so a name matching a
 *     known third-party module is skipped with the block it opens (its contents follow that module's
 *     rules); so are Debian's dynamic modules that were not installed where the table was probed
 *     (stream, mail, geoip, perl, xslt, image_filter);
 *   - with a --server-version newer than the table's, a name the table lacks may be a newer directive.
 * Pure, and iterative: nesting thousands deep must not overflow the stack.
 */
import { compareVersions } from '../core/versions.js';
import type { Located, ParseProblem } from './finding.js';
import { nginxDirectiveRows, nginxDirectiveTableVersion } from './nginx-directives.js';
import type { NginxDirective } from './parse-nginx.js';

/** A context as nginx's cf->cmd_type names it: main, events, http, server, location, if-server, … */
export type NginxContext = string;

interface Command {
  readonly contexts: ReadonlySet<string>;
  /** Whether nginx accepts this many arguments (the name not counted). */
  readonly takes: (count: number) => boolean;
  readonly block: boolean;
}

function countCheck(args: string): (count: number) => boolean {
  if (args === 'any') return () => true;
  if (args === '1+') return (count) => count >= 1;
  if (args === '2+') return (count) => count >= 2;
  // NGX_CONF_MAX_ARGS is 8, the name included.
  const allowed = new Set(args.split(',').map(Number));
  return (count) => count <= 7 && allowed.has(count);
}

const commands = new Map<string, Command[]>();
for (const [name, contexts, args, block] of nginxDirectiveRows) {
  const list = commands.get(name) ?? [];
  list.push({ contexts: new Set(contexts.split(' ')), takes: countCheck(args), block });
  commands.set(name, list);
}

/** Directives of modules that are not in the table: third-party ones (OpenResty's lua-nginx-module
 *  and companions, headers-more, echo, set-misc, njs, NGINX Plus, other widely packaged modules) and
 *  nginx's own dynamic modules Debian packages separately; and directives newer than the table that
 *  lint knows of (http2, http3, quic: too-new-for-version speaks for http2). */
const notInTable =
  /(_by_lua(_block|_file)?$|^lua_|^more_(set|clear)_(input_)?headers$|^echo(_|$)|^set_(by_lua|unescape_uri|escape_uri|quote_|md5|sha1|sha256|encode_|decode_|base32|hashed_upstream|formil_|random|secure_random_|local_today|misc_|if_empty|rotate|iconv|hmac_|gmt_time|local_time)|^(js|njs)_|^brotli|^zstd|^vhost_traffic_status|^sticky|^pagespeed|^modsecurity|^passenger_|^geoip|^srcache_|^memc_|^redis2?_|^postgres_|^rds_|^array_|^upstream_fair$|^fair$|^check(_|$)|^auth_pam|^auth_ldap|^ldap_server|^auth_jwt|^push_stream|^nchan_|^rtmp|^dav_ext|^fancyindex|^proxy_cache_purge|^cache_purge|^testcookie|^naxsi|^(Basic|Denied|Check|Learning|Main)Rules?$|^LearningMode|^SecRules|^otel_|^opentracing|^vod|^upload_|^dyups|^healthcheck|^health_check|^zone_sync|^status_zone|^api$|^keyval|^mqtt|^ntlm$|^queue$|^state$|^least_time$|^internal_redirect$|^ssl_ct|^subs_filter|^substitutions_filter|^replace_filter|^headers_more|^waf|^wasm|^proxy_wasm|^uploadprogress|^track_uploads|^report_uploads|^upload_progress|^encrypted_session|^iconv_|^stream$|^mail$|^perl|^xslt_|^image_filter|^http2$|^http3|^quic_)/;

/** Blocks whose contents a directive's own handler reads (cf->handler), not ngx_conf_handler: map,
 *  geo, split_clients, types, charset_map (ngx_http_map etc. take ngx_command_t *dummy). */
const freeFormBlocks = new Set(['map', 'geo', 'split_clients', 'types', 'charset_map', 'match']);

/** The context a block directive's contents are read in, given the context it stands in. */
function innerContext(name: string, outer: NginxContext): NginxContext | undefined {
  switch (name) {
    case 'events':
    case 'http':
    case 'location':
    case 'limit_except':
      return name;
    case 'server':
      return outer === 'http' ? 'server' : undefined;
    case 'upstream':
      return 'upstream';
    case 'if':
      return outer === 'server' ? 'if-server' : 'if-location';
    default:
      return undefined;
  }
}

/** Where nginx reports a problem with the directive: the line of the `;` or `{` that ends it. */
const reportedAt = (node: NginxDirective): Located => ({
  file: node.file,
  line: node.endLine ?? node.line,
  column: node.column,
});

const describe = (context: NginxContext | undefined): string =>
  context === 'main'
    ? 'the main context'
    : context?.startsWith('if-')
      ? 'an "if" block'
      : `a "${context ?? ''}" block`;

/**
 * Checks every directive under `directives`, read in `context` (undefined: a snippet whose context is
 * not known, where only names, blocks and argument counts are checked).
 */
export function checkNginxDirectives(
  directives: readonly NginxDirective[],
  context: NginxContext | undefined,
  serverVersion: string | undefined,
): ParseProblem[] {
  const problems: ParseProblem[] = [];
  const problem = (node: NginxDirective, message: string) =>
    problems.push({ kind: 'parse-error', ...reportedAt(node), message });
  const newerThanTable =
    serverVersion !== undefined && compareVersions(serverVersion, nginxDirectiveTableVersion) > 0;
  const stack: {
    readonly list: readonly NginxDirective[];
    index: number;
    readonly context: NginxContext | undefined;
  }[] = [{ list: directives, index: 0, context }];
  for (let frame = stack.at(-1); frame; frame = stack.at(-1)) {
    const node = frame.list[frame.index++];
    if (!node) {
      stack.pop();
      continue;
    }
    const name = node.name;
    const known = commands.get(name);
    if (!known) {
      // The probed table misses some real names (ip_hash: the binary shares its string with a longer
      // one), so only a name no module could have (a placeholder such as `...`) is reported for now.
      if (!/^[a-z][a-z0-9_]*$/i.test(name) && !notInTable.test(name) && !newerThanTable) {
        problem(
          node,
          /^[.…]+$/.test(name)
            ? `unknown directive "${name}": a placeholder left in the file; nginx -t stops here`
            : `unknown directive "${name}"; nginx -t stops here (nginx ${nginxDirectiveTableVersion} and its modules have no such directive)`,
        );
      }
      continue; // an unknown block's contents follow rules lint does not know
    }
    const here = frame.context;
    const fitting = here === undefined ? known : known.filter((command) => command.contexts.has(here));
    const command = fitting[0];
    if (!command) {
      problem(node, `"${name}" directive is not allowed here (in ${describe(here)}); nginx -t stops here`);
      continue;
    }
    const opensBlock = node.block !== undefined;
    if (here === undefined ? !fitting.some((c) => c.block === opensBlock) : command.block !== opensBlock) {
      const missing =
        node.endLine !== undefined && node.endLine !== node.line
          ? ` (it starts on line ${node.line}: a ";" is missing there, so nginx reads what follows as its arguments and block)`
          : '';
      problem(
        node,
        opensBlock
          ? `directive "${name}" is not terminated by ";"${missing}`
          : `directive "${name}" has no opening "{"`,
      );
      continue;
    }
    const count = node.args.length;
    if (!(here === undefined ? fitting.some((c) => c.takes(count)) : command.takes(count))) {
      problem(node, `invalid number of arguments in "${name}" directive (${count} given)`);
    }
    if (node.block && !freeFormBlocks.has(name)) {
      const inner = here === undefined ? undefined : innerContext(name, here);
      stack.push({ list: node.block, index: 0, context: inner });
    }
  }
  return problems;
}
