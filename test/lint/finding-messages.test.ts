/**
 * Every finding says what actually breaks, and for which requests: the messages name the request or
 * the path, not only the mistake ("the backend gets mangled paths" must say which path).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintPaths } from '../../src/commands/lint.js';
import { repoRoot } from '../helpers/cli.js';

const messageOf = (rule: string, file: string, flags = {}) =>
  lintPaths([`fixtures/lint/rules/${rule}/${file}`], { cwd: repoRoot, ...flags }).findings.find(
    (finding) => finding.rule === rule,
  )?.message;

describe('finding messages name what breaks, for which requests', () => {
  it.each([
    ['apache-proxypass-slash', 'bad.conf', /\/app\/chat goes to http:\/\/127\.0\.0\.1:8282\/appchat$/],
    ['apache-redirect-slash', 'bad.conf', /\/about is sent to https:\/\/example\.tldabout/],
    ['apache-ssl-proxy-engine', 'bad.conf', /every request to \/ws\/ fails with 500$/],
    ['apache-proxy-requests', 'bad.conf', /send requests through it to any host/],
    ['apache-ws-upgrade', 'bad.conf', /every handshake to \/ws\/ reaches the backend without Upgrade/],
    ['tls-ocsp-stapling', 'bad.apache.conf', /AH01958/],
    ['connection-upgrade-literal', 'bad.conf', /every request under \/ that is not a WebSocket handshake/],
    ['proxy-read-timeout', 'bad.conf', /no frame for 60s is closed by nginx/],
    [
      'apache-sslengine-every-listen',
      'bad.conf',
      /every plain http:\/\/ request to port 80 gets "400 Bad Request"/,
    ],
    ['apache-tls-port-plain', 'bad.conf', /plain HTTP on port 443/],
  ])('%s (%s)', (rule, file, pattern) => {
    expect(messageOf(rule, file)).toMatch(pattern);
  });
});

const fixOf = (rule: string, file: string, flags = {}) =>
  lintPaths([`fixtures/lint/rules/${rule}/${file}`], { cwd: repoRoot, ...flags }).findings.find(
    (finding) => finding.rule === rule,
  )?.fix;

describe('fixes keep the route they mend', () => {
  // The prefix form (^path(.*) → url/$1) on a regex route gave `RewriteRule ^^/apollo/(.*)$(.*)
  // ws://…/$1/$1`, which sent /apollo/notify to /notify/notify (the session 8 sweep, httpd 2.4.71).
  it.each([
    [
      'bad-upgrade-match-before-2.4.47.conf',
      'RewriteCond %{HTTP:Upgrade} websocket [NC] and RewriteRule ^/apollo/(.*)$ ws://127.0.0.1:8282/$1 [P,L] before it',
    ],
    [
      'bad-upgrade-before-2.4.47.conf',
      'RewriteCond %{HTTP:Upgrade} websocket [NC] and RewriteRule ^/app/(.*) ws://127.0.0.1:8282/app/$1 [P,L] before it',
    ],
  ])('apache-ws-upgrade (%s)', (file, rewrite) => {
    expect(fixOf('apache-ws-upgrade', file, { serverVersion: '2.4.37' })).toContain(rewrite);
  });
});

describe('a fix never turns a route that serves pages into ws:// before httpd 2.4.47', () => {
  // Kavita's vhost linted with --ws-path /hubs: `ProxyPass / ws://…` was suggested for its only route,
  // which mod_proxy_wstunnel serves no pages through before 2.4.47 (the session 9 sweep).
  it('a / route that a --ws-path selects gets the Upgrade rewrite, or upgrade= from 2.4.47', () => {
    const wsPath = ['/api/v1/streaming'];
    expect(fixOf('apache-ws-upgrade', 'bad-ws-path-elsewhere.conf', { wsPath })).toBe(
      // The site has no RewriteEngine On: without it httpd ignores the rule (200 on httpd 2.4.71).
      'RewriteEngine On, RewriteCond %{HTTP:Upgrade} websocket [NC] and RewriteRule ^/(.*) ws://127.0.0.1:3002/$1 [P,L] before it',
    );
    expect(
      fixOf('apache-ws-upgrade', 'bad-ws-path-elsewhere.conf', { wsPath, serverVersion: '2.4.62' }),
    ).toBe('ProxyPass / http://127.0.0.1:3002/ upgrade=websocket');
  });

  it('a route whose path names the socket, or lies under a --ws-path, becomes ws://', () => {
    expect(fixOf('apache-ws-upgrade', 'bad.conf')).toMatch(/^ProxyPass \S+ ws:\/\//);
    // The same route picked out by a --ws-path that holds it: sockets only there too.
    expect(fixOf('apache-ws-upgrade', 'bad-ws-path-elsewhere.conf', { wsPath: ['/'] })).toBe(
      'ProxyPass / ws://127.0.0.1:3002/',
    );
  });
});

describe('apache-rewrite-backreference fixes', () => {
  it('gives a rule for a server-level catch-all, and no rule in a <Location>, where paths are files', () => {
    expect(fixOf('apache-rewrite-backreference', 'bad.conf')).toBe(
      'RewriteRule ^/?(.*) ws://127.0.0.1:8282/$1 [P,L]  (a group for what $1 stands for)',
    );
    const dir = mkdtempSync(join(tmpdir(), 'wss-conf-backreference-'));
    const file = join(dir, 'site.conf');
    writeFileSync(
      file,
      '<VirtualHost *:80>\n<Location /ws>\nRewriteEngine On\nRewriteRule .* ws://127.0.0.1:8282/$1 [P,L]\n</Location>\n</VirtualHost>\n',
    );
    const finding = lintPaths([file]).findings.find((f) => f.rule === 'apache-rewrite-backreference');
    // `(.*)` there gave the backend /ws/proxy:http://…/ws/chat (the second cold attack).
    expect(finding?.fix).toBe(
      'in a <Location> or <Directory> a RewriteRule matches the file-system path: write ws://127.0.0.1:8282%{REQUEST_URI} as the target',
    );
  });
});

describe('the Upgrade rewrite for a prefix route appends the rest of the path as ProxyPass does', () => {
  it('keeps the rest\'s own "/" after a slashless prefix (the cold attack: /app//hubs/x before)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wss-conf-rewrite-fix-'));
    const file = join(dir, 'site.conf');
    writeFileSync(file, '<VirtualHost *:80>\nProxyPass /app http://127.0.0.1:8080/app\n</VirtualHost>\n');
    const finding = lintPaths([file], { wsPath: ['/app/hubs'], serverVersion: '2.4.46' }).findings.find(
      (f) => f.rule === 'apache-ws-upgrade',
    );
    expect(finding?.fix).toBe(
      'RewriteEngine On, RewriteCond %{HTTP:Upgrade} websocket [NC] and RewriteRule ^/app(.*) ws://127.0.0.1:8080/app$1 [P,L] before it',
    );
  });
});

describe('fixes after the second cold attack', () => {
  const lintText = (text: string, flags = {}) => {
    const dir = mkdtempSync(join(tmpdir(), 'wss-conf-fix-'));
    const file = join(dir, 'site.conf');
    writeFileSync(file, text);
    return lintPaths([file], flags).findings;
  };

  it('the Upgrade rewrite for a ProxyPass in a <Location> goes at the site level, its path escaped', () => {
    const [inLocation] = lintText(
      '<VirtualHost *:80>\nRewriteEngine On\n<Location /app>\nProxyPass http://127.0.0.1:8080/app\n</Location>\n</VirtualHost>\n',
      { wsPath: ['/app/hubs'], serverVersion: '2.4.46' },
    ).filter((f) => f.rule === 'apache-ws-upgrade');
    expect(inLocation?.fix).toBe(
      "RewriteCond %{HTTP:Upgrade} websocket [NC] and RewriteRule ^/app(.*) ws://127.0.0.1:8080/app$1 [P,L] at the <VirtualHost *:80>'s level, before the <Location>",
    );
    const [modern] = lintText(
      '<VirtualHost *:80>\n<Location /app>\nProxyPass http://127.0.0.1:8080/app\n</Location>\n</VirtualHost>\n',
      { wsPath: ['/app/hubs'], serverVersion: '2.4.62' },
    ).filter((f) => f.rule === 'apache-ws-upgrade');
    // httpd refuses a path on a ProxyPass inside <Location>.
    expect(modern?.fix).toBe('ProxyPass http://127.0.0.1:8080/app upgrade=websocket');
    const [escaped] = lintText(
      '<VirtualHost *:80>\nRewriteEngine On\nProxyPass /c++/ http://127.0.0.1:8080/c++/\n</VirtualHost>\n',
      { wsPath: ['/c++/hubs'], serverVersion: '2.4.46' },
    ).filter((f) => f.rule === 'apache-ws-upgrade');
    expect(escaped?.fix).toContain('RewriteRule ^/c\\+\\+/(.*) ws://127.0.0.1:8080/c++/$1 [P,L] before it');
  });

  it('a negated pattern is told it captures nothing', () => {
    const [finding] = lintText(
      '<VirtualHost *:80>\nRewriteEngine On\nRewriteRule !^/(api/.*) ws://127.0.0.1:8282/$1 [P,L]\n</VirtualHost>\n',
    ).filter((f) => f.rule === 'apache-rewrite-backreference');
    expect(finding?.fix).toMatch(/^a negated pattern captures nothing/);
  });
});
