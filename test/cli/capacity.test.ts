/** `--max-clients` as a user meets it: the real CLI, its exit codes, its warnings, its --json. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromJSONSchema } from 'zod';
import { repoRoot, runCli } from '../helpers/cli.js';

const site = (server: 'nginx' | 'apache') => [
  server,
  '--domain',
  'example.com',
  '--backend',
  '8282',
  '--server-version',
  server === 'nginx' ? '1.22.1' : '2.4.58',
  '--openssl-version',
  '3.0.0',
];
const dir = mkdtempSync(join(tmpdir(), 'wss-conf-capacity-cli-'));
const allowed = 'use a whole number of concurrent sockets from 1 to 200000';

describe('--max-clients: bad values are usage errors (exit 2), and nothing is written', () => {
  it.each([
    ['nginx', '0'],
    ['nginx', '200001'],
    ['nginx', '1.5'],
    ['nginx', '-3'],
    ['apache', 'lots'],
    ['apache', '1e4'],
    ['apache', '010'],
  ] as const)('%s --max-clients %s', (server, value) => {
    const out = join(dir, `${server}-${value}.conf`);
    const result = runCli([...site(server), '--max-clients', value, '--out', out]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`--max-clients: ${JSON.stringify(value)} is not allowed; ${allowed}`);
    expect(result.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('apply shares the flag and its check', () => {
    const result = runCli([
      'apply',
      'nginx',
      '--domain',
      'example.com',
      '--backend',
      '8282',
      '--max-clients',
      '0',
    ]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`--max-clients: "0" is not allowed; ${allowed}`);
  });

  it('lint checks it the same way', () => {
    const result = runCli([
      'lint',
      'fixtures/lint/rules/max-clients-capacity/good.conf',
      '--max-clients',
      'many',
    ]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`--max-clients: "many" is not allowed; ${allowed}`);
    expect(result.stdout).toBe('');
  });

  it('an options file may give it as a YAML number, checked by the same allowlist', () => {
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'domain: example.com\nbackend: 8282\nmax-clients: 300\n');
    const result = runCli([
      'nginx',
      '--config',
      good,
      '--server-version',
      '1.22.1',
      '--openssl-version',
      '3.0.0',
    ]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('events { worker_connections 856; }');

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'domain: example.com\nbackend: 8282\nmax-clients: 0.5\n');
    const refused = runCli(['nginx', '--config', bad]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(`${bad}: max-clients: "0.5" is not allowed; ${allowed}`);
  });
});

describe('--max-clients in options files: schema.json says what wss-conf accepts', () => {
  // Editors check options files against the published schema.json; a value it refuses that wss-conf
  // takes (YAML and JSON read `max-clients: 300` as a number) marks a good file as wrong.
  const published = fromJSONSchema(JSON.parse(readFileSync(join(repoRoot, 'schema.json'), 'utf8')));

  it.each([
    [300, true],
    ['300', true],
    [200000, true],
    [0.5, false],
    [200001, false],
    ['010', false],
  ] as const)('max-clients: %j', (value, accepted) => {
    const options = { domain: ['example.com'], backend: ['8282'], 'max-clients': value };
    expect(published.safeParse(options).success).toBe(accepted);
    const file = join(dir, `schema-${String(value)}.json`);
    writeFileSync(file, JSON.stringify(options));
    const result = runCli([
      'nginx',
      '--config',
      file,
      '--server-version',
      '1.22.1',
      '--openssl-version',
      '3.0.0',
    ]);
    expect(result.status, result.stderr).toBe(accepted ? 0 : 2);
  });
});

describe('--max-clients: the warning and --json state the main-context settings', () => {
  it('nginx: worker_connections and worker_rlimit_nofile, and what Debian holds', () => {
    const result = runCli([...site('nginx'), '--max-clients', '300']);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(
      'warning: --max-clients 300: nginx.conf needs worker_connections 856 (in events) and ' +
        "worker_rlimit_nofile 1712 (main context), which a site file cannot set; Debian's worker_connections 768 " +
        'holds at most 383 sockets, fewer with more than one listening socket ' +
        '(check: wss-conf lint /etc/nginx/nginx.conf --max-clients 300)',
    );
    expect(result.stdout).toContain(
      "# Debian's worker_connections 768 holds at most 383 sockets, fewer with more than one listening socket:\n" +
        "# the worker's channel to its master and every listening socket take a connection too.\n",
    );
    expect(result.stdout).toContain(
      '#   worker_rlimit_nofile 1712;\n#   events { worker_connections 856; }\n',
    );
    expect(result.stdout).toContain('--max-clients 300 --server-version 1.22.1');
  });

  it('apache: the event MPM settings', () => {
    const result = runCli([...site('apache'), '--max-clients', '10000']);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(
      'warning: --max-clients 10000: every socket holds an Apache worker thread; the event MPM needs ' +
        'ThreadsPerChild 64, MaxRequestWorkers 12544 and ServerLimit 392 server-wide, not in a site file, ' +
        'and a full restart after changing them (a reload ignores ServerLimit, AH00501); ' +
        "Debian's MaxRequestWorkers 150 holds 150 sockets",
    );
    expect(result.stdout).toContain('#   MaxRequestWorkers  12544\n#   ServerLimit        392\n');
    expect(result.stdout).toContain(
      '# A reload ignores a changed ServerLimit or ThreadLimit (AH00501): restart once after the edit.\n',
    );
  });

  it('--json adds { sizing } for scripts, only when --max-clients is given', () => {
    const sized = JSON.parse(runCli([...site('nginx'), '--max-clients', '10000', '--json']).stdout);
    expect(Object.keys(sized)).toEqual(['files', 'warnings', 'sizing']);
    expect(sized.sizing).toEqual({
      server: 'nginx',
      maxClients: 10000,
      connectionsPerSocket: 2,
      socketConnections: 20000,
      marginConnections: 5000,
      workerConnections: 25000,
      workerRlimitNofile: 50000,
    });
    const apache = JSON.parse(runCli([...site('apache'), '--max-clients', '300', '--json']).stdout);
    expect(apache.sizing).toMatchObject({ server: 'apache', maxRequestWorkers: 384, serverLimit: 12 });
    expect(Object.keys(JSON.parse(runCli([...site('nginx'), '--json']).stdout))).not.toContain('sizing');
  });

  it('warns when one backend address would need more local ports than Linux hands out', () => {
    const one = runCli([...site('nginx'), '--max-clients', '100000']);
    expect(one.stderr).toContain(
      'warning: --max-clients 100000: each backend would take 100000 sockets, but one proxy address reaches one ' +
        'backend address through at most 28232 local ports (net.ipv4.ip_local_port_range 32768-60999); ' +
        'give 4 or more --backend host:port pairs',
    );
    const four = runCli([
      ...site('nginx'),
      '--backend',
      '8283',
      '--backend',
      '8284',
      '--backend',
      '8285',
      '--max-clients',
      '100000',
    ]);
    expect(four.stderr).not.toContain('local ports');
  });

  it('--help tells nginx, apache, apply and lint about it', () => {
    for (const command of [['nginx'], ['apache'], ['apply'], ['lint']]) {
      expect(runCli([...command, '--help']).stdout).toContain('--max-clients <n>');
    }
  });
});
