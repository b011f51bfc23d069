/**
 * The isolated Apache config test, and what it proves: generated sites can be enabled together (even on
 * the same non-standard port), the header's a2enmod list is complete, and a failure names the user's
 * file and line. Real apache2 -t throughout; nothing under /etc is touched.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGenerationOptions } from '../../src/core/options.js';
import { toolVersion } from '../../src/generated/package-info.js';
import {
  parseApacheVersionOutput,
  parseOpensslVersionOutput,
  testApacheSite,
  testApacheSites,
} from '../../src/io/apache.js';
import { renderApacheSite } from '../../src/targets/apache.js';
import { runCli } from '../helpers/cli.js';
import { requireTool } from '../helpers/tools.js';

const tool = requireTool('apache');
const versions = { server: '2.4.58', openssl: '3.0.0', source: 'given' as const };

const siteFor = (domain: string, extra: Record<string, unknown> = {}): string => {
  const options = parseGenerationOptions({ domain: [domain], backend: ['8282'], ...extra });
  return Object.values(renderApacheSite(options, versions, toolVersion).files)[0] as string;
};

/** The same file as Apache would see it without the Define guards: bare server-level lines. */
const withoutGuards = (text: string): string =>
  text
    .split('\n')
    .filter((line) => !/^\s*(<IfDefine |<\/IfDefine>|Define )/.test(line))
    .join('\n');

const lineOf = (text: string, needle: string): number =>
  text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe.skipIf(tool.skip)('apache config test', () => {
  const samePort = { listen: '8443', redirectListen: '8080' };

  it('passes two generated sites on the same non-standard ports in one Apache', async () => {
    const result = await testApacheSites([
      { text: siteFor('a.example.com', samePort), displayPath: 'a.example.com.conf' },
      { text: siteFor('b.example.com', samePort), displayPath: 'b.example.com.conf' },
    ]);
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  });

  it('fails the same two without the Define guards: Apache refuses a second Listen 8443', async () => {
    const second = withoutGuards(siteFor('b.example.com', samePort));
    const result = await testApacheSites([
      { text: withoutGuards(siteFor('a.example.com', samePort)), displayPath: 'a.example.com.conf' },
      { text: second, displayPath: 'b.example.com.conf' },
    ]);
    expect(result.ok).toBe(false);
    expect(result.output).toContain(
      `Syntax error on line ${lineOf(second, 'Listen 8443')} of b.example.com.conf:\nCannot define multiple Listeners on the same IP:port`,
    );
  });

  it('passes sites on other ports and versions next to each other', async () => {
    const result = await testApacheSites([
      { text: siteFor('a.example.com'), displayPath: 'a.conf' },
      {
        text: siteFor('a.example.com', { listen: '127.0.0.1:9443', redirect: false }),
        displayPath: 'b.conf',
      },
      { text: siteFor('c.example.com', { backend: ['1', '2'], balance: 'ip-hash' }), displayPath: 'c.conf' },
    ]);
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  });

  it('loads only the modules the header names, so a missing one fails the test', async () => {
    const text = siteFor('example.com');
    expect(text).toMatch(/a2enmod ssl socache_shmcb headers /);
    const result = await testApacheSite(
      text.replace('a2enmod ssl socache_shmcb headers ', 'a2enmod ssl socache_shmcb '),
      'site.conf',
    );
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/Invalid command '(Request)?Header'/);
  });

  it('tests with stand-in certificates when the named ones are not on this machine, and says so', async () => {
    const result = await testApacheSite(siteFor('example.com'), 'site.conf');
    expect(result.ok).toBe(true);
    expect(result.notes).toEqual([
      'not on this machine, so tested with a throwaway certificate instead: ' +
        '/etc/letsencrypt/live/example.com/fullchain.pem, /etc/letsencrypt/live/example.com/privkey.pem',
    ]);
  });
});

describe.skipIf(tool.skip)('wss-conf check and wss-conf apache on this machine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wss-conf-apache-check-'));

  it('recognises an Apache file without --server, and passes it', () => {
    const file = join(dir, 'good.conf');
    writeFileSync(file, siteFor('example.com'));
    const result = runCli(['check', file]);
    expect(result.stdout).toBe(`${file}: apache config test passed\n`);
    expect(result.status).toBe(0);
  });

  it('fails with exit 1, pointing at the line of the user file', () => {
    const file = join(dir, 'broken.conf');
    const text = siteFor('example.com').replace('    ProxyPreserveHost On', '    ProxyPreserveHost Perhaps');
    writeFileSync(file, text);
    const result = runCli(['check', file, '--server', 'apache']);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`Syntax error on line ${lineOf(text, 'ProxyPreserveHost')} of ${file}:`);
    // the temporary copy and main config are never named
    expect(result.stderr).not.toContain('wss-conf-check-');
  });

  it('writes for the installed Apache and its OpenSSL when no version is given', () => {
    const said = (bin: string, args: string[]) => spawnSync(bin, args, { encoding: 'utf8' }).stdout ?? '';
    const apacheSays = said('apache2', ['-v']) || said('httpd', ['-v']);
    const opensslSays = said('openssl', ['version']);
    const installed = parseApacheVersionOutput(apacheSays);
    const openssl = parseOpensslVersionOutput(opensslSays);
    // The detection parses with these same functions: check them against the raw text, so that a parse
    // gone wrong cannot make the expected header below wrong in the same way.
    expect(apacheSays).toContain(`Apache/${installed} `);
    expect(opensslSays).toContain(`OpenSSL ${openssl} `);
    const result = runCli(['apache', '--domain', 'example.com', '--backend', '8282']);
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n')[1]).toBe(
      `# Written for Apache ${installed} (detected) with OpenSSL ${openssl}; TLS follows Mozilla's guideline 6.0, "intermediate".`,
    );
  });
});
