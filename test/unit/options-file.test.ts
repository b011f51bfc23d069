import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromJSONSchema } from 'zod';
import { UsageError } from '../../src/core/errors.js';
import { optionsFileJsonSchema, optionsFromFile, parseGenerationOptions } from '../../src/core/options.js';
import { repoRoot, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'options-file-'));
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('schema.json accepts the forms an options file may use, and refuses what wss-conf refuses', () => {
  // Editors mark a file wrong when schema.json refuses it: YAML reads `backend: 8282` and `listen: 8443`
  // as numbers, and a lone domain or backend needs no list. optionsFromFile takes all of these.
  const published = fromJSONSchema(optionsFileJsonSchema() as Parameters<typeof fromJSONSchema>[0]);
  const accepts = (file: Record<string, unknown>): boolean => {
    try {
      optionsFromFile(file, 'site.yaml');
      return true;
    } catch (error) {
      if (error instanceof UsageError) return false;
      throw error;
    }
  };
  it.each([
    [{ domain: 'example.com', backend: 8282 }, true],
    [{ domain: ['example.com'], backend: [8282, '10.0.0.5:9000'] }, true],
    [{ domain: 'example.com', backend: '8282', listen: 8443, 'redirect-listen': 8080 }, true],
    [{ domain: 'example.com', backend: 8282, listen: '127.0.0.1:8443' }, true],
    [{ domain: 'example.com', backend: 70000 }, false],
    [{ domain: 'example.com', backend: 8282, listen: 0 }, false],
    [{ domain: 'example.com', backend: 8282.5 }, false],
    [{ domain: 'exa mple.com', backend: 8282 }, false],
    [{ domain: [], backend: 8282 }, false],
    // A version is text: YAML reads `server-version: 1.20` as the number 1.2, which is another version.
    [{ domain: 'example.com', backend: 8282, 'server-version': '1.20', 'openssl-version': '3.10' }, true],
    [{ domain: 'example.com', backend: 8282, 'server-version': 1.2 }, false],
    [{ domain: 'example.com', backend: 8282, 'openssl-version': 3.5 }, false],
  ])('%j: %s', (file, accepted) => {
    expect(accepts(file)).toBe(accepted);
    expect(published.safeParse(file).success).toBe(accepted);
  });
});

describe('options files', () => {
  it('schema.json is generated from the zod schema and up to date (npm run schema)', () => {
    expect(readFileSync(join(repoRoot, 'schema.json'), 'utf8')).toBe(
      `${JSON.stringify(optionsFileJsonSchema(), null, 2)}\n`,
    );
  });

  it('takes the long flags as keys, and numbers and lone values where flags give strings and lists', () => {
    const input = optionsFromFile(
      {
        domain: 'example.com',
        backend: 8282,
        'static-dir': '/srv/app',
        'redirect-listen': 8080,
        redirect: true,
      },
      'site.yaml',
    );
    expect(input).toEqual({
      domain: ['example.com'],
      backend: ['8282'],
      staticDir: '/srv/app',
      redirectListen: '8080',
      redirect: true,
    });
    expect(parseGenerationOptions(input).redirectListen).toEqual({ port: 8080 });
  });

  it.each([
    [{ domain: 'evil;}' }, 'site.yaml: domain: "evil;}" is not allowed; use a host name'],
    [
      { 'static-dir': 'relative/dir' },
      'site.yaml: static-dir: "relative/dir" is not allowed; use an absolute path',
    ],
    [{ staticDir: '/srv' }, 'site.yaml: unknown key "staticDir"; use one of domain, backend, path'],
    [['example.com'], 'site.yaml: must be a mapping of option names'],
    [
      { 'server-version': 1.2 },
      'site.yaml: server-version: 1.2 is a number, and a number drops trailing zeros (YAML reads 1.20 as 1.2); ' +
        'quote the version as written: "1.20", not 1.20',
    ],
    [{ 'openssl-version': 3 }, 'site.yaml: openssl-version: 3 is a number'],
  ])('names the file and the key of a bad value: %j', (data, message) => {
    expect(() => optionsFromFile(data, 'site.yaml')).toThrow(UsageError);
    expect(() => optionsFromFile(data, 'site.yaml')).toThrow(message);
  });
});

