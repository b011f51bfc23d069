import { apacheSupports } from '../../core/versions.js';
import { skippedFor } from '../apache-ifversion.js';
import type { ApacheRoute } from '../model-apache.js';
import type { Rule } from '../rule.js';

/**
 * httpd's counterpart of proxy-read-timeout. From 2.4.47 a WebSocket is tunnelled by mod_proxy_http
 * (mod_proxy_wstunnel hands ws:// URLs to it, ProxyWebsocketFallbackToProxyHttp being on by default),
 * and the tunnel closes a socket quiet both ways for the larger of two socket timeouts
 * (ap_proxy_tunnel_create in proxy_util.c, httpd 2.4.62):
 *   - the backend's: the route's `timeout=`, else ProxyTimeout, else Timeout
 *     (ap_proxy_connect_backend);
 *   - the client's: Timeout.
 * Timeout is 60 s unless set, so a site that sets none of them drops sockets idle for a minute. The
 * generated Apache site sets `ProxyTimeout 3600` and `timeout=3600` for this reason. Before 2.4.47,
 * mod_proxy_wstunnel polled with no timeout at all (apr_pollset_poll(…, -1, …) in 2.4.37 and 2.4.46):
 * nothing to report there. Shown on httpd 2.4.71 (test/lint/apache-timeout-evidence.test.ts): a quiet
 * socket closed after Timeout, and one with a longer timeout= stayed open.
 *
 * As for nginx, whether it breaks depends on the app's ping interval, which the config does not say:
 * with `--ping-interval`, a timeout at or below it is a warning; without, a timeout of 60 s or less is
 * info explaining the risk. Without --server-version lint assumes httpd 2.4.37, which has no idle
 * timeout: nothing is said then.
 */
export const apacheProxyTimeout: Rule = {
  id: 'apache-proxy-timeout',
  severity: 'warning',
  servers: ['apache'],
  why: 'httpd 2.4.47+ closes a WebSocket quiet for its Timeout (60s unless set): apps pinging less often lose sockets.',
  fix: 'ProxyTimeout longer than the ping interval (e.g. ProxyTimeout 3600), or timeout=3600 on the ProxyPass',
  docs: 'https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxytimeout',
  check(model, report) {
    const apache = model.apache;
    if (!apache) return;
    const version = model.settings.serverVersion;
    // Without --server-version lint assumes httpd 2.4.37, whose mod_proxy_wstunnel has no idle timeout.
    if (version === undefined || !apacheSupports(version, 'proxyHttpUpgrade')) return;
    const ping = model.settings.pingInterval;
    const skipped = skippedFor(apache.directives, version);
    for (const route of apache.routes) {
      if (skipped.has(route.node)) continue; // in an <IfVersion> this version does not read
      // Only a route that tunnels: one that upgrades nothing is apache-ws-upgrade's to report.
      if (!route.webSocket || !tunnels(route)) continue;
      const timeout = tunnelTimeout(route);
      if (timeout === undefined) continue;
      const { seconds, from } = timeout;
      const written = [route.params.get('timeout')?.value, route.site.setting('proxytimeout')?.args[0]].find(
        (value) => value !== undefined && !/^\d+$/.test(value),
      );
      const unit = written ? ` (in seconds: httpd reads ${written} as ${leadingSeconds(written) ?? 0})` : '';
      const fix = `${route.kind === 'ProxyPass' ? `timeout=${suggested(ping)} on this ProxyPass, or ` : ''}ProxyTimeout ${suggested(ping)} in ${route.site.label}${unit}`;
      if (ping !== undefined) {
        if (seconds > ping) continue;
        report(
          route.urlAt,
          `${route.kind} ${route.path} ${route.url}: with ${from}, every WebSocket that sends no frame for ${seconds}s is closed by httpd, and the app pings only every ${ping}s (--ping-interval): idle sockets drop and reconnect`,
          { fix },
        );
        continue;
      }
      if (seconds > 60) continue;
      report(
        route.urlAt,
        `${route.kind} ${route.path} ${route.url}: with ${from}, a WebSocket that sends no frame for ${seconds}s is closed by httpd; harmless if the app pings more often (Socket.IO: 25s), else idle sockets drop. Give --ping-interval to judge`,
        { severity: 'info', fix },
      );
    }
  },
};

/** A ws:// or wss:// backend, or upgrade= other than NONE: the route tunnels upgraded sockets. */
function tunnels(route: ApacheRoute): boolean {
  if (route.schemes.some((scheme) => scheme === 'ws' || scheme === 'wss')) return true;
  const upgrade = route.params.get('upgrade')?.value;
  return upgrade !== undefined && upgrade.toUpperCase() !== 'NONE';
}

/** An hour when the ping interval is unknown; else twice it, leaving room for one lost ping. */
const suggested = (ping: number | undefined): number => (ping === undefined ? 3600 : Math.max(2 * ping, 75));

/** The idle timeout of the route's tunnel: the larger of the backend's and the client's socket
 *  timeouts, and what sets the one that wins. Undefined when a value is not one lint can read. */
function tunnelTimeout(route: ApacheRoute): { seconds: number; from: string } | undefined {
  const timeoutDirective = route.site.setting('timeout');
  const client = timeoutDirective ? apacheSeconds(timeoutDirective.args[0] ?? '') : 60;
  if (client === undefined) return undefined;
  const clientFrom = timeoutDirective
    ? `Timeout ${timeoutDirective.args[0]}`
    : "httpd's default Timeout of 60s";
  const worker = route.params.get('timeout');
  const proxyTimeout = route.site.setting('proxytimeout');
  const backendFrom = worker
    ? `timeout=${worker.value}`
    : proxyTimeout
      ? `ProxyTimeout ${proxyTimeout.args[0]}`
      : undefined;
  const backend = worker
    ? leadingSeconds(worker.value)
    : proxyTimeout
      ? leadingSeconds(proxyTimeout.args[0] ?? '')
      : client;
  if (backend === undefined) return undefined;
  return backend > client && backendFrom
    ? { seconds: backend, from: backendFrom }
    : { seconds: client, from: clientFrom };
}

/** Seconds as timeout= and ProxyTimeout take them: atoi (mod_proxy.c, 2.4.62), so `1h` is 1 second,
 *  not an hour (the session 8 cold attack: the socket closed after Timeout 2, not after an hour). */
function leadingSeconds(text: string): number | undefined {
  const digits = /^\s*(\d+)/.exec(text)?.[1];
  return digits === undefined ? undefined : Number(digits);
}

/** Seconds, as Timeout takes them: a number, or one with ap_timeout_parameter_parse's
 *  units (ms, s, mi, min, h). */
function apacheSeconds(text: string): number | undefined {
  const match = /^(\d+)(ms|s|mi|min|h)?$/i.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = (match[2] ?? 's').toLowerCase();
  return unit === 'ms' ? value / 1000 : unit === 'h' ? value * 3600 : unit === 's' ? value : value * 60;
}
