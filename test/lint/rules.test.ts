/**
 * Every rule has a bad config that produces exactly the expected findings (rule, place, severity) and
 * nothing else, and a good config that produces nothing at all. The configs are real files under
 * fixtures/lint/rules/<rule-id>/, linted the way `wss-conf lint` reads them.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LintFlags, lintPaths } from '../../src/commands/lint.js';
import { lintConfig } from '../../src/lint/lint.js';
import { rules } from '../../src/lint/rules/index.js';
import { repoRoot } from '../helpers/cli.js';

const dir = join(repoRoot, 'fixtures', 'lint', 'rules');

/** [rule, fixture file, flags, expected findings of that rule as "line:column severity"] */
const cases: [string, string, LintFlags, string[]][] = [
  ['parse-error', 'bad.conf', {}, ['8:5 error']],
  ['parse-error', 'bad.apache.conf', {}, ['6:1 error']],
  ['parse-error', 'good.conf', {}, []],
  ['parse-error', 'good.apache.conf', {}, []],
  ['include-unresolved', 'bad.conf', {}, ['6:5 info']],
  ['include-unresolved', 'good.conf', {}, []],
  ['include-unresolved', 'bad.apache.conf', {}, ['4:5 info']],
  ['include-unresolved', 'good.apache.conf', {}, []],
  ['suppression-invalid', 'bad.conf', {}, ['11:5 warning', '12:5 info proxy-read-timeout']],
  ['suppression-invalid', 'good.conf', {}, []],
  ['suppression-invalid', 'bad.apache.conf', {}, ['2:1 warning', '3:1 info apache-forwarded-proto']],
  ['suppression-invalid', 'good.apache.conf', {}, []],
  ['duplicate-server-name', 'bad.conf', {}, ['11:5 warning']],
  ['duplicate-server-name', 'bad.apache.conf', {}, ['7:5 warning']],
  ['duplicate-server-name', 'good.conf', {}, []],
  ['duplicate-server-name', 'good.apache.conf', {}, []],
  ['duplicate-server-name', 'good-branches.apache.conf', {}, []],
  ['duplicate-server-name', 'good-branches.apache.conf', { serverVersion: '2.4.62' }, []],
  ['duplicate-server-name', 'bad-quic.conf', { serverVersion: '1.25.1' }, ['15:5 warning']],
  ['duplicate-server-name', 'good-quic.conf', { serverVersion: '1.25.1' }, []],
  ['duplicate-upstream', 'bad.conf', {}, ['12:10 error']],
  ['duplicate-upstream', 'good.conf', {}, []],
  ['listen-conflict', 'bad.conf', {}, ['9:5 error', '17:5 error', '22:5 error']],
  ['listen-conflict', 'good.conf', {}, []],

  ['ws-upgrade-headers', 'bad.conf', {}, ['6:5 error']],
  ['ws-upgrade-headers', 'bad-connection.conf', {}, ['6:5 error']],
  ['ws-upgrade-headers', 'good.conf', {}, []],
  ['ws-upgrade-headers', 'good-redirect-only.conf', {}, []],
  ['ws-location-shadowed', 'bad.conf', {}, ['18:5 warning', '36:5 info']],
  ['ws-location-shadowed', 'good.conf', {}, []],
  ['ws-upgrade-headers', 'bad-beside-root.conf', {}, ['17:5 error']],
  // Connection set without the upgrade token (keep-alive, $http_upgrade): 200, not 101.
  ['ws-upgrade-headers', 'bad-connection-value.conf', {}, ['15:37 error', '23:37 error']],
  ['ws-upgrade-headers', 'good-connection-lines.conf', {}, []],
  ['ws-upgrade-headers', 'stray-upgrade-keep-alive.conf', {}, ['22:37 info']],
  ['ws-upgrade-headers', 'stray-upgrade-keep-alive.conf', { wsPath: ['/api/'] }, ['22:37 error']],
  // Upgrade alone beside a complete socket route: a copied line, info (Mainsail's Moonraker config).
  ['ws-upgrade-headers', 'stray-upgrade.conf', {}, ['19:5 info proxy-read-timeout', '19:5 info']],
  [
    'ws-upgrade-headers',
    'stray-upgrade.conf',
    { wsPath: ['/server/'] },
    ['19:5 info proxy-read-timeout', '19:5 error'],
  ],
  // Neither ws-upgrade-headers, proxy-http-version nor proxy-read-timeout: only the include, as info.
  ['ws-upgrade-headers', 'unread-include.conf', { pingInterval: '90s' }, ['9:9 info include-unresolved']],
  [
    'ws-upgrade-headers',
    'bad-certbot-include.conf',
    {},
    [
      '3:1 info tls-hsts-missing',
      '8:5 info include-unresolved',
      '10:5 info proxy-read-timeout',
      '10:5 error',
      '11:9 info forwarded-for-append',
      '11:9 info include-unresolved',
    ],
  ],
  [
    'proxy-headers-dropped',
    'bad-proxy-params.conf',
    {},
    ['12:9 info forwarded-for-append', '12:9 info include-unresolved', '12:9 error'],
  ],
  ['proxy-headers-dropped', 'good-own-proxy-params.conf', {}, ['11:9 info include-unresolved']],
  ['proxy-headers-dropped', 'bad.conf', {}, ['17:9 error']],
  ['proxy-headers-dropped', 'bad-other-headers.conf', {}, ['10:9 warning']],
  ['proxy-headers-dropped', 'good.conf', {}, []],
  ['proxy-headers-dropped', 'good-redirect-follower.conf', {}, []],
  ['proxy-headers-dropped', 'bad-api-location.conf', {}, ['23:9 warning']],
  ['proxy-http-version', 'bad.conf', {}, ['11:5 warning']],
  ['proxy-http-version', 'bad.conf', { serverVersion: '1.29.6' }, ['11:5 warning']],
  ['proxy-http-version', 'bad.conf', { serverVersion: '1.29.7' }, []],
  ['proxy-http-version', 'bad-1.0.conf', { serverVersion: '1.29.7' }, ['13:9 warning']],
  ['proxy-http-version', 'good.conf', {}, []],
  ['connection-upgrade-map', 'bad.conf', {}, ['10:9 error']],
  ['connection-upgrade-map', 'bad-no-default.conf', {}, ['2:1 error']],
  ['connection-upgrade-map', 'good.conf', {}, []],
  ['proxy-pass-ws-scheme', 'bad.conf', {}, ['12:20 error']],
  ['proxy-pass-ws-scheme', 'good.conf', {}, []],
  // Without --ping-interval the 60s default is a risk to explain (info), not a CI failure.
  ['proxy-read-timeout', 'bad.conf', {}, ['11:5 info']],
  ['proxy-read-timeout', 'bad.conf', { pingInterval: '25s' }, []],
  ['proxy-read-timeout', 'bad.conf', { pingInterval: '60s' }, ['11:5 warning']],
  ['proxy-read-timeout', 'bad.conf', { pingInterval: '2m' }, ['11:5 warning']],
  ['proxy-read-timeout', 'bad-60s.conf', {}, ['16:9 info']],
  ['proxy-read-timeout', 'bad-60s.conf', { pingInterval: '59s' }, []],
  ['proxy-read-timeout', 'bad-60s.conf', { pingInterval: '90s' }, ['16:9 warning']],
  ['proxy-read-timeout', 'good.conf', {}, []],
  ['proxy-read-timeout', 'bad-jump.conf', {}, ['17:5 info']],
  ['proxy-read-timeout', 'bad-jump.conf', { pingInterval: '15m' }, ['17:5 warning']],
  ['proxy-read-timeout', 'bad-jump.conf', { pingInterval: '10m' }, ['17:5 warning']],
  ['proxy-read-timeout', 'good.conf', { pingInterval: '25s' }, []],
  ['proxy-read-timeout', 'good.conf', { pingInterval: '2m' }, ['24:9 warning']],
  ['connection-upgrade-literal', 'bad.conf', {}, ['10:37 warning']],
  ['connection-upgrade-literal', 'good.conf', {}, []],
  ['connection-upgrade-literal', 'good-socket-only.conf', {}, []],
  ['connection-upgrade-literal', 'bad-map-always-upgrade.conf', {}, ['4:1 warning']],
  ['connection-upgrade-literal', 'bad-split-exact.conf', {}, ['19:37 warning']],
  ['host-http-host', 'bad.conf', {}, ['16:31 info']],
  ['host-http-host', 'good.conf', {}, []],
  ['proxy-host-twice', 'bad.conf', {}, ['8:9 warning', '18:9 warning', '24:9 warning']],
  ['proxy-host-twice', 'good.conf', {}, []],
  ['proxy-pass-request-host', 'bad.conf', {}, ['7:20 error']],
  ['proxy-pass-request-host', 'good.conf', {}, []],
  ['proxy-pass-query-dropped', 'bad.conf', { pingInterval: '25s' }, ['10:20 warning', '14:20 warning']],
  ['proxy-pass-query-dropped', 'good.conf', { pingInterval: '25s' }, []],
  [
    'proxy-pass-request-host',
    'bad.apache.conf',
    {},
    [
      '6:42 error',
      '7:30 error',
      '8:46 error',
      '17:30 error',
      '18:35 error',
      '19:35 error',
      '20:27 error',
      '21:27 error',
    ],
  ],
  ['proxy-pass-request-host', 'good.apache.conf', {}, []],
  ['header-crlf-variable', 'bad.conf', {}, ['8:41 error']],
  ['header-crlf-variable', 'good.conf', {}, []],
  [
    'header-crlf-variable',
    'bad-proxy-pass.conf',
    {},
    ['9:20 error', '13:20 error', '26:20 error', '30:20 error'],
  ],
  ['default-server-proxies', 'bad.conf', {}, ['3:5 info']],
  ['default-server-proxies', 'bad.conf', { serverVersion: '1.18.0' }, ['3:5 info']],
  ['default-server-proxies', 'bad-plain.conf', {}, ['3:5 info']],
  ['default-server-proxies', 'good.conf', {}, []],
  ['forwarded-for-append', 'bad.conf', {}, ['8:42 info']],
  ['forwarded-for-append', 'good.conf', {}, []],
  ['redirect-from-host', 'bad.conf', {}, ['5:16 info']],
  ['redirect-from-host', 'good.conf', {}, []],
  ['ssl-on-removed', 'bad.conf', {}, ['4:5 error']],
  ['ssl-on-removed', 'bad.conf', { serverVersion: '1.24.0' }, ['4:5 error']],
  ['ssl-on-removed', 'good.conf', {}, []],
  ['listen-http2', 'bad.conf', { serverVersion: '1.25.1' }, ['3:20 warning']],
  ['listen-http2', 'bad.conf', {}, ['3:20 info']],
  ['listen-http2', 'bad.conf', { serverVersion: '1.24.0' }, []],
  ['listen-http2', 'good.conf', { serverVersion: '1.25.1' }, []],
  ['too-new-for-version', 'bad.conf', { serverVersion: '1.22.1' }, ['4:5 error']],
  ['too-new-for-version', 'bad.conf', { serverVersion: '1.25.1' }, []],
  // Without --server-version, lint assumes nginx 1.22.1, whose nginx -t refuses it: a note.
  ['too-new-for-version', 'bad.conf', {}, ['4:5 info']],
  [
    'too-new-for-version',
    'bad-http3.conf',
    { serverVersion: '1.22.1' },
    ['5:17 error', '6:5 error', '7:5 error', '8:5 error', '9:5 error'],
  ],
  ['too-new-for-version', 'bad-http3.conf', { serverVersion: '1.25.0' }, []],
  [
    'too-new-for-version',
    'bad-http3.conf',
    {},
    ['5:17 info', '6:5 info', '7:5 info', '8:5 info', '9:5 info'],
  ],
  ['too-new-for-version', 'good-quic-host.conf', {}, []],
  ['too-new-for-version', 'good-quic-host.conf', { serverVersion: '1.22.1' }, []],
  ['too-new-for-version', 'good.conf', { serverVersion: '1.22.1' }, []],
  ['too-new-for-version', 'bad.apache.conf', { serverVersion: '2.4.25' }, ['10:48 error']],
  // From 2.4.26 httpd takes the parameter, but an http:// route does not upgrade before 2.4.47.
  ['too-new-for-version', 'bad.apache.conf', { serverVersion: '2.4.26' }, ['10:21 error apache-ws-upgrade']],
  [
    'too-new-for-version',
    'bad.apache.conf',
    { serverVersion: '2.4.47' },
    ['10:21 info apache-proxy-timeout'],
  ],
  ['too-new-for-version', 'good.apache.conf', { serverVersion: '2.4.46' }, []],
  ['too-new-for-version', 'good-ifversion.apache.conf', { serverVersion: '2.4.46' }, []],
  [
    'too-new-for-version',
    'good-ifversion.apache.conf',
    { serverVersion: '2.4.62' },
    ['5:21 info apache-proxy-timeout'],
  ],

  ['apache-sslengine-every-listen', 'bad.conf', {}, ['9:1 error']],
  ['apache-sslengine-every-listen', 'good.conf', {}, []],
  ['apache-tls-port-plain', 'bad.conf', {}, ['2:1 error']],
  ['apache-tls-port-plain', 'good.conf', {}, []],
  ['apache-tls-port-plain', 'unread-include.conf', {}, ['5:5 info include-unresolved']],
  ['tls-legacy-protocols', 'bad.conf', {}, ['7:5 error']],
  ['tls-legacy-protocols', 'bad.apache.conf', {}, ['7:5 error']],
  ['tls-legacy-protocols', 'good.conf', {}, []],
  ['tls-legacy-protocols', 'good.apache.conf', {}, []],
  ['tls-weak-ciphers', 'bad.conf', {}, ['9:5 error']],
  ['tls-weak-ciphers', 'info-rc4.conf', {}, ['9:5 info']],
  ['tls-weak-ciphers', 'bad.apache.conf', {}, ['8:5 error']],
  ['tls-weak-ciphers', 'bad-3des.conf', {}, ['9:5 error']],
  ['tls-weak-ciphers', 'info-anonymous.conf', {}, ['9:5 info']],
  ['tls-weak-ciphers', 'good.conf', {}, []],
  ['tls-weak-ciphers', 'good.apache.conf', {}, []],
  ['tls-server-cipher-order', 'bad.conf', {}, ['9:5 info']],
  ['tls-server-cipher-order', 'bad.apache.conf', {}, ['8:5 info']],
  ['tls-server-cipher-order', 'good.conf', {}, []],
  ['tls-server-cipher-order', 'good.apache.conf', {}, []],
  ['tls-hsts-missing', 'bad.conf', {}, ['2:1 info']],
  ['tls-hsts-missing', 'bad-dropped.conf', {}, ['12:9 info']],
  ['tls-hsts-missing', 'bad.apache.conf', {}, ['2:1 info']],
  ['tls-hsts-missing', 'good.conf', {}, []],
  ['tls-hsts-missing', 'good.apache.conf', {}, []],
  ['tls-certificate-missing', 'bad.conf', {}, ['3:1 error']],
  ['tls-certificate-missing', 'bad-key.conf', {}, ['9:5 error']],
  ['tls-certificate-missing', 'bad-reject.conf', {}, ['8:1 error']],
  ['tls-certificate-missing', 'good.conf', {}, []],
  ['tls-ocsp-stapling', 'bad.conf', {}, ['10:5 info']],
  ['tls-ocsp-stapling', 'bad.apache.conf', {}, ['8:5 warning']],
  ['tls-ocsp-stapling', 'good.conf', {}, []],
  ['tls-ocsp-stapling', 'good.apache.conf', {}, []],
  ['cert-file-missing', 'bad.conf', { checkFiles: true }, ['5:5 error']],
  ['cert-file-missing', 'bad.apache.conf', { checkFiles: true }, ['5:5 error']],
  ['cert-file-missing', 'bad.conf', {}, []],
  ['cert-file-missing', 'good.conf', { checkFiles: true }, []],
  ['cert-file-missing', 'good.apache.conf', { checkFiles: true }, []],

  ['apache-ws-upgrade', 'bad.conf', {}, ['10:20 error']],
  ['apache-ws-upgrade', 'bad.conf', { serverVersion: '2.4.46' }, ['10:20 error']],
  ['apache-ws-upgrade', 'good.conf', {}, []],
  ['apache-ws-upgrade', 'good-rewrite.conf', {}, []],
  ['apache-ws-upgrade', 'good-segment.conf', {}, []],
  ['apache-ws-upgrade', 'bad-location-first.conf', {}, ['6:34 error']],
  ['apache-ws-upgrade', 'bad-location-order.conf', {}, ['6:19 error']],
  ['apache-ws-upgrade', 'good-location.conf', {}, []],
  ['apache-ws-upgrade', 'good-location-rewrite.conf', {}, []],
  ['apache-ws-upgrade', 'good-location-rewrite.conf', { serverVersion: '2.4.30' }, []],
  ['apache-ws-upgrade', 'good-locationmatch-literal.conf', {}, []],
  ['apache-ws-upgrade', 'bad-locationmatch-literal.conf', {}, ['10:19 error', '19:19 error']],
  ['apache-ws-upgrade', 'bad-rewrite-off.conf', {}, ['8:20 error']],
  ['apache-ws-upgrade', 'bad-ws-path-elsewhere.conf', { wsPath: ['/api/v1/streaming'] }, ['7:17 error']],
  ['apache-ws-upgrade', 'bad-ws-path-elsewhere.conf', { wsPath: ['/x/'] }, []],
  ['apache-ws-upgrade', 'bad-ws-path-elsewhere.conf', {}, []],
  ['apache-ws-upgrade', 'bad-ws-path-location-literal.conf', { wsPath: ['/app/x/socket'] }, ['6:17 error']],
  ['apache-ws-upgrade', 'bad-rewrite-no-engine.conf', {}, ['9:32 error']],
  [
    'apache-ws-upgrade',
    'bad-certbot-include.conf',
    {},
    [
      '4:1 info apache-forwarded-proto',
      '4:1 info tls-hsts-missing',
      '6:5 info include-unresolved',
      '9:20 error',
    ],
  ],
  ['apache-ws-upgrade', 'bad-rewrite-h2c.conf', {}, ['6:33 warning apache-upgrade-condition', '9:20 error']],
  ['apache-ws-upgrade', 'bad-upgrade-before-2.4.47.conf', { serverVersion: '2.4.46' }, ['9:21 error']],
  ['apache-ws-upgrade', 'bad-upgrade-before-2.4.47.conf', { serverVersion: '2.4.26' }, ['9:21 error']],
  [
    'apache-ws-upgrade',
    'bad-upgrade-before-2.4.47.conf',
    { serverVersion: '2.4.25' },
    ['9:48 error too-new-for-version'],
  ],
  [
    'apache-ws-upgrade',
    'bad-upgrade-before-2.4.47.conf',
    { serverVersion: '2.4.47' },
    ['9:21 info apache-proxy-timeout'],
  ],
  ['apache-ws-upgrade', 'bad-upgrade-match-before-2.4.47.conf', { serverVersion: '2.4.37' }, ['5:37 error']],
  ['apache-ws-upgrade', 'bad-upgrade-before-2.4.47.conf', {}, []],
  ['apache-ws-upgrade', 'bad-order.conf', {}, ['7:23 error']],
  ['apache-ws-upgrade', 'bad-order-match.conf', {}, ['5:20 error']],
  ['apache-ws-upgrade', 'bad-negated.conf', {}, ['8:21 error', '12:20 error']],
  ['apache-ws-upgrade', 'bad-negated.conf', { serverVersion: '2.4.62' }, ['8:21 error', '12:20 error']],
  ['apache-upgrade-any', 'bad.conf', {}, ['10:46 error']],
  ['apache-upgrade-any', 'good.conf', {}, []],
  ['apache-proxy-timeout', 'bad.conf', {}, []],
  ['apache-proxy-timeout', 'bad.conf', { serverVersion: '2.4.62' }, ['5:17 info']],
  ['apache-proxy-timeout', 'bad.conf', { serverVersion: '2.4.62', pingInterval: '90s' }, ['5:17 warning']],
  ['apache-proxy-timeout', 'bad-timeout.conf', { serverVersion: '2.4.46' }, []],
  ['apache-proxy-timeout', 'bad-timeout.conf', { serverVersion: '2.4.62' }, ['6:20 info']],
  [
    'apache-proxy-timeout',
    'bad-timeout.conf',
    { serverVersion: '2.4.62', pingInterval: '45s' },
    ['6:20 warning'],
  ],
  ['apache-proxy-timeout', 'bad-timeout.conf', { serverVersion: '2.4.62', pingInterval: '25s' }, []],
  [
    'apache-proxy-timeout',
    'bad-unit.conf',
    { serverVersion: '2.4.62', pingInterval: '30s' },
    ['7:20 warning'],
  ],
  ['apache-proxy-timeout', 'good.conf', {}, []],
  ['apache-proxy-timeout', 'good.conf', { serverVersion: '2.4.62', pingInterval: '90s' }, []],
  ['apache-redirect-literal', 'bad.conf', {}, ['7:9 warning']],
  ['apache-redirect-literal', 'good.conf', {}, []],
  ['apache-redirect-slash', 'bad.conf', {}, ['6:26 warning', '12:29 warning', '13:24 warning']],
  ['apache-redirect-slash', 'good.conf', {}, []],
  [
    'apache-upgrade-condition',
    'bad.conf',
    {},
    ['7:17 warning', '11:36 warning', '14:33 warning', '23:36 warning', '33:36 warning'],
  ],
  ['apache-upgrade-condition', 'good.conf', {}, []],
  // A dead rewrite beside a route that carries the sockets: a note whose fix deletes it, and no rule
  // judges what the dead rule would do (Twake; the session 10 sweep).
  [
    'apache-upgrade-condition',
    'dead-beside-socket-route.conf',
    {},
    ['6:1 info apache-forwarded-proto', '6:1 info tls-hsts-missing', '12:17 info'],
  ],
  ['apache-rewrite-backreference', 'bad.conf', {}, ['7:20 warning', '8:38 warning', '16:29 warning']],
  ['apache-rewrite-backreference', 'good.conf', {}, []],
  ['apache-proxypass-slash', 'bad.conf', {}, ['11:21 error', '12:20 error']],
  ['apache-proxypass-slash', 'good.conf', {}, []],
  ['apache-proxypass-slash', 'info-socket-endpoint.conf', {}, ['13:19 info', '15:24 info']],
  ['apache-proxypass-slash', 'bad-rewrite.conf', {}, ['10:22 warning']],
  ['apache-proxypass-slash', 'good-rewrite.conf', {}, []],
  ['apache-proxypass-slash', 'bad-double-slash.conf', {}, ['6:24 warning', '11:25 warning', '15:26 warning']],
  ['apache-ssl-proxy-engine', 'bad.conf', {}, ['10:20 error']],
  ['apache-ssl-proxy-engine', 'good.conf', {}, []],
  ['apache-ssl-proxy-engine', 'good-proxy-section.conf', {}, []],
  ['apache-proxy-requests', 'bad.conf', {}, ['10:5 error']],
  ['apache-proxy-requests', 'good.conf', {}, []],
  ['apache-forwarded-proto', 'bad.conf', {}, ['2:1 info']],
  ['apache-forwarded-proto', 'good.conf', {}, []],

  ['max-clients-capacity', 'bad.conf', { maxClients: '1000' }, ['3:1 warning', '7:5 warning']],
  ['max-clients-capacity', 'bad.conf', {}, []],
  ['max-clients-capacity', 'bad-workers.conf', { maxClients: '1000' }, ['3:1 warning', '6:5 warning']],
  ['max-clients-capacity', 'bad-default.conf', { maxClients: '1000' }, ['2:1 warning', '2:1 warning']],
  ['max-clients-capacity', 'bad-default.conf', { maxClients: '100' }, []],
  ['max-clients-capacity', 'site.conf', { maxClients: '1000' }, ['2:1 info']],
  ['max-clients-capacity', 'good.conf', { maxClients: '1000' }, []],
  ['max-clients-capacity', 'good.conf', { maxClients: '1001' }, ['4:1 warning', '7:5 warning']],
  ['max-clients-capacity', 'bad.apache.conf', { maxClients: '1000' }, ['7:1 warning']],
  ['max-clients-capacity', 'bad.apache.conf', { maxClients: '100' }, ['7:1 warning']],
  ['max-clients-capacity', 'bad.apache.conf', { maxClients: '50' }, []],
  ['max-clients-capacity', 'site.apache.conf', { maxClients: '1000' }, ['2:1 info']],
  ['max-clients-capacity', 'good.apache.conf', { maxClients: '1000' }, []],
  ['max-clients-capacity', 'bad-server-limit.apache.conf', { maxClients: '1000' }, ['3:1 warning']],
  ['max-clients-capacity', 'bad-server-limit.apache.conf', { maxClients: '300' }, []],
  ['max-clients-capacity', 'bad-rounding.apache.conf', { maxClients: '1000' }, ['5:1 warning']],
  ['max-clients-capacity', 'bad-default.apache.conf', { maxClients: '1000' }, ['4:1 warning']],
  ['max-clients-capacity', 'good-mpm-sections.apache.conf', { maxClients: '1000' }, []],
  ['max-clients-capacity', 'good-runbook-appended.apache.conf', { maxClients: '1000' }, []],
  ['max-clients-capacity', 'bad-max-clients-last.apache.conf', { maxClients: '1000' }, ['9:1 warning']],

  // HAProxy: each fixture passes haproxy -c (test/lint/haproxy-fixtures.test.ts)
  ['haproxy-timeout-tunnel', 'bad.conf', {}, ['8:5 error']],
  ['haproxy-timeout-tunnel', 'good.conf', {}, []],
  ['haproxy-mode-tcp', 'bad.conf', {}, ['5:5 info']],
  ['haproxy-mode-tcp', 'good.conf', {}, []],
  ['haproxy-legacy-tls', 'bad.conf', {}, ['3:5 error']],
  ['haproxy-legacy-tls', 'bad.conf', { serverVersion: '2.0.0' }, ['3:5 error']],
  ['haproxy-legacy-tls', 'good.conf', {}, []],
  ['haproxy-legacy-tls', 'good.conf', { serverVersion: '2.0.0' }, []],
  // Before 2.2 a bind with no minimum accepts TLS 1.0 and 1.1; from 2.2 (2.6.12 proven) it does not.
  ['haproxy-legacy-tls', 'bad-old-default.conf', { serverVersion: '2.0.0' }, ['13:5 error']],
  ['haproxy-legacy-tls', 'bad-old-default.conf', { serverVersion: '2.2.0' }, []],
  ['haproxy-legacy-tls', 'bad-old-default.conf', {}, []],
];

