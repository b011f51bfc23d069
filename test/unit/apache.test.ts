import { describe, expect, it } from 'vitest';
import { resolveVersions } from '../../src/commands/render-site.js';
import { UsageError } from '../../src/core/errors.js';
import { type GenerationInput, parseGenerationOptions } from '../../src/core/options.js';
import { apacheSupports, defaultVersions } from '../../src/core/versions.js';
import {
  apacheMainConfig,
  modulesForSite,
  parseApacheVersionOutput,
  parseOpensslVersionOutput,
} from '../../src/io/apache.js';
import { apache } from '../../src/servers/apache/index.js';
import { apacheSiteModules, renderApacheSite } from '../../src/targets/apache.js';

const base: GenerationInput = { domain: ['example.com'], backend: ['8282'] };

function render(input: Partial<GenerationInput>, server = '2.4.58', openssl = '3.0.0') {
  const options = parseGenerationOptions({ ...base, ...input });
  return renderApacheSite(options, { server, openssl, source: 'given' }, '0.0.0-test');
}
const textOf = (input: Partial<GenerationInput>, server?: string, openssl?: string): string =>
  Object.values(render(input, server, openssl).files)[0] as string;
const directives = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

describe('apache capabilities', () => {
  it.each([
    ['2.4.4', 'proxyWstunnel', false],
    ['2.4.5', 'proxyWstunnel', true],
    ['2.4.7', 'fullChainCertificateFile', false],
    ['2.4.8', 'fullChainCertificateFile', true],
    ['2.4.10', 'sessionTicketsDirective', false],
    ['2.4.11', 'sessionTicketsDirective', true],
    ['2.4.16', 'http2', false],
    ['2.4.17', 'http2', true],
    ['2.4.35', 'tls13', false],
    ['2.4.36', 'tls13', true],
    ['2.4.46', 'proxyHttpUpgrade', false],
    ['2.4.47', 'proxyHttpUpgrade', true],
  ] as const)('Apache %s has %s: %s', (version, feature, expected) => {
    expect(apacheSupports(version, feature)).toBe(expected);
  });

  it('defaults to an Apache that still needs mod_proxy_wstunnel, which every newer 2.4 accepts', () => {
    expect(apacheSupports(defaultVersions.apache, 'proxyHttpUpgrade')).toBe(false);
    expect(apacheSupports(defaultVersions.apache, 'tls13')).toBe(true);
  });
});

describe('the two WebSocket forms', () => {
  it.each([
    ['2.4.46', false],
    ['2.4.47', true],
  ])('Apache %s uses upgrade=websocket: %s', (server, upgrade) => {
    const text = textOf({ path: '/wss' }, server);
    expect(text.includes('ProxyPass /wss http://127.0.0.1:8282/wss upgrade=websocket timeout=3600')).toBe(
      upgrade,
    );
    expect(text.includes('RewriteRule ^(/wss.*)$ ws://127.0.0.1:8282$1 [P,L]')).toBe(!upgrade);
    expect(text.includes('RewriteCond %{HTTP:Upgrade} =websocket [NC]')).toBe(!upgrade);
    // plain requests to the same path go to http:// in both forms
    expect(text).toContain('ProxyPassReverse /wss http://127.0.0.1:8282/wss');
  });

  it.each([
    ['/', 'ProxyPass / http://127.0.0.1:8282/ '],
    ['/wss', 'ProxyPass /wss http://127.0.0.1:8282/wss '],
    ['/socket.io/', 'ProxyPass /socket.io/ http://127.0.0.1:8282/socket.io/ '],
  ])('keeps trailing slashes alike on both sides for --path %s', (path, line) => {
    expect(textOf({ path })).toContain(line);
  });

  it('matches the path literally in the RewriteRule: a dot is not "any character"', () => {
    expect(textOf({ path: '/socket.io/' }, '2.4.46')).toContain('RewriteRule ^(/socket\\.io/.*)$ ws://');
  });

  it('sets the idle timeout from --timeout on the worker and ProxyTimeout', () => {
    const text = textOf({ timeout: '10m' });
    expect(text).toContain('upgrade=websocket timeout=600');
    expect(text).toContain('ProxyTimeout 600');
  });

  it('forwards the client name and says it came over https', () => {
    const lines = directives(textOf({}));
    expect(lines).toContain('ProxyPreserveHost On');
    expect(lines).toContain('RequestHeader set X-Forwarded-Proto "https"');
    expect(lines).toContain('RequestHeader set X-Real-IP "expr=%{REMOTE_ADDR}"');
    expect(directives(textOf({}, '2.4.9'))).not.toContain(
      'RequestHeader set X-Real-IP "expr=%{REMOTE_ADDR}"',
    );
  });
});

