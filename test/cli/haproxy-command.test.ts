/** `wss-conf haproxy` and `wss-conf check` on a haproxy.cfg, through the built CLI. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers/cli.js';
import { requireTool } from '../helpers/tools.js';

const dir = mkdtempSync(join(tmpdir(), 'haproxy-command-'));
const site = ['haproxy', '--domain', 'example.com', '--backend', '8282', '--server-version', '2.6.12'];

describe('wss-conf haproxy', () => {
  it('refuses --static-dir with exit 2, saying HAProxy serves no files and what to do, writing nothing', () => {
    const out = join(dir, 'static.cfg');
    const result = runCli([...site, '--static-dir', '/srv/static', '--out', out]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /--static-dir: HAProxy serves no files.*serve the directory from the backend/,
    );
    expect(result.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses --acme with exit 2, naming what to do instead, writing nothing', () => {
    const out = join(dir, 'acme.cfg');
    const result = runCli([...site, '--acme', '--acme-email', 'ops@example.com', '--out', out]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /--acme: not available for HAProxy.*certbot certonly --standalone.*--cert .*fullchain\.pem --key .*privkey\.pem/,
    );
    expect(result.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    ['--server-version', '2.2.0', /--server-version: HAProxy 2\.2\.0 \(given\) is older than 2\.4\.0/],
    ['--balance', 'random', /--balance: "random" is not allowed; use least-conn, ip-hash or round-robin/],
    ['--domain', 'evil.test;}', /--domain: "evil\.test;}" is not allowed/],
  ])('refuses %s %s with exit 2', (flag, value, message) => {
    const result = runCli([...site.filter((_, i) => i < 5), flag, value]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it.each([
    ['least-conn', 'balance leastconn'],
    ['ip-hash', 'balance source'],
    ['round-robin', 'balance roundrobin'],
  ])('maps --balance %s to %s', (method, line) => {
    const result = runCli([...site, '--backend', '8283', '--balance', method]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`    ${line}\n`);
  });

  // The top-level --help and package.json said "for nginx and Apache" after HAProxy was registered.
  it('is named by the top-level --help and the package description, as every registered server', () => {
    const help = runCli(['--help']).stdout;
    expect(help.replace(/\s+/g, ' ')).toContain('proxies for nginx, Apache and HAProxy');
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { description: string };
    expect(pkg.description).toContain('HAProxy');
  });

  it('writes for 2.6.12 with a warning when no haproxy is found and no version is given', () => {
    const result = runCli(site.slice(0, 5), { env: { PATH: '/nonexistent' } });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Written for HAProxy 2.6.12 (default)');
    expect(result.stderr).toContain('no haproxy found here, so the file is written for HAProxy 2.6.12');
  });

  it('names the key link a certbot user needs, and none for a combined PEM', () => {
    expect(runCli(site).stderr).toContain(
      'ln -s /etc/letsencrypt/live/example.com/privkey.pem /etc/letsencrypt/live/example.com/fullchain.pem.key',
    );
    const combined = runCli([...site, '--cert', '/etc/haproxy/site.pem', '--key', '/etc/haproxy/site.pem']);
    expect(combined.stderr).not.toContain('ln -s');
  });
});

const tool = requireTool('haproxy');
const golden = readFileSync(
  join(repoRoot, 'fixtures/cases/workerman-wss-path/expected/haproxy-2.6.12.conf'),
  'utf8',
);

describe.skipIf(tool.skip)('wss-conf check on a haproxy.cfg', () => {
  it('tells a haproxy.cfg from its sections and passes the golden with stand-in certificates', () => {
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(file, golden);
    const result = runCli(['check', file]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${file}: haproxy config test passed\n`);
    expect(result.stderr).toContain('tested with a throwaway certificate instead: /etc/ssl/server.pem');
  });

  // HAProxy 2.6 reads at most 64 words on a line (MAX_LINE_ARGS) and drops the rest with an ALERT,
  // so one `acl … -m str <every name>` line broke the file from the 60th --domain on.
  it('passes haproxy -c with 150 domains, every name in an ACL', () => {
    const file = join(dir, 'many.cfg');
    const names = Array.from({ length: 150 }, (_, i) => `host${i + 1}.example.com`);
    const result = runCli([
      ...site.slice(0, 1),
      ...names.flatMap((name) => ['--domain', name]),
      '--backend',
      '8282',
      '--server-version',
      '2.6.12',
      '--out',
      file,
      '--check',
    ]);
    expect(result.stderr).not.toMatch(/too many words|ALERT|WARNING/);
    expect(result.status).toBe(0);
    const cfg = readFileSync(file, 'utf8');
    for (const name of names)
      expect(cfg).toMatch(new RegExp(`acl host_ok .* ${name.replaceAll('.', '\\.')}( |\n)`));
    for (const line of cfg.split('\n').filter((l) => !l.trimStart().startsWith('#')))
      expect(line.trim().split(/\s+/).length).toBeLessThanOrEqual(64);
  });

  it("fails a broken file with haproxy's own words about the user's file, exit 1", () => {
    const file = join(dir, 'broken.cfg');
    writeFileSync(file, golden.replace('timeout tunnel 1h', 'timeout tunnel forever'));
    const result = runCli(['check', file, '--server', 'haproxy']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toMatch(/timeout/);
    expect(result.stderr).not.toContain('wss-conf-check-');
  });
});

/**
 * The bundle apply writes (certificate + key in one PEM) is named by the old haproxy.cfg too. Seen on
 * 2.6.12: a --key that did not belong to --cert overwrote the bundle, haproxy -c refused, apply put
 * the old haproxy.cfg back and said it was "as it was", but that file no longer passed haproxy -c:
 * the next reload or restart of HAProxy would fail.
 */
