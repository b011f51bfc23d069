/** `wss-conf apply` refuses bad flags before it touches anything (no server is needed for that). */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'apply-cli-'));
const target = join(dir, 'site.conf');
const base = ['apply', 'nginx', '--domain', 'example.com', '--backend', '8282', '--target', target];

describe('wss-conf apply, bad input', () => {
  it.each([
    [['--verify', 'not a url'], '--verify: "not a url" is not a URL'],
    [
      ['--verify', 'https://example.com/'],
      "--verify: https:// is the page's scheme; the WebSocket URL is wss://",
    ],
    [['--verify-resolve', 'example.com'], '--verify-resolve: "example.com" is not HOST:PORT:ADDR'],
    [['--verify-ca', join(dir, 'missing.pem')], '--verify-ca:'],
    [['--keep', '0'], '--keep: "0" is not allowed; use a whole number from 1 to 999'],
    [['--lock-timeout', 'soon'], '--lock-timeout: "soon" is not allowed'],
  ])('%j exits 2 and writes nothing', (extra, message) => {
    const result = runCli([...base, ...extra]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
    expect(existsSync(target)).toBe(false);
    expect(existsSync(join(dir, '.wss-conf-backups'))).toBe(false);
  });

  it('an unknown server is a usage error naming the choices', () => {
    const result = runCli([
      'apply',
      'caddy',
      '--domain',
      'example.com',
      '--backend',
      '8282',
      '--target',
      target,
    ]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('<server>: "caddy" is not allowed; use nginx, apache or haproxy');
  });

  it.each([
    [
      ['--nginx-conf', '/x/nginx.conf', '--haproxy-conf', '/x/haproxy.cfg'],
      /--nginx-\* and --haproxy-\*: give the flags of one server/,
    ],
    [['--server', 'caddy'], /--server: "caddy" is not allowed; use nginx, apache or haproxy/],
    [
      ['--server', 'nginx', '--haproxy-conf', '/x/haproxy.cfg'],
      /--server: nginx disagrees with the --haproxy-\* flags given/,
    ],
  ])('rollback %j is a usage error', (extra, message) => {
    // A backup with no record of its server, as an apply before the records made.
    const backups = join(dir, 'rollback', '.wss-conf-backups', 'site.conf');
    mkdirSync(backups, { recursive: true });
    writeFileSync(join(backups, '2026-01-01T00-00-00-000Z'), 'server {}\n');
    const result = runCli(['rollback', '--target', join(dir, 'rollback', 'site.conf'), ...extra]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('apply haproxy --from a file that is not a haproxy.cfg is refused, naming the server it is for', () => {
    const site = join(dir, 'nginx-site.conf');
    writeFileSync(site, 'server {\n    listen 8443;\n}\n');
    const result = runCli(['apply', 'haproxy', '--from', site, '--target', join(dir, 'haproxy.cfg')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /is an nginx config, not an HAProxy site; install it with wss-conf apply nginx/,
    );
  });

  // Seen on 2.6.12: the master reloaded its own --haproxy-conf, unchanged, new workers ran on the same
  // ports, and apply said ✔ while HAProxy served the old backends; `haproxy -c` had tested the wrong file.
  it('apply haproxy with a --target that is not --haproxy-conf exits 2 and writes nothing', () => {
    const lb = join(dir, 'lb');
    mkdirSync(lb, { recursive: true });
    const other = join(lb, 'other.cfg');
    const result = runCli([
      'apply',
      'haproxy',
      '--domain',
      'example.com',
      '--backend',
      '8282',
      '--haproxy-conf',
      join(lb, 'haproxy.cfg'),
      '--target',
      other,
    ]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--target: .* is not --haproxy-conf .*haproxy\.cfg/);
    expect(existsSync(other)).toBe(false);
    expect(existsSync(join(lb, '.wss-conf-backups'))).toBe(false);
  });

  // docs/servers/haproxy.md: --haproxy-conf is the default --target. The registry's "--target:
  // required with --haproxy-conf" ran before that default was applied, and refused every such apply.
  it('apply haproxy --haproxy-conf alone installs that file (--dry-run)', () => {
    const lb = join(dir, 'lb-default');
    mkdirSync(lb, { recursive: true });
    const conf = join(lb, 'haproxy.cfg');
    const rendered = runCli([
      'haproxy',
      '--domain',
      'example.com',
      '--backend',
      '8282',
      '--server-version',
      '2.6.12',
      '--cert',
      '/etc/ssl/site.pem',
      '--key',
      '/etc/ssl/site.pem',
    ]);
    const from = join(lb, 'new.cfg');
    writeFileSync(from, rendered.stdout);
    const result = runCli(['apply', 'haproxy', '--from', from, '--haproxy-conf', conf, '--dry-run']);
    expect(result.stderr).not.toContain('--target: required');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(conf);
    expect(existsSync(conf)).toBe(false);
  });

  // A flag given without its value took the next flag as the value: `--target --dry-run` ran a real
  // apply into a file named "--dry-run", and `--haproxy-bin --dry-run` a real apply on
  // /etc/haproxy/haproxy.cfg. A value that is one of the command's own flags is a usage error.
  it.each([
    ['--target', '--dry-run'],
    ['--haproxy-bin', '--dry-run'],
    ['--haproxy-conf', '--dry-run'],
    ['--from', '--dry-run'],
    ['--verify-ca', '--dry-run'],
  ])('apply haproxy %s %s exits 2, naming the flag without a value, and writes nothing', (flag, next) => {
    const cwd = mkdtempSync(join(tmpdir(), 'apply-swallow-'));
    const result = runCli(['apply', 'haproxy', '--domain', 'example.com', '--backend', '8282', flag, next], {
      cwd,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${flag}: needs a value; "${next}" is a flag`);
    expect(result.stdout).toBe('');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('--from with generation options is refused', () => {
    const result = runCli([...base, '--from', target]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--from: give either a rendered file or generation options');
  });
});

/**
 * `--from` must hold a site for the server named: an empty file (what `wss-conf nginx … > site.conf`
 * leaves when the render fails) or the other server's file would replace a working site. Shown with
 * --dry-run, which would otherwise print the diff and exit 0; the live refusal is in
 * test/integration/apply.nginx.test.ts.
 */
describe('wss-conf apply --from, a file that is not a site for that server', () => {
  const rendered = (server: 'nginx' | 'apache') => {
    const result = runCli([server, '--domain', 'example.com', '--backend', '8282']);
    expect(result.status, result.stderr).toBe(0);
    return result.stdout;
  };
  const fromFile = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const dryRunFrom = (server: string, from: string) =>
    runCli(['apply', server, '--from', from, '--target', target, '--dry-run']);

  it.each([
    ['nginx', 'empty.conf', () => '', 'is empty'],
    ['nginx', 'blank.conf', () => ' \n\t\n', 'is empty'],
    ['apache', 'empty.conf', () => '', 'is empty'],
    ['nginx', 'apache-site.conf', () => rendered('apache'), 'is an Apache config, not an nginx site'],
    ['apache', 'nginx-site.conf', () => rendered('nginx'), 'is an nginx config, not an Apache site'],
    [
      'nginx',
      'upstream-only.conf',
      () => 'upstream backend {\n    server 127.0.0.1:8282;\n}\n# server {\n',
      'has no server { … } block',
    ],
    [
      'apache',
      'no-vhost.conf',
      () => 'ServerName example.com\n# <VirtualHost *:443>\n',
      'has no <VirtualHost> section',
    ],
  ])('apply %s --from %s exits 2 and writes nothing', (server, name, content, problem) => {
    const from = fromFile(name, content());
    const result = dryRunFrom(server, from);
    expect(result.status, result.stdout).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`--from: ${from} ${problem}`);
    expect(existsSync(target)).toBe(false);
  });

  it.each([
    ['nginx', 'server\n{\n    listen 127.0.0.1:8443;\n    return 204;\n}\n'],
    ['nginx', 'map $http_upgrade $c { default upgrade; }\nserver{listen 8443;}\n'],
    ['apache', '<virtualhost *:8443>\n    ServerName example.com\n</virtualhost>\n'],
  ])('apply %s --from a hand-written site is accepted (%j)', (server, content) => {
    const result = dryRunFrom(server, fromFile(`hand-${server}.conf`, content));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('(absent)');
  });
});

/**
 * A custom instance (any --nginx-… or --apache-… flag) is tested and reloaded, so the file must go where that
 * instance reads it: the system server's sites-available/ (the default --target) is not it.
 */
describe('wss-conf apply on a custom instance needs --target', () => {
  it.each([
    ['nginx', '--nginx-prefix', dir],
    ['nginx', '--nginx-conf', join(dir, 'nginx.conf')],
    ['nginx', '--nginx-bin', '/usr/sbin/nginx'],
    ['apache', '--apache-root', dir],
    ['apache', '--apache-conf', join(dir, 'httpd.conf')],
    ['apache', '--apache-bin', '/usr/sbin/apache2'],
  ])('apply %s %s without --target exits 2 naming --target', (server, flag, value) => {
    // --dry-run: were the refusal missing, this reads the system server's directory and writes nothing.
    const result = runCli([
      'apply',
      server,
      '--domain',
      'example.com',
      '--backend',
      '8282',
      flag,
      value,
      '--dry-run',
    ]);
    expect(result.status, result.stdout).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`--target: required with ${flag}`);
  });
});

describe('wss-conf apply --dry-run --enable', () => {
  it('says which sites-enabled link the apply would make', () => {
    const root = mkdtempSync(join(tmpdir(), 'apply-enable-'));
    mkdirSync(join(root, 'sites-available'));
    mkdirSync(join(root, 'sites-enabled'));
    const available = join(root, 'sites-available', 'example.com.conf');
    const args = [...base.slice(0, -1), available, '--enable', '--dry-run'];
    const first = runCli(args);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout.trimEnd().split('\n').at(-1)).toBe(
      `--enable: would link ${join(root, 'sites-enabled', 'example.com.conf')} → ../sites-available/example.com.conf`,
    );
    expect(existsSync(join(root, 'sites-enabled', 'example.com.conf'))).toBe(false);

    symlinkSync('../sites-available/example.com.conf', join(root, 'sites-enabled', 'example.com.conf'));
    const linked = runCli(args);
    expect(linked.stdout.trimEnd().split('\n').at(-1)).toBe(
      `--enable: ${join(root, 'sites-enabled', 'example.com.conf')} is already there`,
    );
  });

  it('says when the target has no sites-enabled beside it, so the apply would roll back', () => {
    const result = runCli([...base, '--enable', '--dry-run']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      '--enable: would fail (and the apply roll back): it needs the target in a sites-available directory with a sites-enabled beside it',
    );
  });
});