describe('load balancing', () => {
  const backends = ['10.0.0.5:9000', '10.0.0.6:9000'];
  it.each([
    ['least-conn', 'ProxySet lbmethod=bybusyness', 'lbmethod_bybusyness'],
    ['round-robin', 'ProxySet lbmethod=byrequests', 'lbmethod_byrequests'],
    ['ip-hash', 'ProxySet lbmethod=bybusyness stickysession=ROUTE_example_com_443', 'lbmethod_bybusyness'],
  ] as const)('--balance %s becomes %s', (balance, line, module) => {
    const site = render({ backend: backends, balance });
    const text = Object.values(site.files)[0] as string;
    expect(directives(text)).toContain(line);
    expect(text).toMatch(new RegExp(`a2enmod .*\\b${module}\\b`));
    expect(text.includes('env=BALANCER_ROUTE_CHANGED')).toBe(balance === 'ip-hash');
    expect(site.warnings.some((w) => w.startsWith('--balance ip-hash'))).toBe(balance === 'ip-hash');
  });

  it('puts the worker parameters on every member, and the same routes in both balancers before 2.4.47', () => {
    const lines = directives(textOf({ backend: backends, balance: 'ip-hash', path: '/ws' }, '2.4.46'));
    expect(lines).toEqual(
      expect.arrayContaining([
        '<Proxy balancer://wss_example_com_443_ws>',
        'BalancerMember ws://10.0.0.5:9000 route=b1 timeout=3600',
        'BalancerMember ws://10.0.0.6:9000 route=b2 timeout=3600',
        '<Proxy balancer://wss_example_com_443_http>',
        'BalancerMember http://10.0.0.5:9000 route=b1 timeout=3600',
        'RewriteRule ^(/ws.*)$ balancer://wss_example_com_443_ws$1 [P,L]',
        'ProxyPass /ws balancer://wss_example_com_443_http/ws',
      ]),
    );
  });
});

