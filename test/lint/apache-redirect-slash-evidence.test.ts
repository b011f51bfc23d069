/**
 * What apache-redirect-slash says, on the real httpd 2.4: a prefix Redirect appends what follows the
 * matched path to the URL as is (try_alias_list in mod_alias.c; "any request beginning with URL-path
 * will return a redirect request to the client at the location of the target URL", mod_alias docs,
 * https://httpd.apache.org/docs/2.4/mod/mod_alias.html#redirect). So Pleroma's published
 * `Redirect permanent / https://example.tld` sends /notice/abc to https://example.tldnotice/abc, a host
 * that does not exist, and the finding's fix (a "/" after the URL) sends it to
 * https://example.tld/notice/abc.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintPaths } from '../../src/commands/lint.js';
import { type RunningApache, startApache } from '../helpers/apache-server.js';
import { freePort } from '../helpers/servers.js';
import { requireTool } from '../helpers/tools.js';

/** The Location header of a GET to `path` with `Host: host`. */
const locationOf = (port: number, path: string, host: string): Promise<string | undefined> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Host: host } }, (res) => {
      res.resume();
      resolve(res.headers.location);
    });
    req.on('error', reject);
    req.end();
  });

const apacheTool = requireTool('apache');
describe.skipIf(apacheTool.skip)(
  'a Redirect whose path ends in "/" and URL does not, on the real httpd',
  () => {
    let apache: RunningApache | undefined;
    let port = 0;
    let site = '';
    beforeAll(async () => {
      port = await freePort();
      site = join(mkdtempSync(join(tmpdir(), 'wss-conf-redirect-slash-')), 'site.conf');
      writeFileSync(
        site,
        [
          '# a2enmod alias',
          `Listen 127.0.0.1:${port}`,
          `<VirtualHost 127.0.0.1:${port}>`,
          '    ServerName example.tld',
          '    Redirect permanent / https://example.tld',
          '</VirtualHost>',
          `<VirtualHost 127.0.0.1:${port}>`,
          '    ServerName old.example.tld',
          '    RedirectPermanent /old/ https://example.tld/new',
          '    Redirect permanent / https://example.tld/',
          '</VirtualHost>',
          '',
        ].join('\n'),
      );
      apache = await startApache([site], [port]);
    }, 30_000);
    afterAll(async () => {
      await apache?.stop();
    });

    it('sends every path below it to a mangled URL; only the path itself lands', async () => {
      expect(await locationOf(port, '/notice/abc', 'example.tld')).toBe('https://example.tldnotice/abc');
      expect(await locationOf(port, '/about', 'example.tld')).toBe('https://example.tldabout');
      expect(await locationOf(port, '/', 'example.tld')).toBe('https://example.tld');
      expect(await locationOf(port, '/old/about', 'old.example.tld')).toBe('https://example.tld/newabout');
      expect(await locationOf(port, '/old/', 'old.example.tld')).toBe('https://example.tld/new');
    });

    it('with the slash the fix adds, every path lands', async () => {
      expect(await locationOf(port, '/notice/abc', 'old.example.tld')).toBe('https://example.tld/notice/abc');
      expect(await locationOf(port, '/about', 'old.example.tld')).toBe('https://example.tld/about');
    });

    it('lint names the mangled URLs, and the fix is the redirect that lands', () => {
      const findings = lintPaths([site]).findings.filter(
        (finding) => finding.rule === 'apache-redirect-slash',
      );
      expect(findings.map((finding) => finding.message)).toEqual([
        expect.stringMatching(/\/about is sent to https:\/\/example\.tldabout/),
        expect.stringMatching(/\/old\/about is sent to https:\/\/example\.tld\/newabout/),
      ]);
      expect(findings.map((finding) => finding.fix)).toEqual([
        'Redirect permanent / https://example.tld/',
        'RedirectPermanent /old/ https://example.tld/new/',
      ]);
    });
  },
);
