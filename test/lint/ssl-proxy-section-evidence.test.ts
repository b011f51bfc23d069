/**
 * apache-ssl-proxy-engine on the real server: SSLProxyEngine on inside the <Proxy> or <ProxyMatch>
 * section of a TLS backend is enough (mod_ssl reads SSLProxy* there from httpd 2.4.30), so lint must
 * not call such a config broken; without it anywhere, httpd answers 500. Found attacking issue 12's
 * lint with a Cockpit-behind-Apache config that sets it in a <ProxyMatch>.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintPaths } from '../../src/commands/lint.js';
import { type RunningApache, startApache } from '../helpers/apache-server.js';
import { makeTestCa } from '../helpers/pki.js';
import { freePort } from '../helpers/servers.js';
import { requireTool } from '../helpers/tools.js';

const status = (url: string): Promise<number> =>
  new Promise((resolve, reject) => {
    get(url, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    }).on('error', reject);
  });

const apacheTool = requireTool('apache');
describe.skipIf(apacheTool.skip)(`SSLProxyEngine in a proxy section, on httpd ${apacheTool.reason}`, () => {
  let apache: RunningApache | undefined;
  let backend: Server | undefined;
  let port = 0;
  let site = '';
  beforeAll(async () => {
    const leaf = makeTestCa().issue('localhost');
    backend = createServer({ cert: readFileSync(leaf.cert), key: readFileSync(leaf.key) }, (_q, r) =>
      r.end('tls'),
    );
    await new Promise<void>((resolve) => backend?.listen(0, '127.0.0.1', resolve));
    const address = backend.address();
    const b = `localhost:${typeof address === 'object' && address ? address.port : 0}`;
    port = await freePort();
    site = join(mkdtempSync(join(tmpdir(), 'wss-conf-sslproxy-')), 'site.conf');
    writeFileSync(
      site,
      [
        '# a2enmod proxy proxy_http ssl',
        `Listen 127.0.0.1:${port}`,
        `<VirtualHost 127.0.0.1:${port}>`,
        `    ProxyPass /none/ https://${b}/none/`,
        `    ProxyPass /section/ https://${b}/section/`,
        `    <Proxy "https://${b}/section/">`,
        '        SSLProxyEngine on',
        '    </Proxy>',
        `    ProxyPass /match/ https://${b}/match/`,
        `    <ProxyMatch "^https://localhost:[0-9]+/match/">`,
        '        SSLProxyEngine on',
        '    </ProxyMatch>',
        '</VirtualHost>',
        '',
      ].join('\n'),
    );
    apache = await startApache([site], [port]);
  }, 30_000);
  afterAll(async () => {
    await apache?.stop();
    backend?.close();
  });

  it('reaches the TLS backend through a <Proxy> or <ProxyMatch> section that sets it, 500 without', async () => {
    expect(await status(`http://127.0.0.1:${port}/none/`)).toBe(500);
    expect(await status(`http://127.0.0.1:${port}/section/`)).toBe(200);
    expect(await status(`http://127.0.0.1:${port}/match/`)).toBe(200);
  });

  it('lint reports the route without it, and only that one', () => {
    const findings = lintPaths([site], { server: 'apache' }).findings.filter(
      (f) => f.rule === 'apache-ssl-proxy-engine',
    );
    expect(findings.map((f) => f.line)).toEqual([4]);
  });
});