describe('TLS', () => {
  it.each([
    ['2.4.35', 'intermediate', 'SSLProtocol -all +TLSv1.2'],
    ['2.4.36', 'intermediate', 'SSLProtocol -all +TLSv1.2 +TLSv1.3'],
    ['2.4.36', 'modern', 'SSLProtocol -all +TLSv1.3'],
  ] as const)('Apache %s, %s: %s', (server, tls, line) => {
    const lines = directives(textOf({ tls }, server));
    expect(lines).toContain(line);
    expect(lines.some((l) => l.startsWith('SSLCipherSuite TLSv1.3 '))).toBe(apacheSupports(server, 'tls13'));
    expect(lines.some((l) => l.startsWith('SSLCipherSuite ECDHE-'))).toBe(tls === 'intermediate');
  });

  it('refuses --tls modern where Apache has no TLS 1.3, and Apache below 2.4.5, naming the option', () => {
    expect(() => render({ tls: 'modern' }, '2.4.35')).toThrow(UsageError);
    expect(() => render({ tls: 'modern' }, '2.4.35')).toThrow(/^--tls: "modern" is TLS 1.3 only/);
    expect(() => render({}, '2.4.4')).toThrow(/^--server-version: Apache 2.4.4 cannot proxy WebSocket/);
    expect(() => render({}, '2.2.34')).toThrow(UsageError);
  });

  it.each([
    ['2.4.7', true],
    ['2.4.8', false],
  ])('Apache %s needs SSLCertificateChainFile (the same full-chain file): %s', (server, needed) => {
    const lines = directives(textOf({ cert: '/etc/ssl/full.pem', key: '/etc/ssl/k.pem' }, server));
    expect(lines).toContain('SSLCertificateFile    /etc/ssl/full.pem');
    expect(lines.includes('SSLCertificateChainFile /etc/ssl/full.pem')).toBe(needed);
  });

  it.each([
    ['2.4.10', '3.0.0', undefined],
    ['2.4.11', '3.0.0', 'SSLOpenSSLConfCmd Curves X25519:prime256v1:secp384r1'],
    ['2.4.11', '3.5.0', 'SSLOpenSSLConfCmd Curves X25519MLKEM768:X25519:prime256v1:secp384r1'],
  ])('Apache %s with OpenSSL %s: %s', (server, openssl, line) => {
    const lines = directives(textOf({}, server, openssl));
    const curves = lines.find((l) => l.startsWith('SSLOpenSSLConfCmd Curves'));
    expect(curves).toBe(line);
    expect(lines.includes('SSLSessionTickets off')).toBe(line !== undefined);
  });

  it.each([
    '2.4.5',
    '2.4.37',
    '2.4.46',
    '2.4.47',
    '2.4.71',
  ])('never enables SSLv2/3, TLS 1.0/1.1, RC4 or EXPORT suites, nor `all -SSLv3` (Apache %s)', (server) => {
    for (const tls of ['intermediate', 'modern'] as const) {
      if (tls === 'modern' && !apacheSupports(server, 'tls13')) continue;
      const tlsLines = directives(textOf({ tls }, server)).filter((line) => line.startsWith('SSL'));
      expect(tlsLines.join('\n')).not.toMatch(/SSLv2|SSLv3|TLSv1(\.1)?\b(?!\.)|RC4|EXPORT|(?<!-)\ball\b/);
      expect(tlsLines).toContain('SSLHonorCipherOrder off');
    }
  });

  it('sends HSTS through mod_headers, and HTTP/2 from 2.4.17', () => {
    expect(directives(textOf({}))).toContain(
      'Header always set Strict-Transport-Security "max-age=63072000"',
    );
    expect(directives(textOf({}, '2.4.17'))).toContain('Protocols h2 http/1.1');
    expect(textOf({}, '2.4.16')).not.toContain('Protocols');
  });
});

