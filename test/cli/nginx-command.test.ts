/** `wss-conf nginx` as a user runs it: the real binary, real files, real certificates. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers/cli.js';
import { makeTestCa, type TestCa } from '../helpers/pki.js';
import { requireTool } from '../helpers/tools.js';

const base = [
  'nginx',
  '--domain',
  'example.com',
  '--backend',
  '8282',
  '--server-version',
  '1.22.1',
  '--openssl-version',
  '3.0.0',
];
const dir = mkdtempSync(join(tmpdir(), 'wss-conf-cli-'));

describe('wss-conf nginx output', () => {
  it('prints exactly the golden file for the same options', () => {
    const result = runCli(base);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      readFileSync(join(repoRoot, 'fixtures/cases/certbot-defaults/expected/nginx-1.22.1.conf'), 'utf8'),
    );
  });

  it('gives byte-identical output for the same options', () => {
    expect(runCli(base).stdout).toBe(runCli(base).stdout);
  });

  it('warns once on stderr when the certificate files are not on this machine', () => {
    const result = runCli(base);
    expect(result.stderr.trim().split('\n')).toEqual([
      'warning: not checked: /etc/letsencrypt/live/example.com/fullchain.pem and /etc/letsencrypt/live/example.com/privkey.pem are not on this machine (the certbot default; give --cert and --key for other files)',
    ]);
  });

  it('--quiet (or -q) prints the config and no warning; errors still show', () => {
    for (const flag of ['--quiet', '-q']) {
      const result = runCli([...base, flag]);
      expect(result).toMatchObject({ status: 0, stdout: runCli(base).stdout, stderr: '' });
    }
    const out = join(dir, 'quiet.conf');
    expect(runCli([...base, '--out', out, '-q'])).toMatchObject({ status: 0, stdout: '', stderr: '' });
    const bad = runCli([...base, '--timeout', 'forever', '--quiet']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--timeout');
  });

  it('--json prints { files, warnings }', () => {
    const result = runCli([...base, '--json']);
    const parsed = JSON.parse(result.stdout);
    expect(Object.keys(parsed)).toEqual(['files', 'warnings']);
    expect(Object.keys(parsed.files)).toEqual(['example.com.conf']);
    expect(parsed.files['example.com.conf']).toBe(runCli(base).stdout);
    expect(parsed.warnings).toHaveLength(1);
  });

  it('--out writes the file, refuses to overwrite without --force, and replaces it with --force', () => {
    const out = join(dir, 'site.conf');
    expect(runCli([...base, '--out', out]).status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(runCli(base).stdout);
    writeFileSync(out, 'hand edited\n');
    const refused = runCli([...base, '--out', out]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(`--out: ${out} exists; give --force to replace it`);
    expect(readFileSync(out, 'utf8')).toBe('hand edited\n');
    expect(runCli([...base, '--out', out, '--force']).status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(runCli(base).stdout);
  });

  it('bad input exits 2 with every problem named, nothing on stdout and nothing written', () => {
    const out = join(dir, 'never.conf');
    const result = runCli(['nginx', '--domain', 'a b', '--backend', 'x', '--timeout', '5y', '--out', out]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--domain: "a b" is not allowed');
    expect(result.stderr).toContain('--backend: "x" is not allowed');
    expect(result.stderr).toContain('--timeout: "5y" is not allowed');
    expect(existsSync(out)).toBe(false);
  });

  it('names every missing required option', () => {
    const result = runCli(['nginx']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--domain is required');
    expect(result.stderr).toContain('--backend is required');
  });

  it('an unknown option is a usage error (exit 2)', () => {
    const result = runCli([...base, '--no-such-option']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
  });

  it('--help lists every option with examples, and --version prints the package version', () => {
    const help = runCli(['nginx', '--help']);
    expect(help.status).toBe(0);
    for (const flag of [
      '--domain',
      '--backend',
      '--path',
      '--cert',
      '--key',
      '--listen',
      '--redirect-listen',
      '--no-redirect',
      '--static-dir',
      '--static-path',
      '--timeout',
      '--tls',
      '--server-version',
      '--out',
      '--check',
      '--json',
      '--balance',
      '--strict',
      '--force',
    ]) {
      expect(help.stdout).toContain(flag);
    }
    expect(help.stdout).toContain('$ wss-conf nginx --domain example.com --backend 8282');
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    expect(runCli(['--version']).stdout.trim()).toBe(pkg.version);
  });
});

const nginx = requireTool('nginx');

describe.skipIf(nginx.skip)('version awareness', () => {
  it('writes for the installed nginx when no --server-version is given', () => {
    // nginx -v answers on stderr.
    const installed = /nginx\/(\d+\.\d+\.\d+)/.exec(
      spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr,
    )?.[1];
    expect(installed).toBeDefined();
    const result = runCli(['nginx', '--domain', 'example.com', '--backend', '8282']);
    expect(result.stdout).toContain(`Written for nginx ${installed} (detected)`);
  });

  it('falls back to the documented default, and says so, when no nginx is on PATH', () => {
    const result = runCli(['nginx', '--domain', 'example.com', '--backend', '8282'], {
      env: { PATH: '/nonexistent' },
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Written for nginx 1.22.1 (default) with OpenSSL 3.0.0');
    expect(result.stderr).toContain('no nginx found here, so the file is written for nginx 1.22.1');
  });

  it('--check runs the real nginx -t: a file for a newer nginx fails on this one, exit 1, nothing written', () => {
    const out = join(dir, 'too-new.conf');
    const result = runCli([
      'nginx',
      '--domain',
      'example.com',
      '--backend',
      '8282',
      '--server-version',
      '1.29.7',
      '--check',
      '--out',
      out,
    ]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/unknown directive "http2" in .*too-new\.conf:\d+/);
    expect(existsSync(out)).toBe(false);
  });
});

describe.skipIf(nginx.skip)('certificate checks', () => {
  let ca: TestCa;
  beforeAll(() => {
    ca = makeTestCa();
  });

  const render = (cert: string, key: string, extra: string[] = []) =>
    runCli([
      ...base.slice(0, 1),
      '--domain',
      'example.com',
      '--domain',
      'www.example.com',
      '--backend',
      '8282',
      '--server-version',
      '1.22.1',
      '--cert',
      cert,
      '--key',
      key,
      ...extra,
    ]);

  it('is silent for a good certificate that covers every name', () => {
    const leaf = ca.issue('example.com', { altNames: ['example.com', 'www.example.com'] });
    const result = render(leaf.cert, leaf.key);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('names the host a certificate does not cover and what it covers (IE error 12038)', () => {
    const leaf = ca.issue('example.com');
    const result = render(leaf.cert, leaf.key);
    expect(result.stderr).toContain('the certificate does not cover www.example.com');
    expect(result.stderr).toContain('it covers: DNS:example.com');
  });

  it('applies wildcard rules: *.example.com covers www but not the apex', () => {
    const leaf = ca.issue('wild', { altNames: ['*.example.com'] });
    const result = render(leaf.cert, leaf.key);
    expect(result.stderr).toContain('does not cover example.com');
    expect(result.stderr).not.toContain('does not cover www.example.com');
  });

  it('finds a key that belongs to another certificate', () => {
    const leaf = ca.issue('example.com', { altNames: ['example.com', 'www.example.com'] });
    const other = ca.issue('other.example.com');
    expect(render(leaf.cert, other.key).stderr).toContain(
      `--key ${other.key} does not belong to the certificate`,
    );
  });

  it('warns when the certificate is about to expire', () => {
    const leaf = ca.issue('example.com', { altNames: ['example.com', 'www.example.com'], days: 3 });
    expect(render(leaf.cert, leaf.key).stderr).toMatch(/the certificate expires in [23] days/);
  });

  it('finds a chain whose leaf is not first', () => {
    const leaf = ca.issue('example.com', { altNames: ['example.com', 'www.example.com'] });
    const reversed = join(dir, 'reversed-chain.pem');
    writeFileSync(reversed, ca.caPem + readFileSync(leaf.cert, 'utf8'));
    expect(render(reversed, leaf.key).stderr).toContain('the first certificate is a CA');
  });

  it('flags an IP address used as a name', () => {
    const leaf = ca.issue('example.com');
    const result = runCli([
      'nginx',
      '--domain',
      '203.0.113.7',
      '--backend',
      '8282',
      '--cert',
      leaf.cert,
      '--key',
      leaf.key,
    ]);
    expect(result.stderr).toContain('--domain 203.0.113.7 is an IP address');
    expect(result.stderr).toContain('the certificate does not cover 203.0.113.7');
  });

  it('--strict turns certificate problems into exit 1 and writes nothing', () => {
    const leaf = ca.issue('example.com');
    const out = join(dir, 'strict.conf');
    const result = render(leaf.cert, leaf.key, ['--strict', '--out', out]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });
});

// `script` runs the command on a pseudo-terminal, the one place colour is allowed.
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).error === undefined;

describe.skipIf(!hasScript)('colour', () => {
  const onTerminal = (env: Record<string, string>) =>
    spawnSync(
      'script',
      ['-qc', `node ${join(repoRoot, 'bin', 'wss-conf.js')} nginx --domain 'a b' --backend 1`, '/dev/null'],
      {
        encoding: 'utf8',
        env: { ...process.env, ...env },
      },
    ).stdout;

  it('colours diagnostics on a terminal', () => {
    const { NO_COLOR: _ignored, ...env } = process.env;
    expect(onTerminal(env as Record<string, string>)).toContain('\u001b[31merror:\u001b[0m');
  });

  it('never with NO_COLOR, and never off a terminal', () => {
    expect(onTerminal({ NO_COLOR: '1' })).not.toContain('\u001b[');
    expect(
      runCli(['nginx', '--domain', 'a b', '--backend', '1'], { env: { FORCE_COLOR: '1' } }).stderr,
    ).not.toContain('\u001b[');
  });
});

describe('server versions too old to write for', () => {
  it.each([
    ['nginx', '1.12.2', 'nginx 1.12.2 (given) is older than 1.13.0'],
    ['apache', '2.2.34', 'Apache 2.2.34 (given) is older than 2.4.0'],
  ])('%s --server-version %s exits 2 naming the oldest supported version', (server, version, message) => {
    const result = runCli([
      server,
      '--domain',
      'example.com',
      '--backend',
      '8282',
      '--server-version',
      version,
    ]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`--server-version: ${message}`);
  });
});

describe('OpenSSL too old to write for', () => {
  // Before 1.1.1 there is no TLS 1.3, and before 1.1.0 no X25519: the server would refuse the file.
  it.each([
    ['nginx', '1.0.2k'],
    ['apache', '1.1.0'],
  ])('%s --openssl-version %s exits 2 naming the oldest supported OpenSSL', (server, version) => {
    const result = runCli([
      server,
      '--domain',
      'example.com',
      '--backend',
      '8282',
      '--server-version',
      server === 'nginx' ? '1.22.1' : '2.4.58',
      '--openssl-version',
      version,
    ]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      `--openssl-version: OpenSSL ${version.replace(/[a-z]$/, '')} (given) is older than 1.1.1`,
    );
  });

  it('takes the version as `openssl version` prints it, trailing letter and all', () => {
    const result = runCli([...base.slice(0, -1), '1.1.1w']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('with OpenSSL 1.1.1;');
    expect(result.stdout).toContain('ssl_protocols TLSv1.2 TLSv1.3;');
  });

  it('names an OpenSSL version, not an nginx one, when the form is wrong', () => {
    const result = runCli([...base.slice(0, -1), 'three']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      '--openssl-version: "three" is not allowed; use an OpenSSL version such as 3.0.13 or 1.1.1w',
    );
  });
});

describe('a flag that takes one value, given twice', () => {
  it('is refused, exit 2, rather than the last one silently winning', () => {
    const result = runCli([...base, '--path', '/ws', '--path', '/chat']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--path: given more than once ("/ws", then "/chat"); give it once');
  });
});

describe('options that contradict each other', () => {
  it.each([
    [['--no-redirect', '--redirect-listen', '8080'], '--redirect-listen: contradicts --no-redirect'],
    [
      ['--listen', '8443', '--redirect-listen', '8443'],
      '--redirect-listen: 8443 is the port of --listen too',
    ],
    [['--backend', '127.0.0.1:8282'], '--backend: "127.0.0.1:8282" is given twice'],
  ])('%j is refused, exit 2, nothing written', (extra, message) => {
    const result = runCli([...base, ...extra]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
  });
});

describe('a --path with a trailing slash', () => {
  it.each(['nginx', 'apache'])('%s warns that clients must use the slash too', (server) => {
    const result = runCli([server, '--domain', 'example.com', '--backend', '8282', '--path', '/ws/']);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(
      '--path /ws/ ends with a slash: clients must connect to wss://example.com/ws/',
    );
  });

  it('says nothing for a path without one', () => {
    expect(
      runCli(['nginx', '--domain', 'example.com', '--backend', '8282', '--path', '/ws']).stderr,
    ).not.toContain('ends with a slash');
  });
});
