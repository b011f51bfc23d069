import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { certbotFailure } from '../../src/commands/apply-acme.js';
import {
  acmeDirProblem,
  acmeProblems,
  acmeWarnings,
  certbotCrashedOnAcmeError,
  lastAcmeErrorInLog,
} from '../../src/core/acme.js';
import { parseGenerationOptions } from '../../src/core/options.js';
import { certbotArgs } from '../../src/io/acme.js';
import { daysLeftNote } from '../../src/probe/diagnosis.js';
import { nginx } from '../../src/servers/nginx/index.js';
import { nginxRunbook } from '../../src/servers/nginx/runbook.js';

const options = (extra: Record<string, unknown> = {}) =>
  parseGenerationOptions({ domain: ['example.com'], backend: ['8282'], acme: true, ...extra });

describe('--acme-dir', () => {
  it.each([
    ['/', /system or home directory/],
    ['/etc', /system or home directory/],
    ['/usr', /system or home directory/],
    ['/var', /system or home directory/],
    ['/tmp', /system or home directory/],
    ['/tmp/', /system or home directory/],
    ['/root', /system or home directory/],
    ['/home/alice', /system or home directory/],
    ['/tmp/a..b/../le', /not a normalised path/],
    ['/srv//le', /not a normalised path/],
    ['/srv/./le', /not a normalised path/],
  ])('refuses %s', (dir, message) => {
    expect(acmeDirProblem(dir)).toMatch(message);
  });

  it.each([
    '/etc/letsencrypt',
    '/tmp/wss-conf-acme-x/le',
    '/home/alice/le',
    '/tmp/a..b/le',
  ])('takes %s', (dir) => {
    expect(acmeDirProblem(dir)).toBeUndefined();
  });

  it('certbot writes only inside it: config, work and logs directories', () => {
    const args = certbotArgs(options({ acmeDir: '/srv/le' }));
    for (const flag of ['--config-dir', '--work-dir', '--logs-dir']) {
      expect(posix.normalize(args[args.indexOf(flag) + 1] as string)).toMatch(/^\/srv\/le(\/|$)/);
    }
    expect(args).toContain('--no-directory-hooks');
    expect(args).toContain('--expand');
  });

  it('the certificate paths follow it', () => {
    expect(options({ acmeDir: '/srv/le' }).cert).toBe('/srv/le/live/example.com/fullchain.pem');
    expect(options({ acmeDir: '/srv/le' }).key).toBe('/srv/le/live/example.com/privkey.pem');
  });
});

