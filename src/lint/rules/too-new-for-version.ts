import {
  apacheSince,
  apacheSupports,
  defaultVersions,
  nginxSince,
  nginxSupports,
} from '../../core/versions.js';
import { skippedFor } from '../apache-ifversion.js';
import type { Rule } from '../rule.js';

/**
 * A directive or parameter newer than the `--server-version` the files are for: that server refuses
 * the config. The first versions come from src/core/versions.ts, the tables the renderers use.
 *   - nginx: `http2 on;` exists from 1.25.1 (`http2Directive`); nginx 1.22.1 fails
 *     `unknown directive "http2"`. HTTP/3 (`listen … quic`, http3*, quic_*) from 1.25.0
 *     (`http3Module`); nginx 1.22.1 fails `invalid parameter "quic"` and `unknown directive "http3"`.
 *     Other directives newer than lint's table (ssl_certificate_cache, early_hints, …) are not judged
 *     by version here: lint does not hold the release each came in.
 *   - Apache: `upgrade=` is a worker parameter from 2.4.26 (`upgradeWorkerParameter`), whatever the
 *     path (on an http:// route it does nothing before 2.4.47: apache-ws-upgrade says so).
 *     Older mod_proxy rejects every worker parameter it does not know (set_worker_param in mod_proxy.c:
 *     "unknown Worker parameter"), so httpd stops with `AH00526: Syntax error … ProxyPass unknown Worker
 *     parameter` (the same message 2.4.71 gives for a made-up parameter).
 * Without --server-version, nginx is taken to be 1.22.1 (defaultVersions), whose nginx -t refuses all
 * of these, and each is a note (info) that says so: the file may be for a newer nginx, which
 * --server-version then tells lint (the session 7 sweep: Akkoma's published `http2 on;` failed the
 * installed nginx 1.22.1 while plain lint passed it). Apache's default, 2.4.37, takes upgrade=.
 */

/** The directives of ngx_http_v3_module (https://nginx.org/en/docs/http/ngx_http_v3_module.html). */
const http3Directives = [
  'http3',
  'http3_hq',
  'http3_max_concurrent_streams',
  'http3_stream_buffer_size',
  'quic_active_connection_id_limit',
  'quic_bpf',
  'quic_gso',
  'quic_host_key',
  'quic_retry',
];

export const tooNewForVersion: Rule = {
  id: 'too-new-for-version',
  severity: 'error',
  servers: ['nginx', 'apache'],
  why: 'The --server-version given does not know this directive or parameter, so the server refuses the config.',
  fix: 'upgrade the server, or write it the old way',
  docs: 'https://nginx.org/en/CHANGES',
  check(model, report) {
    const given = model.settings.serverVersion;
    // Without --server-version, nginx is taken to be the one lint assumes (defaultVersions: 1.22.1,
    // Debian 12's, whose nginx -t refuses these), as a note: the file may be for a newer nginx, and a
    // file wss-conf writes for one must lint with nothing worse than info (test/lint/generated.test.ts).
    const version = given ?? defaultVersions.nginx;
    const nginxName =
      given === undefined
        ? `nginx ${version} (lint's assumption without --server-version)`
        : `nginx ${version}`;
    const severity = given === undefined ? 'info' : undefined;
    const orSayNewer = (since: string) =>
      given === undefined ? `; or, if the server runs nginx ${since} or later, give --server-version` : '';
    if (model.nginx && !nginxSupports(version, 'http2Directive')) {
      for (const { node } of model.nginx.directives('http2')) {
        report(
          node,
          `${nginxName} has no "http2" directive (it exists from ${nginxSince.http2Directive}): nginx -t fails with unknown directive "http2"`,
          {
            fix: `delete "http2 on;" and add http2 to the TLS listen line: listen 443 ssl http2;${orSayNewer(nginxSince.http2Directive)}`,
            severity,
          },
        );
      }
    }
    if (model.nginx && !nginxSupports(version, 'http3Module')) {
      const since = nginxSince.http3Module;
      const fix = `delete it, or upgrade to nginx ${since} or later built with ngx_http_v3_module (--with-http_v3_module)${orSayNewer(since)}`;
      for (const name of http3Directives) {
        for (const { node } of model.nginx.directives(name)) {
          report(
            node,
            `${nginxName} has no "${name}" directive (HTTP/3 exists from ${since}): nginx -t fails with unknown directive "${name}"`,
            { fix, severity },
          );
        }
      }
      for (const { node } of model.nginx.directives('listen')) {
        // The first argument is the address ("listen quic;" is the host quic, port 80), never a parameter.
        const index = node.args.indexOf('quic', 1);
        if (index < 0) continue;
        report(
          node.argAt[index] ?? node,
          `${nginxName} has no "quic" listen parameter (HTTP/3 exists from ${since}): nginx -t fails with invalid parameter "quic"`,
          {
            fix: `delete this listen line, or upgrade to nginx ${since} or later built with ngx_http_v3_module${orSayNewer(since)}`,
            severity,
          },
        );
      }
    }
    // Apache without --server-version: every httpd lint assumes (2.4.37 and later) takes upgrade=.
    if (model.apache && given !== undefined && !apacheSupports(given, 'upgradeWorkerParameter')) {
      // ProxyPass, ProxyPassMatch and BalancerMember all take worker parameters.
      const takers = ['proxypass', 'proxypassmatch', 'balancermember'];
      const apache = model.apache;
      const skipped = skippedFor((key) => apache.directives(key), given);
      for (const node of takers.flatMap((key) => apache.directives(key))) {
        if (skipped.has(node)) continue;
        node.args.forEach((arg, index) => {
          if (!/^upgrade=/i.test(arg)) return;
          const url = node.args.find((a) => /^(https?|wss?|balancer):\/\//i.test(a)) ?? '';
          report(
            node.argAt[index] ?? node,
            `httpd ${given} has no "upgrade=" worker parameter (it exists from ${apacheSince.upgradeWorkerParameter}): it refuses to start with "${node.name} unknown Worker parameter"`,
            {
              fix: /^https?:\/\//i.test(url)
                ? `drop ${arg} and proxy the socket with mod_proxy_wstunnel: a ws:// URL (${url.replace(/^http/i, 'ws')})`
                : `drop ${arg}; mod_proxy_wstunnel upgrades ws:// URLs by itself`,
            },
          );
        });
      }
    }
  },
};