describe('names, ports and the redirect', () => {
  it.each([
    [['example.com', 'www.example.com'], 'example.com', 'www.example.com'],
    [['*.example.com', 'example.com'], 'example.com', '*.example.com'],
    [['*.example.com'], 'www.example.com', '*.example.com'],
  ])('--domain %j: ServerName %s, ServerAlias %s (a wildcard ServerName is refused)', (domain, name, alias) => {
    const lines = directives(textOf({ domain }));
    expect(lines).toContain(`ServerName ${name}`);
    expect(lines).toContain(`ServerAlias ${alias}`);
  });

  it.each([
    [{}, []],
    [{ listen: '127.0.0.1:443', redirectListen: '127.0.0.1:80' }, []],
    [{ listen: '8443', redirectListen: '8080' }, ['Listen 8443 https', 'Listen 8080']],
    [{ listen: '127.0.0.1:8443', redirect: false }, ['Listen 127.0.0.1:8443 https']],
    [{ listen: '[::1]:8443', redirectListen: '80' }, ['Listen [::1]:8443 https']],
  ] as const)('%j writes Listen only for ports ports.conf lacks: %j', (input, listens) => {
    const lines = directives(textOf(input as Partial<GenerationInput>));
    expect(lines.filter((l) => l.startsWith('Listen '))).toEqual(listens);
    // each Listen sits behind its own Define, so a second site on the same port skips it
    for (const listen of listens) {
      const guard = `WSS_CONF_LISTEN_${listen.split(' ')[1]}`.replace(/[^A-Za-z0-9]/g, '_').toUpperCase();
      expect(lines).toEqual(expect.arrayContaining([`<IfDefine !${guard}>`, `Define ${guard}`]));
    }
  });

  it('keeps SSLSessionCache out of the VirtualHost, behind its Define', () => {
    const text = textOf({});
    const cache = text.indexOf('SSLSessionCache shmcb:');
    expect(cache).toBeGreaterThan(text.indexOf('<IfDefine !WSS_CONF_SSL_SESSION_CACHE>'));
    expect(cache).toBeLessThan(text.indexOf('<VirtualHost'));
  });

  it.each([
    [{}, 'RewriteRule ^ https://example.com%{REQUEST_URI} [R=301,L]', '<VirtualHost *:80>'],
    [
      { listen: '8443', redirectListen: '8080' },
      'RewriteRule ^ https://example.com:8443%{REQUEST_URI} [R=301,L]',
      '<VirtualHost *:8080>',
    ],
    // With several names, the one asked for: the refusing VirtualHost takes every other.
    [
      { domain: ['example.com', 'www.example.com'] },
      'RewriteRule ^ https://%{SERVER_NAME}%{REQUEST_URI} [R=301,L]',
      'UseCanonicalName Off',
    ],
  ])('%j redirects permanently to https, to a configured name, with the port when not 443', (input, rule, vhost) => {
    const lines = directives(textOf(input));
    expect(lines).toContain(rule);
    expect(lines).toContain(vhost);
  });

  it('omits the redirect with --no-redirect, and with it mod_rewrite from 2.4.47', () => {
    const text = textOf({ redirect: false });
    expect(text).not.toContain('<VirtualHost *:80>');
    expect(text).not.toContain('Rewrite');
    expect(text).not.toMatch(/a2enmod .*rewrite/);
  });
});

describe('static files', () => {
  it('excludes the static prefix from the proxy before any ProxyPass, even with the socket at /', () => {
    const lines = directives(textOf({ staticDir: '/root/html/static' }));
    const exclusion = lines.indexOf('ProxyPass /static/ !');
    expect(exclusion).toBeGreaterThan(-1);
    expect(exclusion).toBeLessThan(lines.findIndex((l) => l.startsWith('ProxyPass / ')));
    expect(lines).toEqual(
      expect.arrayContaining([
        'Alias /static/ /root/html/static/',
        '<Directory /root/html/static/>',
        'Require all granted',
      ]),
    );
  });

  it('keeps upgrade requests for static files away from the backend before 2.4.47', () => {
    const lines = directives(textOf({ staticDir: '/srv/www' }, '2.4.46'));
    expect(lines).toContain('RewriteCond %{REQUEST_URI} !^/static/');
    expect(directives(textOf({ staticDir: '/srv/www', path: '/ws' }, '2.4.46'))).not.toContain(
      'RewriteCond %{REQUEST_URI} !^/static/',
    );
  });
});