describe.skipIf(tool.skip)('apply haproxy, a failed apply leaves the certificate bundle as it was', () => {
  it('puts the old bundle back when the config test fails', () => {
    const lb = mkdtempSync(join(tmpdir(), 'haproxy-bundle-'));
    const cert = join(lb, 'cert.pem');
    const key = join(lb, 'key.pem');
    const wrong = join(lb, 'wrong.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '2',
        '-subj',
        '/CN=example.com',
      ],
      { stdio: 'ignore' },
    );
    execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-out', wrong], { stdio: 'ignore' });
    const bundle = join(lb, 'example.com.pem');
    const good = `${readFileSync(cert, 'utf8')}${readFileSync(key, 'utf8')}`;
    writeFileSync(bundle, good, { mode: 0o600 });
    const conf = join(lb, 'haproxy.cfg');
    const listen = ['--listen', '127.0.0.1:18943', '--redirect-listen', '127.0.0.1:18980'];
    const old = runCli([...site, '--cert', bundle, '--key', bundle, ...listen, '--out', conf]);
    expect(old.status).toBe(0);
    expect(spawnSync('haproxy', ['-c', '-f', conf]).status).toBe(0);

    const result = runCli([
      'apply',
      'haproxy',
      '--domain',
      'example.com',
      '--backend',
      '8283',
      '--server-version',
      '2.6.12',
      '--cert',
      cert,
      '--key',
      wrong,
      ...listen,
      '--haproxy-conf',
      conf,
      '--haproxy-bin',
      'haproxy',
    ]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/✖ test .*inconsistencies between private key and certificate/);
    expect(readFileSync(bundle, 'utf8')).toBe(good);
    expect(spawnSync('haproxy', ['-c', '-f', conf]).status).toBe(0);
  });

  it('removes a bundle that was not there before', () => {
    const lb = mkdtempSync(join(tmpdir(), 'haproxy-bundle-'));
    const cert = join(lb, 'cert.pem');
    const wrong = join(lb, 'wrong.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(lb, 'key.pem'),
        '-out',
        cert,
        '-days',
        '2',
        '-subj',
        '/CN=example.com',
      ],
      { stdio: 'ignore' },
    );
    execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-out', wrong], { stdio: 'ignore' });
    const conf = join(lb, 'haproxy.cfg');
    const result = runCli([
      'apply',
      'haproxy',
      '--domain',
      'example.com',
      '--backend',
      '8283',
      '--server-version',
      '2.6.12',
      '--cert',
      cert,
      '--key',
      wrong,
      '--listen',
      '127.0.0.1:18944',
      '--redirect-listen',
      '127.0.0.1:18981',
      '--haproxy-conf',
      conf,
    ]);
    expect(result.status).toBe(1);
    expect(existsSync(join(lb, 'example.com.pem'))).toBe(false);
    expect(existsSync(conf)).toBe(false);
  });
});