describe('every key of an options file, given a value of the wrong shape', () => {
  // Each key with a list, a mapping, a switch's value and null: the message must say what is allowed,
  // never zod's bare "Invalid input" (a key added to the schema later is covered too).
  const keys = Object.keys(optionsFileJsonSchema().properties as object).filter((key) => key !== '$schema');
  const wrong: unknown[] = [['a', 'b'], { a: 1 }, true, null, 'not-a-switch'];

  it.each(keys)('%s says what is allowed', (key) => {
    for (const value of wrong) {
      let message = '';
      try {
        optionsFromFile({ [key]: value }, 'f.yaml');
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        message = (error as Error).message;
      }
      if (message === '') continue; // a value the key accepts (a lone string for a list key, a switch's true)
      expect(message, `${key}: ${JSON.stringify(value)}`).toMatch(new RegExp(`^f\\.yaml: ${key}`));
      expect(message, `${key}: ${JSON.stringify(value)}`).not.toMatch(/Invalid input|expected/i);
    }
  });
});

describe('wss-conf nginx --config', () => {
  const flags = [
    '--domain',
    'example.com',
    '--domain',
    'www.example.com',
    '--backend',
    '8282',
    '--path',
    '/wss',
    '--static-dir',
    '/root/html/static',
    '--timeout',
    '10m',
    '--no-redirect',
    '--server-version',
    '1.24.0',
    '--openssl-version',
    '3.0.0',
  ];

  it('gives byte-identical output from flags, a JSON file and a YAML file', () => {
    const json = write(
      'site.json',
      JSON.stringify({
        domain: ['example.com', 'www.example.com'],
        backend: ['8282'],
        path: '/wss',
        'static-dir': '/root/html/static',
        timeout: '10m',
        redirect: false,
        'server-version': '1.24.0',
        'openssl-version': '3.0.0',
      }),
    );
    const yaml = write(
      'site.yaml',
      [
        '# yaml-language-server: $schema=../schema.json',
        'domain:',
        '  - example.com',
        '  - www.example.com',
        'backend: 8282',
        'path: /wss',
        'static-dir: /root/html/static',
        'timeout: 10m',
        'redirect: false',
        'server-version: 1.24.0',
        'openssl-version: 3.0.0',
        '',
      ].join('\n'),
    );
    const fromFlags = runCli(['nginx', ...flags]);
    expect(fromFlags.status).toBe(0);
    expect(runCli(['nginx', '--config', json]).stdout).toBe(fromFlags.stdout);
    expect(runCli(['nginx', '--config', yaml]).stdout).toBe(fromFlags.stdout);
  });

  it('lets flags override the file', () => {
    const yaml = write(
      'override.yaml',
      'domain: example.com\nbackend: 8282\ntimeout: 10m\nserver-version: 1.24.0\n',
    );
    const result = runCli(['nginx', '--config', yaml, '--timeout', '90s']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('proxy_read_timeout 90s;');
  });

  it("lets --no-redirect override a file's redirect-listen, and --redirect-listen a file's redirect: false", () => {
    const listening = write(
      'redirect-listen.yaml',
      'domain: example.com\nbackend: 8282\nredirect-listen: 8080\n',
    );
    const off = runCli(['nginx', '--config', listening, '--no-redirect', '--server-version', '1.24.0']);
    expect(off.stderr).not.toContain('error:');
    expect(off.status).toBe(0);
    expect(off.stdout).not.toContain('listen 8080');
    expect(off.stdout).not.toContain('return 301');
    const silent = write('no-redirect.yaml', 'domain: example.com\nbackend: 8282\nredirect: false\n');
    const on = runCli([
      'nginx',
      '--config',
      silent,
      '--redirect-listen',
      '8080',
      '--server-version',
      '1.24.0',
    ]);
    expect(on.status).toBe(0);
    expect(on.stdout).toContain('listen 8080;');
    // In one place (the file, or the flags) the two still contradict each other.
    const both = write(
      'both.yaml',
      'domain: example.com\nbackend: 8282\nredirect: false\nredirect-listen: 8080\n',
    );
    expect(runCli(['nginx', '--config', both]).status).toBe(2);
  });

  it('reports a bad file with its name and key, exit 2, nothing on stdout', () => {
    const yaml = write('bad.yaml', 'domain: example.com\nbackend: 8282\npath: "/w s"\n');
    const result = runCli(['nginx', '--config', yaml]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${yaml}: path: "/w s" is not allowed`);
  });

  it('says what is allowed when a value has the wrong shape: a list for one value, text for a switch', () => {
    const yaml = write(
      'shapes.yaml',
      'domain: example.com\nbackend: 8282\npath: [/ws, /ws2]\nredirect: no\ntimeout: { s: 1 }\n',
    );
    const result = runCli(['nginx', '--config', yaml]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${yaml}: path: a list is not allowed here; give one value`);
    expect(result.stderr).toContain(`${yaml}: redirect: "no" is not allowed; use true or false`);
    expect(result.stderr).toContain(`${yaml}: timeout: a duration such as 90s`);
    expect(result.stderr).not.toContain('Invalid input');
  });

  it('refuses a version YAML read as a number, rather than the other version the number is', () => {
    // Unquoted, 1.20 is the number 1.2, and nginx 1.2 would be "older than 1.13.0".
    const yaml = write(
      'number-version.yaml',
      'domain: example.com\nbackend: 8282\nserver-version: 1.20\nopenssl-version: 3.10\n',
    );
    const result = runCli(['nginx', '--config', yaml]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${yaml}: server-version: 1.2 is a number`);
    expect(result.stderr).toContain(`${yaml}: openssl-version: 3.1 is a number`);
    expect(result.stderr).toContain('quote the version as written');
    expect(result.stderr).not.toContain('older than');
    const quoted = write(
      'quoted-version.yaml',
      'domain: example.com\nbackend: 8282\nserver-version: "1.20"\nopenssl-version: "3.10"\n',
    );
    const rendered = runCli(['nginx', '--config', quoted]);
    expect(rendered.status).toBe(0);
    expect(rendered.stdout).toContain('nginx 1.20');
  });

  it('refuses a JSON key given twice, as YAML does, rather than taking the last', () => {
    const json = write(
      'twice.json',
      '{"domain": "a.example.com", "backend": "8282", "domain": "b.example.com"}',
    );
    const result = runCli(['nginx', '--config', json]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${json}: not valid JSON: Map keys must be unique`);
  });

  it('says a problem of fifty list items once', () => {
    const yaml = write('lists.yaml', `domain: example.com\nbackend:\n${'  - [8282]\n'.repeat(50)}`);
    const result = runCli(['nginx', '--config', yaml]);
    expect(result.status).toBe(2);
    expect(result.stderr.split(`${yaml}: backend:`).length - 1).toBe(1);
  });

  it('refuses an empty path, which would leave nginx a bare "location {" and shift ProxyPass', () => {
    const yaml = write('empty-path.yaml', 'domain: example.com\nbackend: 8282\npath: ""\n');
    const result = runCli(['apache', '--config', yaml]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${yaml}: path: "" is not allowed`);
  });

  it('takes --trusted-proxy as one block or a list, and refuses a block with bits past its length', () => {
    const one = write('trusted-one.yaml', 'domain: example.com\nbackend: 8282\ntrusted-proxy: 10.0.0.0/8\n');
    const rendered = runCli(['nginx', '--config', one, '--server-version', '1.22.1']);
    expect(rendered.status).toBe(0);
    expect(rendered.stdout).toContain('set_real_ip_from 10.0.0.0/8;');
    const list = write(
      'trusted-list.yaml',
      'domain: example.com\nbackend: 8282\ntrusted-proxy: [10.0.0.0/8, "[2001:db8::]/32"]\n',
    );
    expect(runCli(['nginx', '--config', list, '--server-version', '1.22.1']).stdout).toContain(
      'set_real_ip_from 2001:db8::/32;',
    );
    const bad = runCli([
      'nginx',
      '--domain',
      'example.com',
      '--backend',
      '8282',
      '--trusted-proxy',
      '10.0.0.1/8',
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain(
      '--trusted-proxy: "10.0.0.1/8" is not allowed; use an IP address or CIDR block',
    );
  });

  it('reports YAML that does not parse, and a missing file', () => {
    const broken = write('broken.yaml', 'domain: [example.com\n');
    expect(runCli(['nginx', '--config', broken]).stderr).toContain(`${broken}: not valid YAML`);
    expect(runCli(['nginx', '--config', join(dir, 'nope.yaml')]).stderr).toContain('--config: cannot read');
  });
});