/** Which module each directive or URL scheme in a generated file needs (the modules' own docs). */
const moduleOfLine: readonly [RegExp, string][] = [
  [/^SSL/, 'ssl'],
  [/shmcb:/, 'socache_shmcb'],
  [/^(Request)?Header /, 'headers'],
  [/^(Proxy|<Proxy|BalancerMember)/, 'proxy'],
  [/ http:\/\/| balancer:\/\/.*_http\b|BalancerMember http:/, 'proxy_http'],
  [/ ws:\/\/|BalancerMember ws:/, 'proxy_wstunnel'],
  [/^Rewrite/, 'rewrite'],
  [/balancer:\/\//, 'proxy_balancer'],
  [/balancer:\/\//, 'slotmem_shm'],
  [/lbmethod=byrequests/, 'lbmethod_byrequests'],
  [/lbmethod=bybusyness/, 'lbmethod_bybusyness'],
  [/^(Alias |Redirect\b)/, 'alias'],
  [/^Protocols h2/, 'http2'],
];

describe('the a2enmod list in the header', () => {
  it.each([
    [{}, '2.4.58'],
    [{}, '2.4.46'],
    [{ redirect: false }, '2.4.47'],
    [{ staticDir: '/srv/www' }, '2.4.16'],
    [{ backend: ['1', '2'], balance: 'round-robin' }, '2.4.71'],
    [{ backend: ['1', '2'], balance: 'ip-hash' }, '2.4.41'],
  ] as const)('%j for %s names exactly the modules the directives need', (input, server) => {
    const text = textOf(input as Partial<GenerationInput>, server);
    const needed = new Set<string>();
    for (const line of directives(text)) {
      for (const [pattern, module] of moduleOfLine) if (pattern.test(line)) needed.add(module);
    }
    const listed = modulesForSite(text);
    expect(new Set(listed)).toEqual(needed);
    // in a fixed order, so equal options give equal bytes
    expect(listed).toEqual(apacheSiteModules.filter((module) => needed.has(module)));
  });

  it('is what the config test loads; a file without it gets every module a site may use', () => {
    expect(modulesForSite('#   Debian/Ubuntu: a2enmod ssl headers proxy\n')).toEqual([
      'ssl',
      'headers',
      'proxy',
    ]);
    expect(modulesForSite('<VirtualHost *:443>\n</VirtualHost>\n')).toEqual([...apacheSiteModules]);
  });
});

describe('version detection', () => {
  it.each([
    ['Server version: Apache/2.4.58 (Ubuntu)\nServer built:   2025-08-11T11:10:09\n', '2.4.58'],
    ['Server version: Apache/2.4.37 (Red Hat Enterprise Linux)\n', '2.4.37'],
    ['command not found', undefined],
  ])('reads %j as %s', (text, version) => {
    expect(parseApacheVersionOutput(text)).toBe(version);
  });

  it.each([
    ['OpenSSL 3.0.19 27 Jan 2026 (Library: OpenSSL 3.0.17 1 Jul 2025)\n', '3.0.17'],
    ['OpenSSL 3.5.1 1 Jul 2025 (Library: OpenSSL 3.5.1 1 Jul 2025)\n', '3.5.1'],
    ['OpenSSL 1.1.1k  FIPS 25 Mar 2021\n', '1.1.1'],
    ['LibreSSL 3.3.6\n', undefined],
  ])('reads the library OpenSSL from %j: %s', (text, version) => {
    expect(parseOpensslVersionOutput(text)).toBe(version);
  });

  it.each([
    [{ serverVersion: '2.4.41' }, { server: '2.4.71', openssl: '3.0.19' }, '2.4.41', '3.0.19', 'given'],
    [{}, { server: '2.4.71', openssl: '3.0.19' }, '2.4.71', '3.0.19', 'detected'],
    [{ opensslVersion: '3.5.0' }, { server: '2.4.71', openssl: '3.0.19' }, '2.4.71', '3.5.0', 'detected'],
    [{}, undefined, defaultVersions.apache, defaultVersions.openssl, 'default'],
  ] as const)('options %j with %j installed → Apache %s, OpenSSL %s (%s)', (input, detected, server, openssl, source) => {
    const options = parseGenerationOptions({ ...base, ...input });
    expect(resolveVersions(apache, options, detected)).toEqual({ server, openssl, source });
  });
});

describe('apacheMainConfig', () => {
  it('keeps everything in the ServerRoot and loads each module unless it is compiled in', () => {
    const text = apacheMainConfig({
      serverRoot: '/tmp/root',
      modulesDir: '/usr/lib/apache2/modules',
      modules: ['ssl', 'proxy'],
      include: ['/tmp/root/conf/site-1.conf'],
    });
    expect(text).toContain('DefaultRuntimeDir /tmp/root/run');
    expect(text).toContain('ErrorLog /tmp/root/error.log');
    expect(text).toContain(
      '<IfModule !ssl_module>\n    LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n</IfModule>',
    );
    expect(text).toContain('LoadModule authz_core_module');
    expect(text.trimEnd().endsWith('Include /tmp/root/conf/site-1.conf')).toBe(true);
    expect(text).not.toMatch(/\/etc\//);
  });
});
