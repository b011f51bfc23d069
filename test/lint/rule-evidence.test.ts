/**
 * The server behaviour the rules changed in issue 12 rest on, shown on the real servers here (Debian's
 * Apache 2.4 and nginx 1.22.1 with OpenSSL 3.0), and lint's verdict on the same file next to it:
 * - apache-sslengine-every-listen: `SSLEngine on` in the main server makes every Listen TLS, so a
 *   `<VirtualHost *:80>` that says nothing of SSL answers a plain HTTP request with 400;
 * - apache-tls-port-plain: a VirtualHost on the TLS port without `SSLEngine on` speaks plain HTTP there,
 *   even with SSLCertificateFile set;
 * - tls-weak-ciphers: OpenSSL 3.0's default security level refuses an anonymous suite that
 *   `ssl_ciphers HIGH` asks for, and `@SECLEVEL=0` lets it through.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintPaths } from '../../src/commands/lint.js';
import { type RunningApache, startApache } from '../helpers/apache-server.js';
import {
  bodyOf,
  handshakeStatus,
  startPathEchoBackend,
  startSocketPathEchoBackend,
} from '../helpers/path-echo.js';
import { makeTestCa, type TestCa } from '../helpers/pki.js';
import { freePort, type RunningNginx, startNginx } from '../helpers/servers.js';
import { requireTool } from '../helpers/tools.js';

const plainGet = (port: number): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { Host: 'a.test' } }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.end();
  });

/** Whether a TLS 1.2 handshake offering only `cipher` succeeds. */
const handshake = (port: number, cipher: string): boolean => {
  const result = spawnSync(
    'openssl',
    ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_2', '-cipher', `${cipher}:@SECLEVEL=0`, '-brief'],
    { input: '', encoding: 'utf8', timeout: 10000 },
  );
  return result.status === 0 && /Cipher is|Ciphersuite/.test(`${result.stdout}${result.stderr}`);
};

// The test CA's keys may be RSA or ECDSA: offer both kinds of a normal suite.
const normalSuites = 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256';

const ruleLines = (file: string, rule: string, flags = {}) =>
  lintPaths([file], flags)
    .findings.filter((f) => f.rule === rule)
    .map((f) => `${f.line} ${f.severity}`);

const apacheTool = requireTool('apache');
describe.skipIf(apacheTool.skip)('Apache: SSLEngine and the ports it covers', () => {
  let ca: TestCa;
  let apache: RunningApache | undefined;
  let tlsPort: number;
  let plainPort: number;
  let unsslPort: number;
  let site: string;
  beforeAll(async () => {
    ca = makeTestCa();
    const cert = ca.issue('a.test');
    [tlsPort, plainPort, unsslPort] = [await freePort(), await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), 'wss-conf-evidence-'));
    site = join(dir, 'site.conf');
    // Line numbers matter: the lint expectations below name them.
    writeFileSync(
      site,
      [
        '# a2enmod ssl socache_shmcb',
        `Listen 127.0.0.1:${tlsPort}`,
        `Listen 127.0.0.1:${plainPort}`,
        `Listen 127.0.0.1:${unsslPort}`,
        'SSLEngine on',
        `SSLCertificateFile ${cert.cert}`,
        `SSLCertificateKeyFile ${cert.key}`,
        `<VirtualHost 127.0.0.1:${plainPort}>`,
        '    ServerName a.test',
        '</VirtualHost>',
        `<VirtualHost 127.0.0.1:${unsslPort}>`,
        '    ServerName a.test',
        '    SSLEngine off',
        `    SSLCertificateFile ${cert.cert}`,
        `    SSLCertificateKeyFile ${cert.key}`,
        '</VirtualHost>',
        '',
      ].join('\n'),
    );
    apache = await startApache([site], [tlsPort, plainPort, unsslPort]);
  }, 30_000);
  afterAll(async () => {
    await apache?.stop();
  });

  it('a VirtualHost that says nothing of SSL inherits the main server’s SSLEngine on: plain HTTP gets 400', async () => {
    const answer = await plainGet(plainPort);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(/plain HTTP to an SSL-enabled server port/);
  });

  it('a VirtualHost with SSLEngine off (certificate or not) answers plain HTTP', async () => {
    const answer = await plainGet(unsslPort);
    expect(answer.status).not.toBe(400);
  });

  it('lint reports the plain-HTTP VirtualHost that SSLEngine on swallows, not the one that opts out', () => {
    expect(ruleLines(site, 'apache-sslengine-every-listen')).toEqual(['8 error']);
  });
});

