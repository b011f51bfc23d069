import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  nginxSupports,
  opensslSupports,
  unsupportedVersion,
} from '../../src/core/versions.js';
import { parseNginxVersionOutput } from '../../src/io/nginx.js';

describe('compareVersions', () => {
  it.each([
    ['1.25.1', '1.25.1', 0],
    ['1.25.0', '1.25.1', -1],
    ['1.9.5', '1.25.1', -1],
    ['1.29.7', '1.25.1', 1],
    ['2.4', '2.4.0', 0],
    ['3.10.0', '3.5.0', 1],
  ])('%s vs %s', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });
});

describe('nginx capabilities', () => {
  it.each([
    ['1.22.1', 'http2Directive', false],
    ['1.25.0', 'http2Directive', false],
    ['1.25.1', 'http2Directive', true],
    ['1.23.1', 'ticketKeyRotation', false],
    ['1.23.2', 'ticketKeyRotation', true],
    ['1.29.6', 'upstreamKeepaliveDefault', false],
    ['1.29.7', 'upstreamKeepaliveDefault', true],
  ] as const)('nginx %s has %s: %s', (version, feature, expected) => {
    expect(nginxSupports(version, feature)).toBe(expected);
  });

  it.each([
    ['3.0.13', false],
    ['3.4.1', false],
    ['3.5.0', true],
  ])('OpenSSL %s has X25519MLKEM768: %s', (version, expected) => {
    expect(opensslSupports(version, 'x25519mlkem768')).toBe(expected);
  });
});

describe('parseNginxVersionOutput', () => {
  it('prefers the OpenSSL nginx runs with over the one it was built with', () => {
    const text =
      'nginx version: nginx/1.22.1\nbuilt with OpenSSL 3.0.22 25 Aug 2026 (running with OpenSSL 3.0.19 27 Jan 2026)\n';
    expect(parseNginxVersionOutput(text)).toEqual({ server: '1.22.1', openssl: '3.0.19' });
  });

  it('reads builds such as openresty and plain builds', () => {
    expect(
      parseNginxVersionOutput('nginx version: openresty/1.25.3\nbuilt with OpenSSL 3.5.1 1 Jul 2025'),
    ).toEqual({
      server: '1.25.3',
      openssl: '3.5.1',
    });
  });

  it('reads a lettered OpenSSL release as its numbers, which the too-old check then refuses', () => {
    const detected = parseNginxVersionOutput(
      'nginx version: nginx/1.20.1\nbuilt with OpenSSL 1.0.2k-fips  26 Jan 2017\n',
    );
    expect(detected).toEqual({ server: '1.20.1', openssl: '1.0.2' });
    expect(unsupportedVersion('openssl', detected?.openssl as string, 'detected')).toContain(
      '--openssl-version: OpenSSL 1.0.2 (detected) is older than 1.1.1',
    );
    expect(
      parseNginxVersionOutput('nginx version: nginx/1.20.1\nbuilt with OpenSSL 1.1.1k  25 Mar 2021'),
    ).toEqual({
      server: '1.20.1',
      openssl: '1.1.1',
    });
    expect(unsupportedVersion('openssl', '1.1.1', 'detected')).toBeUndefined();
  });

  it('returns nothing for unrelated output', () => {
    expect(parseNginxVersionOutput('command not found')).toBeUndefined();
  });
});
