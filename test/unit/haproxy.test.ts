/** The pure parts of the HAProxy server: version output, file detection, versions as data. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintConfig } from '../../src/lint/lint.js';
import { parseHaproxyVersionOutput } from '../../src/servers/haproxy/config-test.js';
import { isHaproxyConfig } from '../../src/servers/haproxy/detect.js';

/** The rules lint reports for a haproxy.cfg text, through the real linter. */
const haproxyFindings = (text: string, serverVersion?: string) =>
  lintConfig({
    server: 'haproxy',
    files: [{ name: 'haproxy.cfg', text }],
    resolveInclude: () => ({ files: [] }),
    settings: { serverVersion, wsPaths: [], fileExists: undefined },
  });

import { matchHaproxyAnswer } from '../../src/servers/haproxy/probe-matcher.js';
import { haproxySupports } from '../../src/servers/haproxy/versions.js';
import { repoRoot } from '../helpers/cli.js';

describe('haproxy -vv output', () => {
  it.each([
    [
      'HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/\nBuilt with OpenSSL version : OpenSSL 3.0.22 25 Aug 2026\nRunning on OpenSSL version : OpenSSL 3.0.22 25 Aug 2026\n',
      { server: '2.6.12', openssl: '3.0.22' },
    ],
    ['HA-Proxy version 2.4.30 2025/01/01\n', { server: '2.4.30', openssl: undefined }],
    ['nginx version: nginx/1.22.1\n', undefined],
  ])('%#: %j', (text, expected) => {
    expect(parseHaproxyVersionOutput(text)).toEqual(expected);
  });
});

describe('a haproxy.cfg told from nginx and Apache files', () => {
  const casesDir = join(repoRoot, 'fixtures', 'cases');
  const goldens = readdirSync(casesDir).flatMap((name) =>
    readdirSync(join(casesDir, name, 'expected')).map((file) => join(casesDir, name, 'expected', file)),
  );
  it.each(goldens.map((file) => [file.slice(casesDir.length + 1)]))('%s', (relative) => {
    const text = readFileSync(join(casesDir, relative), 'utf8');
    expect(isHaproxyConfig(text)).toBe(relative.includes('/haproxy-'));
  });
});

describe('versions as data', () => {
  it.each([
    ['2.6.12', 'crtStore', false],
    ['3.0.0', 'crtStore', true],
    ['2.4.0', 'h2WebSocket', true],
  ] as const)('%s %s: %s', (version, feature, expected) => {
    expect(haproxySupports(version, feature)).toBe(expected);
  });
});

describe("HAProxy's own answers, as captured from 2.6.12", () => {
  const page = (status: string, text: string) => `<html><body><h1>${status}</h1>\n${text}\n</body></html>\n`;
  it.each([
    [503, page('503 Service Unavailable', 'No server is available to handle this request.'), 503],
    [502, page('502 Bad Gateway', 'The server returned an invalid or incomplete response.'), 502],
    [504, page('504 Gateway Time-out', "The server didn't respond in time."), 504],
    [503, '<html><head><title>503 Service Unavailable</title></head><body>Apache</body></html>', undefined],
    [502, page('503 Service Unavailable', 'No server is available to handle this request.'), undefined],
  ])('%s %#', (status, body, expected) => {
    expect(matchHaproxyAnswer(status, body)?.status).toBe(expected);
  });
});

describe('haproxy.cfg through lint', () => {
  const base = (defaults: string, frontend = '', global = '') =>
    `global\n${global}\ndefaults\n    mode http\n${defaults}\nfrontend f\n    bind :443 ssl crt /a.pem\n${frontend}    default_backend b\nbackend b\n    server s 127.0.0.1:8282 check\n`;
  it.each([
    [
      'no tunnel, client 50s',
      base('    timeout client 50s\n    timeout server 50s'),
      ['haproxy-timeout-tunnel'],
    ],
    ['tunnel set', base('    timeout client 50s\n    timeout server 50s\n    timeout tunnel 1h'), []],
    ['long client and server', base('    timeout client 2h\n    timeout server 2h'), []],
    ['mode tcp', base('    timeout tunnel 1h', '    mode tcp\n'), ['haproxy-mode-tcp']],
    [
      'TLS 1.0',
      base('    timeout tunnel 1h', '', '    ssl-default-bind-options ssl-min-ver TLSv1.0'),
      ['haproxy-legacy-tls'],
    ],
    [
      'no mode at all is tcp',
      base('    timeout tunnel 1h').replace('    mode http\n', ''),
      ['haproxy-mode-tcp'],
    ],
    [
      'suppressed with a reason',
      base('    # wss-conf-ignore haproxy-timeout-tunnel the app pings every 20s\n    timeout client 50s'),
      [],
    ],
  ])('%s', (_name, text, rules) => {
    expect(haproxyFindings(text).map((f) => f.rule)).toEqual(rules);
  });

  it('finds nothing in any golden haproxy.cfg', () => {
    const casesDir = join(repoRoot, 'fixtures', 'cases');
    for (const name of readdirSync(casesDir)) {
      for (const file of readdirSync(join(casesDir, name, 'expected')).filter((f) =>
        f.startsWith('haproxy-'),
      )) {
        expect(haproxyFindings(readFileSync(join(casesDir, name, 'expected', file), 'utf8'))).toEqual([]);
      }
    }
  });
});