describe.skipIf(apacheTool.skip)('Apache: a VirtualHost on the TLS port without SSLEngine', () => {
  let ca: TestCa;
  let apache: RunningApache | undefined;
  let ports: [number, number, number] = [0, 0, 0];
  let site: string;
  beforeAll(async () => {
    ca = makeTestCa();
    const cert = ca.issue('a.test');
    ports = [await freePort(), await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), 'wss-conf-evidence-'));
    site = join(dir, 'site.conf');
    writeFileSync(
      site,
      [
        '# a2enmod ssl socache_shmcb',
        `Listen 127.0.0.1:${ports[0]} https`,
        `<VirtualHost 127.0.0.1:${ports[0]}>`,
        '    ServerName a.test',
        '</VirtualHost>',
        `Listen 127.0.0.1:${ports[1]}`,
        `<VirtualHost 127.0.0.1:${ports[1]}>`,
        '    ServerName a.test',
        `    SSLCertificateFile ${cert.cert}`,
        `    SSLCertificateKeyFile ${cert.key}`,
        '</VirtualHost>',
        `Listen 127.0.0.1:${ports[2]} https`,
        `<VirtualHost 127.0.0.1:${ports[2]}>`,
        '    ServerName a.test',
        `    SSLCertificateFile ${cert.cert}`,
        `    SSLCertificateKeyFile ${cert.key}`,
        '</VirtualHost>',
        '',
      ].join('\n'),
    );
    apache = await startApache([site], ports);
  }, 30_000);
  afterAll(async () => {
    await apache?.stop();
  });

  it('https Listen without a certificate: plain HTTP', async () => {
    expect((await plainGet(ports[0])).status).toBe(403);
    expect(handshake(ports[0], normalSuites)).toBe(false);
  });
  it('a certificate on a port that is not https, SSLEngine unset: plain HTTP', async () => {
    expect((await plainGet(ports[1])).status).toBe(403);
    expect(handshake(ports[1], normalSuites)).toBe(false);
  });
  it('https Listen with a certificate, SSLEngine unset: mod_ssl turns TLS on by itself', async () => {
    expect((await plainGet(ports[2])).status).toBe(400);
    expect(handshake(ports[2], normalSuites)).toBe(true);
  });

  it('lint reports the two plain ones', () => {
    expect(ruleLines(site, 'apache-tls-port-plain')).toEqual(['3 error', '7 error']);
  });
});

// proxy-pass-request-host on Apache: Galaxy's published IPython rule takes the backend's port from the
// URL, so a client reaches whatever listens on any port of the host (the session 7 sweep).
describe.skipIf(apacheTool.skip)('Apache: a proxying RewriteRule whose port comes from the request', () => {
  let apache: RunningApache | undefined;
  const services: Server[] = [];
  let port = 0;
  let servicePorts: number[] = [];
  let site: string;
  beforeAll(async () => {
    for (const name of ['notebook', 'unrelated-service']) {
      const service = createServer((_, res) => res.end(name));
      await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
      services.push(service);
    }
    servicePorts = services.map((service) => (service.address() as AddressInfo).port);
    port = await freePort();
    site = join(mkdtempSync(join(tmpdir(), 'wss-conf-evidence-')), 'site.conf');
    writeFileSync(
      site,
      [
        '# a2enmod rewrite proxy proxy_http',
        `Listen 127.0.0.1:${port}`,
        `<VirtualHost 127.0.0.1:${port}>`,
        '    ServerName a.test',
        '    RewriteEngine On',
        '    RewriteRule ^/ipython/([0-9]+)/(.*)$ http://127.0.0.1:$1/ipython/$2 [P,L]',
        '</VirtualHost>',
        '',
      ].join('\n'),
    );
    apache = await startApache([site], [port]);
  }, 30_000);
  afterAll(async () => {
    await apache?.stop();
    for (const service of services) service.close();
  });

  it('the client picks the service: each port in the URL reaches the one listening there', async () => {
    const get = (path: string) => bodyOf(port, path);
    expect(await get(`/ipython/${servicePorts[0]}/x`)).toBe('notebook');
    expect(await get(`/ipython/${servicePorts[1]}/x`)).toBe('unrelated-service');
  });

  it('lint reports the rule', () => {
    expect(ruleLines(site, 'proxy-pass-request-host')).toEqual(['6 error']);
  });
});

