import { blockLabel, type NginxProxyBlock } from '../model-nginx.js';
import type { Rule } from '../rule.js';
import { mayHold } from './unread-include.js';

/**
 * nginx inherits proxy_set_header "if and only if there are no proxy_set_header directives defined on
 * the current level" (https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_set_header). A
 * location that adds one header of its own silently loses every header the server block set — with
 * Upgrade and Connection among them, the WebSocket breaks (error); other lost headers are a warning.
 * Losing Upgrade and Connection counts only in a block that carries sockets (see below).
 */
/** Host values that name the site the client asked for, or the backend proxy_pass names. */
const siteHost = /^("?)\$(host|http_host|server_name|proxy_host)\1$/;

/**
 * A block whose whole proxy_pass URL is a variable and that sends a Host of its own: it fetches from
 * another service, such as the object storage Penpot's `@handle_redirect` follows a backend's redirect
 * to (`proxy_pass $redirect_uri;` with `Host "$redirect_host"`, the session 10 sweep). The client's
 * X-Forwarded-* and X-Real-IP are not meant for that service, so not sending them loses nothing.
 */
function fetchesElsewhere(block: NginxProxyBlock): boolean {
  if (!(block.proxyPass.args[0] ?? '').startsWith('$')) return false;
  const host = block.block.own
    .get('proxy_set_header')
    ?.find((node) => node.args[0]?.toLowerCase() === 'host');
  return host !== undefined && !siteHost.test(host.args[1] ?? '');
}

export const proxyHeadersDropped: Rule = {
  id: 'proxy-headers-dropped',
  severity: 'error',
  servers: ['nginx'],
  why: 'A block that sets any proxy_set_header inherits none from outer levels, so those headers are lost.',
  fix: 'repeat the outer proxy_set_header lines in this block, or keep them all at one level',
  docs: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_set_header',
  check(model, report) {
    for (const block of model.nginx?.proxyBlocks ?? []) {
      const { dropped, from } = block.headers;
      const first = from?.own.get('proxy_set_header')?.[0];
      if (!from || !first || dropped.length === 0) continue;
      // The level that drops them also includes a file lint could not read, which may set them again
      // (not Debian's proxy_params, whose lines the model puts in: src/lint/model-nginx.ts).
      if (from.own.get('include')?.some((include) => mayHold(include, 'proxying'))) continue;
      // Upgrade and Connection matter only where sockets arrive: a location whose path names one,
      // the catch-all `/`, a --ws-path, or one the model sees as WebSocket. An upload or API location
      // carved out of a server that sets them for its socket loses nothing that it needs.
      const carriesSockets = block.webSocket || block.location === undefined || block.location.path === '/';
      const lost = carriesSockets
        ? dropped
        : dropped.filter((header) => !/^(upgrade|connection)$/i.test(header.name));
      if (lost.length === 0) continue;
      const names = lost.map((header) => header.name);
      if (!names.some((name) => /^(upgrade|connection)$/i.test(name)) && fetchesElsewhere(block)) continue;
      const hopByHop = names.filter((name) => /^(upgrade|connection)$/i.test(name));
      const origin = lost[0]?.node.line;
      report(
        first,
        `proxy_set_header in ${blockLabel(from)} replaces the ones set outside it (from line ${origin}), so ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} not sent${hopByHop.length > 0 ? `: every WebSocket handshake to ${block.location?.path ?? 'this server'} reaches the backend without them and fails with 400` : ` with requests to ${block.location?.path ?? 'this server'}`}`,
        {
          severity: hopByHop.length > 0 ? 'error' : 'warning',
          fix: lost.map((header) => `proxy_set_header ${header.name} ${header.value};`).join(' '),
        },
      );
    }
  },
};
