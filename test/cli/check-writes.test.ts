/**
 * `wss-conf check` on a file nobody vouches for: nginx -t opens the logs and creates the temp and cache
 * directories a file names, so every such path is moved into check's throwaway prefix first. Apache's
 * -t opens no log (it stops before open_logs), which the second test holds it to.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { requireTool } from '../helpers/tools.js';

const nginx = requireTool('nginx');
const apache = requireTool('apache');

const site = (server: 'nginx' | 'apache') =>
  runCli([
    server,
    '--domain',
    'a.test',
    '--backend',
    '1',
    '--no-redirect',
    '--server-version',
    server === 'nginx' ? '1.22.1' : '2.4.71',
  ]).stdout;

describe('wss-conf check writes nothing outside its temporary prefix', () => {
  it.skipIf(nginx.skip)(
    'nginx: logs, temp and cache paths named by the file, absolute or climbing out',
    () => {
      const outside = mkdtempSync(join(tmpdir(), 'check-outside-'));
      const text = site('nginx')
        .replace(
          /^server \{$/m,
          [
            'server {',
            `    access_log ${outside}/evil.log;`,
            `    access_log "${outside}/quoted.log" combined;`,
            `    error_log ${outside}/error.log;`,
            `    proxy_temp_path ${outside}/proxy-temp;`,
            `    client_body_temp_path ../../../../../../../..${outside}/body-temp 1 2;`,
          ].join('\n'),
        )
        .replace(/^upstream /m, `proxy_cache_path ${outside}/cache keys_zone=evil:1m;\nupstream `);
      const file = join(mkdtempSync(join(tmpdir(), 'check-site-')), 'evil.conf');
      writeFileSync(file, text);
      const result = runCli(['check', file]);
      expect(result.stderr).not.toContain('failed');
      expect(result.status).toBe(0);
      expect(readdirSync(outside)).toEqual([]);
    },
  );

  it.skipIf(apache.skip)('Apache: logs, pid file and mutex named by the file', () => {
    const outside = mkdtempSync(join(tmpdir(), 'check-outside-'));
    const text = site('apache').replace(
      /^<VirtualHost \*:443>$/m,
      [
        `PidFile ${outside}/httpd.pid`,
        `ErrorLog ${outside}/error.log`,
        `Mutex file:${outside} default`,
        '<VirtualHost *:443>',
        `    CustomLog ${outside}/access.log combined`,
      ].join('\n'),
    );
    const file = join(mkdtempSync(join(tmpdir(), 'check-site-')), 'evil.conf');
    writeFileSync(file, text);
    const result = runCli(['check', file, '--server', 'apache']);
    expect(result.status).toBe(0);
    expect(readdirSync(outside)).toEqual([]);
    expect(existsSync(join(outside, 'access.log'))).toBe(false);
  });
});