const nginxTool = requireTool('nginx');
describe.skipIf(nginxTool.skip)('nginx with OpenSSL 3.0: the security level refuses anonymous suites', () => {
  let ca: TestCa;
  let nginx: RunningNginx | undefined;
  let [allPort, zeroPort] = [0, 0];
  let site: string;
  beforeAll(async () => {
    ca = makeTestCa();
    const cert = ca.issue('a.test');
    [allPort, zeroPort] = [await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), 'wss-conf-evidence-'));
    site = join(dir, 'site.conf');
    const server = (port: number, ciphers: string) =>
      [
        'server {',
        `    listen 127.0.0.1:${port} ssl;`,
        '    server_name a.test;',
        `    ssl_certificate ${cert.cert};`,
        `    ssl_certificate_key ${cert.key};`,
        '    ssl_protocols TLSv1.2;',
        '    add_header Strict-Transport-Security "max-age=63072000" always;',
        `    ssl_ciphers ${ciphers};`,
        '    return 200;',
        '}',
      ].join('\n');
    writeFileSync(site, `${server(allPort, 'HIGH')}\n${server(zeroPort, 'HIGH:@SECLEVEL=0')}\n`);
    nginx = await startNginx([site], [allPort, zeroPort]);
  }, 30_000);
  afterAll(async () => {
    await nginx?.stop();
  });

  it('ssl_ciphers HIGH: an anonymous-only client fails; a normal one succeeds', () => {
    expect(handshake(allPort, normalSuites)).toBe(true);
    expect(handshake(allPort, 'AECDH-AES128-SHA')).toBe(false);
  });

  it('ssl_ciphers HIGH:@SECLEVEL=0: the anonymous suite is negotiated', () => {
    expect(handshake(zeroPort, 'AECDH-AES128-SHA')).toBe(true);
  });

  it('lint: info for HIGH (only level-refused families), error with @SECLEVEL=0', () => {
    expect(ruleLines(site, 'tls-weak-ciphers')).toEqual(['8 info', '18 error']);
  });
});

describe.skipIf(nginxTool.skip)('nginx: a variable in proxy_pass with a URI drops the query string', () => {
  let nginx: RunningNginx | undefined;
  let backend: Server | undefined;
  let port = 0;
  let site = '';
  beforeAll(async () => {
    const echo = await startPathEchoBackend();
    backend = echo.server;
    const b = `127.0.0.1:${echo.port}`;
    port = await freePort();
    site = join(mkdtempSync(join(tmpdir(), 'wss-conf-evidence-')), 'site.conf');
    writeFileSync(
      site,
      [
        'server {',
        `    listen 127.0.0.1:${port};`,
        '    server_name a.test;',
        // ttyd's published sample, and the fix the finding gives.
        `    location ~ ^/app/(.*)$ { proxy_pass http://${b}/$1; proxy_set_header Upgrade $http_upgrade; }`,
        `    location ~ ^/fixed/(.*)$ { proxy_pass http://${b}/$1$is_args$args; proxy_set_header Upgrade $http_upgrade; }`,
        // A variable only in the host passes the request's URI whole.
        `    location /whole/ { set $backend ${b}; proxy_pass http://$backend; }`,
        '}',
        '',
      ].join('\n'),
    );
    nginx = await startNginx([site], [port]);
  }, 30_000);
  afterAll(async () => {
    await nginx?.stop();
    await new Promise((resolve) => backend?.close(resolve));
  });

  const seenBehind = (path: string): Promise<string> => bodyOf(port, path);

  it("a Socket.IO handshake's query is lost, kept with $is_args$args, whole without a URI", async () => {
    const query = '?EIO=4&transport=websocket';
    expect(await seenBehind(`/app/socket.io/${query}`)).toBe('/socket.io/');
    expect(await seenBehind(`/fixed/socket.io/${query}`)).toBe(`/socket.io/${query}`);
    expect(await seenBehind(`/whole/socket.io/${query}`)).toBe(`/whole/socket.io/${query}`);
  });

  it('lint reports the first only', () => {
    const { findings } = lintPaths([site], { server: 'nginx' });
    expect(findings.filter((f) => f.rule === 'proxy-pass-query-dropped').map((f) => f.line)).toEqual([4]);
  });
});

