/** The --runbook markdown, pure: which steps, which commands, for which server and version. */
import { describe, expect, it } from 'vitest';
import { parseGenerationOptions } from '../../src/core/options.js';
import { apache } from '../../src/servers/apache/index.js';
import { apacheRunbook } from '../../src/servers/apache/runbook.js';
import { nginx } from '../../src/servers/nginx/index.js';
import { nginxRunbook } from '../../src/servers/nginx/runbook.js';
import { renderRunbook } from '../../src/targets/runbook.js';
import type { TargetVersions } from '../../src/targets/site.js';
import { shellLines } from '../helpers/markdown.js';

const versions = (server: string): TargetVersions => ({ server, openssl: '3.0.0', source: 'given' });

describe('renderRunbook', () => {
  const options = parseGenerationOptions({ domain: ['example.com'], backend: ['8282'], path: '/wss' });

  it('has the six steps and the apply shortcut, in order', () => {
    const text = renderRunbook({ server: nginx, facts: nginxRunbook, options, versions: versions('1.22.1') });
    const headings = text.split('\n').filter((line) => line.startsWith('#'));
    expect(headings).toEqual([
      '# Deploy wss://example.com/wss on nginx',
      '## 1. Before you start',
      '## 2. Install the file',
      '## 3. Enable it',
      '## 4. Check',
      '## 5. Reload',
      '## 6. Probe',
      '## Or all at once, with a rollback',
    ]);
  });

  it('nginx: certbot, the backend handshake, render, install, link, check, reload, probe, apply', () => {
    const lines = shellLines(
      renderRunbook({ server: nginx, facts: nginxRunbook, options, versions: versions('1.22.1') }),
    );
    const render =
      'wss-conf nginx --domain example.com --backend 8282 --path /wss --server-version 1.22.1 --openssl-version 3.0.0';
    expect(lines).toEqual([
      'certbot certonly --nginx -d example.com',
      expect.stringMatching(/^curl -si --http1\.1 .* http:\/\/127\.0\.0\.1:8282\/wss \| head -1$/),
      `${render} --out example.com.conf`,
      'install -m 644 example.com.conf /etc/nginx/sites-available/example.com.conf',
      'ln -s ../sites-available/example.com.conf /etc/nginx/sites-enabled/example.com.conf',
      'wss-conf check /etc/nginx/sites-available/example.com.conf',
      'nginx -t',
      'systemctl reload nginx',
      'wss-conf probe wss://example.com/wss',
      `${render.replace('wss-conf nginx', 'wss-conf apply nginx')} --enable --verify wss://example.com/wss`,
    ]);
  });

  it('installs the file --out wrote instead of rendering it again', () => {
    const text = renderRunbook({
      server: nginx,
      facts: nginxRunbook,
      options,
      versions: versions('1.22.1'),
      writtenTo: 'build/site.conf',
    });
    expect(shellLines(text)).toContain(
      'install -m 644 build/site.conf /etc/nginx/sites-available/example.com.conf',
    );
    expect(text).not.toContain('--out');
  });

  it('Apache: the modules that version needs (mod_proxy_wstunnel before 2.4.47), a2ensite, configtest', () => {
    const old = shellLines(
      renderRunbook({ server: apache, facts: apacheRunbook, options, versions: versions('2.4.37') }),
    );
    expect(old).toContain(
      'a2enmod ssl socache_shmcb headers proxy proxy_http proxy_wstunnel rewrite alias http2',
    );
    expect(old).toContain('a2ensite example.com');
    expect(old).toContain('wss-conf check /etc/apache2/sites-available/example.com.conf --server apache');
    expect(old).toContain('apachectl configtest');
    expect(old).toContain('systemctl reload apache2');
    const current = shellLines(
      renderRunbook({ server: apache, facts: apacheRunbook, options, versions: versions('2.4.58') }),
    );
    expect(current).toContain('a2enmod ssl socache_shmcb headers proxy proxy_http rewrite alias http2');
  });

  it('own certificate files: no certbot step; a remote backend is checked at its address', () => {
    const own = parseGenerationOptions({
      domain: ['chat.example.com'],
      backend: ['10.0.0.5:9000', '10.0.0.6:9000'],
      cert: '/srv/tls/chain.pem',
      key: '/srv/tls/key.pem',
      listen: '8443',
    });
    const text = renderRunbook({
      server: nginx,
      facts: nginxRunbook,
      options: own,
      versions: versions('1.26.0'),
    });
    expect(text).not.toContain('certbot');
    expect(text).toContain('The certificate (`/srv/tls/chain.pem`) and key (`/srv/tls/key.pem`)');
    const curls = shellLines(text).filter((line) => line.startsWith('curl'));
    expect(curls.map((line) => line.split(' ').at(-4))).toEqual([
      'http://10.0.0.5:9000/',
      'http://10.0.0.6:9000/',
    ]);
    expect(shellLines(text)).toContain('wss-conf probe wss://chat.example.com:8443/');
  });

  it('a wildcard gets the DNS-01 certbot line, and every shell word is quoted where a shell would expand it', () => {
    const wild = parseGenerationOptions({ domain: ['*.example.com'], backend: ['8282'] });
    const lines = shellLines(
      renderRunbook({ server: nginx, facts: nginxRunbook, options: wild, versions: versions('1.22.1') }),
    );
    expect(lines[0]).toBe("certbot certonly --manual --preferred-challenges dns -d '*.example.com'");
    expect(lines.find((line) => line.startsWith('wss-conf nginx'))).toContain("--domain '*.example.com'");
  });

  it('quotes an --out path that a shell would split or run, as exactly one word', () => {
    const text = renderRunbook({
      server: nginx,
      facts: nginxRunbook,
      options,
      versions: versions('1.22.1'),
      writtenTo: "/tmp/x y;touch $(id)'s.conf",
    });
    expect(shellLines(text)).toContain(
      "install -m 644 '/tmp/x y;touch $(id)'\\''s.conf' /etc/nginx/sites-available/example.com.conf",
    );
  });

  it('skips the copy when --out wrote the file where it belongs', () => {
    const text = renderRunbook({
      server: nginx,
      facts: nginxRunbook,
      options,
      versions: versions('1.22.1'),
      writtenTo: '/etc/nginx/sites-available/example.com.conf',
    });
    expect(shellLines(text)).toContain('# /etc/nginx/sites-available/example.com.conf is in place already');
    expect(text).not.toContain(
      'install -m 644 /etc/nginx/sites-available/example.com.conf /etc/nginx/sites-available/',
    );
  });

  it('pins only a version that was given: a detected or default one is left for the server to detect', () => {
    const guessed = { server: '1.22.1', openssl: '3.0.0', source: 'default' } as const;
    const text = renderRunbook({ server: nginx, facts: nginxRunbook, options, versions: guessed });
    const commands = shellLines(text).filter((line) => /^wss-conf (nginx|apply)/.test(line));
    expect(commands).toHaveLength(2);
    for (const line of commands) expect(line).not.toContain('--server-version');
    const written = renderRunbook({
      server: nginx,
      facts: nginxRunbook,
      options,
      versions: guessed,
      writtenTo: '/tmp/site.conf',
    });
    expect(written).toContain('`/tmp/site.conf` was written for nginx 1.22.1 (default here)');
  });

  it('Apache with --max-clients restarts once, since a reload ignores a new ServerLimit (AH00501)', () => {
    const sized = parseGenerationOptions({ domain: ['example.com'], backend: ['8282'], maxClients: '1000' });
    const text = renderRunbook({
      server: apache,
      facts: apacheRunbook,
      options: sized,
      versions: versions('2.4.58'),
    });
    expect(text).toContain('## 5. Restart, this once');
    expect(shellLines(text)).toContain('systemctl restart apache2');
    expect(shellLines(text)).not.toContain('systemctl reload apache2');
    expect(text).toContain('`a2query -M` prints `event`');
    const plain = renderRunbook({
      server: apache,
      facts: apacheRunbook,
      options,
      versions: versions('2.4.58'),
    });
    expect(shellLines(plain)).toContain('systemctl reload apache2');
    expect(plain).not.toContain('Restart');
  });

  it('nginx with --max-clients edits the existing events block, and the reload applies it', () => {
    const sized = parseGenerationOptions({ domain: ['example.com'], backend: ['8282'], maxClients: '1000' });
    const text = renderRunbook({
      server: nginx,
      facts: nginxRunbook,
      options: sized,
      versions: versions('1.22.1'),
    });
    expect(text).toContain('`worker_connections` in its existing `events` block');
    expect(shellLines(text)).toContain('systemctl reload nginx');
  });
});