/** "line:column severity" for the rule under test, "line:column severity rule" for any other. */
const shown = (rule: string) => (f: { rule: string; line: number; column: number; severity: string }) =>
  `${f.line}:${f.column} ${f.severity}${f.rule === rule ? '' : ` ${f.rule}`}`;

describe('lint rules against their fixtures', () => {
  it.each(cases)('%s: %s %j', (rule, file, flags, expected) => {
    const { findings } = lintPaths([join('fixtures', 'lint', 'rules', rule, file)], {
      cwd: repoRoot,
      ...flags,
    });
    expect(findings.map(shown(rule))).toEqual(expected);
    for (const finding of findings) expect(finding.file).toBe(`fixtures/lint/rules/${rule}/${file}`);
  });

  it('has a bad and a good fixture, and a case for each, for every rule', () => {
    for (const rule of rules) {
      expect(existsSync(join(dir, rule.id, 'bad.conf')), `${rule.id}/bad.conf`).toBe(true);
      expect(existsSync(join(dir, rule.id, 'good.conf')), `${rule.id}/good.conf`).toBe(true);
      const files = readdirSync(join(dir, rule.id)).filter((f) => f.endsWith('.conf'));
      for (const file of files) {
        expect(
          cases.some(([r, f]) => r === rule.id && f === file),
          `${rule.id}/${file} has a case`,
        ).toBe(true);
      }
      // Rules for both servers have bad and good Apache configs too.
      if (rule.servers.includes('apache') && rule.servers.includes('nginx')) {
        expect(existsSync(join(dir, rule.id, 'bad.apache.conf')), `${rule.id}/bad.apache.conf`).toBe(true);
      }
    }
    expect(readdirSync(dir).sort()).toEqual(rules.map((rule) => rule.id).sort());
  });

  it('gives every rule an id, a severity, a one-line why and a fix', () => {
    for (const rule of rules) {
      expect(rule.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(['error', 'warning', 'info']).toContain(rule.severity);
      expect(rule.why).not.toContain('\n');
      expect(rule.why.length).toBeLessThanOrEqual(120);
      expect(rule.fix.length).toBeGreaterThan(0);
    }
    expect(new Set(rules.map((rule) => rule.id)).size).toBe(rules.length);
  });

  it('documents every rule in docs/lint.md, with its severity, in the table and in a section', () => {
    const docs = readFileSync(join(repoRoot, 'docs', 'lint.md'), 'utf8');
    for (const rule of rules) {
      expect(docs, rule.id).toMatch(new RegExp(`^\\| \`${rule.id}\` +\\| ${rule.severity}\\b`, 'm'));
      expect(docs, rule.id).toContain(`**\`${rule.id}\`** (${rule.severity}`);
    }
  });
});

describe('ws-upgrade-headers: the fix names a variable the file defines', () => {
  const fixFor = (text: string): string | undefined => {
    const dir = mkdtempSync(join(tmpdir(), 'wss-conf-ws-fix-'));
    try {
      writeFileSync(join(dir, 'site.conf'), text);
      return lintPaths(['site.conf'], { cwd: dir }).findings.find((f) => f.rule === 'ws-upgrade-headers')
        ?.fix;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const site = (top: string) =>
    `${top}server {\n  listen 80;\n  location /ws/ {\n    proxy_pass http://127.0.0.1:8282;\n    proxy_http_version 1.1;\n    proxy_set_header Upgrade $http_upgrade;\n  }\n}\n`;

  it("uses the target of the file's own map of $http_upgrade", () => {
    const fix = fixFor(site("map $http_upgrade $conn_up { default upgrade; '' close; }\n"));
    expect(fix).toBe('proxy_set_header Connection $conn_up;');
  });

  it('says to add the map when the file has none (nginx -t refuses an unknown variable)', () => {
    expect(fixFor(site(''))).toContain('map $http_upgrade $connection_upgrade { default upgrade;');
  });
});

describe('apache-upgrade-condition: a dead rewrite beside a working socket route', () => {
  it('says to delete it, not to revive it', () => {
    const file = join(
      repoRoot,
      'fixtures',
      'lint',
      'rules',
      'apache-upgrade-condition',
      'dead-beside-socket-route.conf',
    );
    const [finding] = lintPaths([file]).findings.filter((f) => f.rule === 'apache-upgrade-condition');
    expect(finding?.fix).toMatch(/^delete the RewriteRule on line 13/);
    expect(finding?.message).toContain('the ProxyPass on line 18 carries the sockets');
  });
});

describe('ws-upgrade-headers: a Connection line without the upgrade token', () => {
  const lint = (text: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'wss-conf-ws-conn-'));
    try {
      writeFileSync(join(dir, 'site.conf'), text);
      return lintPaths(['site.conf'], { cwd: dir }).findings;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const mapText = "map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n";
  const site = (top: string, path: string, connection: string) =>
    `${top}server {\n  listen 80;\n  server_name a.test;\n  location ${path} {\n    proxy_pass http://127.0.0.1:8282;\n    proxy_http_version 1.1;\n    proxy_set_header Upgrade $http_upgrade;\n    proxy_set_header Connection ${connection};\n    proxy_read_timeout 1h;\n  }\n}\n`;
  /** Applies a "change line N (…) to proxy_set_header …;" fix, and the map it says to add. */
  const applied = (text: string, fix: string): string => {
    const change = /^change line (\d+) \(.*?\) to (proxy_set_header Connection [^;]+;)/.exec(fix);
    expect(change, fix).not.toBeNull();
    const lines = text.split('\n');
    const index = Number(change?.[1]) - 1;
    lines[index] = `    ${change?.[2]}`;
    const map = /map \$http_upgrade \$connection_upgrade \{[^}]*\}/.exec(fix)?.[0];
    return `${map ? `${map}\n` : ''}${lines.join('\n')}`;
  };
  const wsRules = new Set(['ws-upgrade-headers', 'connection-upgrade-literal', 'connection-upgrade-map']);
  const cases: [string, string, string, string][] = [
    // [what, map or not, location, Connection value]
    ['ASP.NET Core keep-alive on a socket path, with a map', mapText, '/hub/ws', 'keep-alive'],
    ['$http_upgrade on a socket path, without a map', '', '/live/ws', '$http_upgrade'],
    ['keep-alive on location / (plain HTTP too), without a map', '', '/', 'keep-alive'],
    ['close on location / with a map', mapText, '/', 'close'],
  ];
  it.each(cases)('%s: error at the line, and the fix re-lints clean', (_what, top, path, value) => {
    const text = site(top, path, value);
    const findings = lint(text).filter((f) => wsRules.has(f.rule));
    const line = text.split('\n').findIndex((l) => l.includes('proxy_set_header Connection')) + 1;
    expect(findings.map((f) => `${f.line} ${f.severity} ${f.rule}`)).toEqual([
      `${line} error ws-upgrade-headers`,
    ]);
    const fix = findings[0]?.fix ?? '';
    const fixed = applied(text, fix);
    expect(lint(fixed).filter((f) => f.severity !== 'info')).toEqual([]);
  });

  it('says "upgrade" where the location carries only sockets and the file has no map', () => {
    const fix = lint(site('', '/live/ws', 'keep-alive')).find((f) => f.rule === 'ws-upgrade-headers')?.fix;
    expect(fix).toBe(
      'change line 8 (proxy_set_header Connection keep-alive) to proxy_set_header Connection upgrade;',
    );
  });

  it("uses the file's map where plain HTTP reaches the location, and says to add one without", () => {
    const withMap = lint(site(mapText, '/', 'keep-alive')).find((f) => f.rule === 'ws-upgrade-headers')?.fix;
    expect(withMap).toBe(
      'change line 9 (proxy_set_header Connection keep-alive) to proxy_set_header Connection $connection_upgrade;',
    );
    const without = lint(site('', '/', 'keep-alive')).find((f) => f.rule === 'ws-upgrade-headers')?.fix;
    expect(without).toContain(
      'proxy_set_header Connection $connection_upgrade; and, in the http context, map',
    );
  });

  it('without Upgrade too: one error whose fix sets Upgrade and changes the Connection line', () => {
    const text = site('', '/live/ws', 'keep-alive').replace(
      '    proxy_set_header Upgrade $http_upgrade;\n',
      '',
    );
    const findings = lint(text).filter((f) => f.rule === 'ws-upgrade-headers');
    expect(findings.map((f) => `${f.line} ${f.severity}`)).toEqual(['4 error']);
    expect(findings[0]?.fix).toBe(
      'proxy_set_header Upgrade $http_upgrade; change line 7 (proxy_set_header Connection keep-alive) to proxy_set_header Connection upgrade;',
    );
  });

  it('reads every line nginx sends: keep-alive then upgrade at one level sends both, so no finding', () => {
    const text = site('', '/live/ws', 'keep-alive;\n    proxy_set_header Connection upgrade');
    expect(lint(text).filter((f) => f.rule === 'ws-upgrade-headers')).toEqual([]);
  });
});

describe('proxy-read-timeout: the fix satisfies the rule that proposed it', () => {
  const file = join(repoRoot, 'fixtures', 'lint', 'rules', 'proxy-read-timeout', 'bad-jump.conf');
  const text = readFileSync(file, 'utf8');
  const timeoutFindings = (config: string, flags: LintFlags) => {
    const dir = mkdtempSync(join(tmpdir(), 'wss-conf-timeout-fix-'));
    try {
      writeFileSync(join(dir, 'site.conf'), config);
      return lintPaths(['site.conf'], { cwd: dir, ...flags }).findings.filter(
        (f) => f.rule === 'proxy-read-timeout',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  /** The fix (one `proxy_read_timeout …;` line) put into the location the finding names. */
  const applied = (fix: string): string =>
    text.replace('    location @api_websocket {\n', `    location @api_websocket {\n        ${fix}\n`);

  it.each([
    // [ping interval, fix]: the copied 15m does not outlast a 15m ping, so the rule's own suggestion.
    ['15m', 'proxy_read_timeout 1800s;'],
    // 15m outlasts a 10m ping: the value the author chose, moved to where it applies.
    ['10m', 'proxy_read_timeout 15m;'],
    [undefined, 'proxy_read_timeout 15m;'],
  ])('--ping-interval %s: fix %s, and the fixed file re-lints clean', (ping, expected) => {
    const flags: LintFlags = ping ? { pingInterval: ping } : {};
    const [finding, ...others] = timeoutFindings(text, flags);
    expect(others).toEqual([]);
    expect(finding?.fix).toBe(expected);
    expect(timeoutFindings(applied(finding?.fix ?? ''), flags)).toEqual([]);
  });
});

describe('the session 10 cold attack on the new checks', () => {
  const lintText = (text: string, server: 'nginx' | 'apache' = 'nginx') =>
    lintConfig({
      server,
      files: [{ name: 'site.conf', text }],
      resolveInclude: () => ({ unreadable: 'not in this test' }),
      settings: { serverVersion: undefined, wsPaths: [], fileExists: undefined },
    }).map((f) => `${f.line} ${f.severity} ${f.rule}`);
  const socket =
    'proxy_pass http://127.0.0.1:1; proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade";';

  it('ws-location-shadowed leaves a nested socket location alone: ^~ there would not help', () => {
    const text = [
      'server {',
      '    listen 80;',
      '    location ~ ^/api { proxy_pass http://127.0.0.1:1; }',
      `    location /api/ { proxy_pass http://127.0.0.1:1; location /api/ws { ${socket} } }`,
      '}',
    ].join('\n');
    expect(lintText(text).filter((f) => f.endsWith('ws-location-shadowed'))).toEqual([]);
  });

  it('ws-location-shadowed tries the path with the slash clients add', () => {
    const text = [
      'server {',
      '    listen 80;',
      '    location ~ ^/(socket\\.io|static)/ { proxy_pass http://127.0.0.1:1; }',
      `    location /socket.io { ${socket} }`,
      '}',
    ].join('\n');
    expect(lintText(text).filter((f) => f.endsWith('ws-location-shadowed'))).toEqual([
      '4 warning ws-location-shadowed',
    ]);
  });

  it.each([
    ['a rewrite of / alone', 'rewrite ^/$ https://example.com/app/ permanent;'],
    ['a return that error_page sends on', 'return 418; error_page 418 = @app;'],
  ])('%s at server level leaves the server proxying: it is judged', (_, line) => {
    const text = [
      'server {',
      '    listen 80;',
      `    ${line}`,
      '    location /ws { proxy_pass http://127.0.0.1:1; }',
      '    location @app { proxy_pass http://127.0.0.1:1; }',
      '}',
    ].join('\n');
    expect(lintText(text)).toContain('4 error ws-upgrade-headers');
  });

  it('apache-upgrade-condition: a ws:// ProxyPass for another path does not make a dead rule dead text', () => {
    const text = [
      '<VirtualHost *:80>',
      '    RewriteEngine on',
      '    RewriteCond ${HTTP:Upgrade} websocket [NC]',
      '    RewriteRule ^/chat/(.*) ws://127.0.0.1:1/chat/$1 [P,L]',
      '    ProxyPass /other/ ws://127.0.0.1:1/other/',
      '</VirtualHost>',
    ].join('\n');
    expect(lintText(text, 'apache').filter((f) => f.endsWith('apache-upgrade-condition'))).toEqual([
      '3 warning apache-upgrade-condition',
    ]);
  });

  it('16,000 locations, half regexes and half sockets, lint in seconds, not minutes', () => {
    let text = 'server {\n    listen 80;\n';
    for (let i = 0; i < 8000; i++) {
      text += `    location ~ ^/r${i}/ { proxy_pass http://127.0.0.1:1; }\n    location /ws/${i}/ { ${socket} }\n`;
    }
    const started = performance.now();
    lintText(`${text}}\n`);
    // 62 s before each regex was compiled once and each server's locations listed once; 2 s after.
    expect(performance.now() - started).toBeLessThan(20_000);
  }, 30_000);
});