describe.skipIf(nginxTool.skip)(
  'nginx: a redirect in the rewrite phase ends every request before proxy_pass',
  () => {
    let nginx: RunningNginx | undefined;
    let backend: Server | undefined;
    let reached = 0;
    let port = 0;
    let site = '';
    beforeAll(async () => {
      backend = createServer((_, res) => {
        reached++;
        res.end('backend');
      });
      await new Promise<void>((resolve) => backend?.listen(0, '127.0.0.1', resolve));
      const b = `127.0.0.1:${(backend.address() as AddressInfo).port}`;
      port = await freePort();
      site = join(mkdtempSync(join(tmpdir(), 'wss-conf-evidence-')), 'site.conf');
      const proxy = `proxy_pass http://${b}; proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade";`;
      writeFileSync(
        site,
        [
          // ntfy's published port-80 block: a return before the proxy settings it kept.
          `server { listen 127.0.0.1:${port}; server_name a.test; location / { return 302 https://$host$request_uri; ${proxy} } }`,
          `server { listen 127.0.0.1:${port}; server_name b.test; return 301 https://b.test$request_uri; location /ws/ { ${proxy} } }`,
          `server { listen 127.0.0.1:${port}; server_name c.test; location /ws/ { rewrite ^ https://c.test$request_uri? permanent; ${proxy} } }`,
          // The control: the same proxy settings with no redirect reach the backend.
          `server { listen 127.0.0.1:${port}; server_name d.test; location /ws/ { ${proxy} } }`,
          '',
        ].join('\n'),
      );
      nginx = await startNginx([site], [port]);
    }, 30_000);
    afterAll(async () => {
      await nginx?.stop();
      await new Promise((resolve) => backend?.close(resolve));
    });

    /** A browser's handshake (Firefox's Connection header) for /ws/x on `host`: the status nginx answers. */
    const handshake = (host: string): Promise<number> =>
      handshakeStatus(port, '/ws/x', { host, browser: 'firefox' });

    it('handshakes get the redirect, and the backend sees none of them; without one it does', async () => {
      expect(await handshake('a.test')).toBe(302);
      expect(await handshake('b.test')).toBe(301);
      expect(await handshake('c.test')).toBe(301);
      expect(reached).toBe(0);
      await handshake('d.test');
      expect(reached).toBe(1);
    });

    it('lint judges only the server that proxies', () => {
      const { findings } = lintPaths([site], { server: 'nginx' });
      const judged = findings.filter((f) =>
        [
          'ws-upgrade-headers',
          'proxy-http-version',
          'connection-upgrade-literal',
          'proxy-read-timeout',
        ].includes(f.rule),
      );
      expect(judged.map((f) => f.line)).toEqual([4]);
    });
  },
);

describe.skipIf(nginxTool.skip)(
  'nginx: a regex location takes a socket path from its prefix location',
  () => {
    let nginx: RunningNginx | undefined;
    let backend: Server | undefined;
    let port = 0;
    let site = '';
    beforeAll(async () => {
      const echo = await startSocketPathEchoBackend();
      backend = echo.server;
      const b = `127.0.0.1:${echo.port}`;
      port = await freePort();
      site = join(mkdtempSync(join(tmpdir(), 'wss-conf-evidence-')), 'site.conf');
      const socket = `proxy_pass http://${b}; proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade";`;
      const regex = `location ~ ^/api/ { proxy_pass http://${b}; proxy_http_version 1.1; }`;
      writeFileSync(
        site,
        [
          `server { listen 127.0.0.1:${port}; server_name a.test; ${regex}`,
          `    location /api/ws { ${socket} } }`,
          `server { listen 127.0.0.1:${port}; server_name b.test; ${regex}`,
          `    location ^~ /api/ws { ${socket} } }`,
          '',
        ].join('\n'),
      );
      nginx = await startNginx([site], [port]);
    }, 30_000);
    afterAll(async () => {
      await nginx?.stop();
      await new Promise((resolve) => backend?.close(resolve));
    });

    const handshake = (host: string): Promise<number> => handshakeStatus(port, '/api/ws', { host });

    it('the handshake gets 200 from the regex location, and 101 with ^~', async () => {
      expect(await handshake('a.test')).toBe(200);
      expect(await handshake('b.test')).toBe(101);
    });

    it('lint reports the shadowed location only', () => {
      const { findings } = lintPaths([site], { server: 'nginx' });
      expect(
        findings.filter((f) => f.rule === 'ws-location-shadowed').map((f) => `${f.line} ${f.severity}`),
      ).toEqual(['2 warning']);
    });
  },
);