describe('what HTTP-01 cannot do', () => {
  it.each([
    [
      ['*.example.com'],
      /DNS-01 challenge \(RFC 8555 8\.4\).*python3-certbot-dns-\*.*--dns-cloudflare.*--dns-route53/,
    ],
    [['192.0.2.1'], /RFC 8738.*Let's Encrypt issues none/],
  ])('%s', (domain, message) => {
    expect(acmeProblems(options({ domain })).join('\n')).toMatch(message);
  });

  it('--no-redirect leaves nothing to answer the challenge', () => {
    expect(acmeProblems(options({ redirect: false })).join('\n')).toMatch(/--no-redirect/);
  });

  it('--redirect-listen other than 80 warns that the CA validates on port 80 only', () => {
    expect(acmeWarnings(options({ redirectListen: '8080' }))[0]).toMatch(/port 80 only \(RFC 8555 8\.3\)/);
    expect(acmeWarnings(options())).toEqual([]);
  });

  it('--acme-* without --acme, and --cert with --acme, are refused', () => {
    expect(() => parseGenerationOptions({ domain: ['a.com'], backend: ['1'], acmeDir: '/srv/le' })).toThrow(
      /--acme-dir: needs --acme/,
    );
    expect(() => options({ cert: '/a.pem', key: '/a.key' })).toThrow(/--cert: contradicts --acme/);
  });
});

describe("certbot's failures, said", () => {
  it.each([
    [
      'Another instance of Certbot is already running.',
      /certbot\.timer's renewal, or one run by hand.*run apply again/,
    ],
    [
      'Error returned by the ACME server: too many certificates already issued, retry after 2026-12-04 18:00:00 UTC',
      /rate limit reached.*retry after 2026-12-04 18:00:00 UTC/,
    ],
    ['Some challenges have failed.', /Port 80 of example\.com must reach this server.*firewall/],
    [
      'Max retries exceeded with url: /dir (Caused by SSLError(…CERTIFICATE_VERIFY_FAILED…))',
      /could not be reached/,
    ],
  ])('%s', (output, message) => {
    expect(certbotFailure(output, options())).toMatch(message);
  });
});

describe('certbot 2.1 crashing on an ACME error (certbot#9539)', () => {
  const crash =
    "Requesting a certificate for example.com\nAn unexpected error occurred:\nAttributeError: can't set attribute";
  it('is told from other failures', () => {
    expect(certbotCrashedOnAcmeError(crash)).toBe(true);
    expect(certbotCrashedOnAcmeError('Some challenges have failed.')).toBe(false);
  });
  it("takes the CA's last error from the debug log", () => {
    const log = [
      'acme.messages.Error: urn:ietf:params:acme:error:badNonce :: first',
      'During handling of the above exception, another exception occurred:',
      'acme.messages.Error: urn:ietf:params:acme:error:rateLimited :: too many certificates, retry after 2026-12-04 18:00:00 UTC',
      "AttributeError: can't set attribute",
    ].join('\n');
    expect(lastAcmeErrorInLog(log)).toBe(
      'urn:ietf:params:acme:error:rateLimited :: too many certificates, retry after 2026-12-04 18:00:00 UTC',
    );
    expect(lastAcmeErrorInLog("AttributeError: can't set attribute")).toBeUndefined();
  });
  it('judges the logged error as if certbot had printed it, and names the crash', () => {
    const limited = certbotFailure(
      crash,
      options(),
      'urn:ietf:params:acme:error:rateLimited :: retry after 2026-12-04 18:00:00 UTC',
    );
    expect(limited).toMatch(/rate limit reached.*retry after 2026-12-04 18:00:00 UTC/);
    expect(limited).toMatch(/certbot#9539, fixed in certbot 2\.2/);
    expect(limited).not.toMatch(/transient/);
    const nonce = certbotFailure(
      crash,
      options(),
      'urn:ietf:params:acme:error:badNonce :: JWS has an invalid anti-replay nonce',
    );
    expect(nonce).toMatch(/badNonce is transient: run apply again/);
  });
});

describe('probe: renewal looks stuck', () => {
  it.each([
    [20, 90, /expires in 20 days, less than a third of its 90-day lifetime: renewal looks stuck/],
    [31, 90, undefined],
    [1, 6, /less than a third of its 6-day lifetime/],
    [3, 6, undefined],
  ])('%s days left of %s', (days, lifetime, note) => {
    const text = daysLeftNote(days, lifetime);
    if (note === undefined) expect(text).toBeUndefined();
    else expect(text).toMatch(note);
  });
});

describe('--runbook with --acme', () => {
  it('the apply command carries --acme and the section says what it does', async () => {
    const { renderRunbook } = await import('../../src/targets/runbook.js');
    const text = renderRunbook({
      server: nginx,
      facts: nginxRunbook,
      options: options({ acmeDir: '/srv/le', acmeEmail: 'ops@example.com' }),
      versions: { server: '1.22.1', openssl: '3.0.0', source: 'given' },
      writtenTo: undefined,
    });
    expect(text).toMatch(
      /wss-conf apply nginx --domain example\.com .*--acme --acme-dir \/srv\/le --acme-email ops@example\.com/,
    );
    expect(text).toMatch(/certbot `certonly --webroot` writes `\/srv\/le\/live\/`.*deploy hook/);
  });
});
