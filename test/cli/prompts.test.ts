/**
 * Missing options: asked for on a terminal (a real pseudo-terminal, tmux), never anywhere else. The
 * prompted file must be byte-identical to the one the same options give as flags.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mayPrompt } from '../../src/io/prompts.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { shellQuote, startTerminal, type Terminal } from '../helpers/pty.js';
import { requireTool } from '../helpers/tools.js';

const dir = mkdtempSync(join(tmpdir(), 'wss-conf-prompts-'));
const bin = join(repoRoot, 'bin', 'wss-conf.js');
const nginxVersions = ['--server-version', '1.26.0', '--openssl-version', '3.0.0'];
const apacheVersions = ['--server-version', '2.4.58', '--openssl-version', '3.0.0'];
let outputs = 0;
/** A fresh path in `dir` for each call, so no test can read another's file. */
const outFile = (name: string) => {
  outputs += 1;
  return join(dir, `${outputs}-${name}`);
};

/** The environment a person at a terminal would have: no CI, no colour (the screen is compared as text). */
const { CI: _ci, TMUX: _tmux, ...personEnv } = process.env;
const terminalEnv = { ...personEnv, NO_COLOR: '1' };

/** The schema's own message for `args`, as the flags path reports it off a terminal. */
const flagProblem = (args: string[], option: string): string => {
  const result = runCli(args);
  expect(result.status).toBe(2);
  const line = result.stderr
    .split('\n')
    .map((l) => l.replace(/^error: /, ''))
    .find((l) => l.startsWith(`${option}:`));
  if (!line) throw new Error(`no ${option} problem in:\n${result.stderr}`);
  return line;
};

/** The file the flags alone render, which the prompted one must equal byte for byte. */
const renderedByFlags = (args: string[]): string => {
  const result = runCli(args);
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
};

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('when a prompt may be shown', () => {
  const terminal = { isTTY: true };
  const pipe = { isTTY: false };
  it.each([
    ['CI unset, both terminals', true, {}, {}, terminal, terminal],
    ['CI empty', true, {}, { CI: '' }, terminal, terminal],
    ['CI=false', true, {}, { CI: 'false' }, terminal, terminal],
    ['CI=true', false, {}, { CI: 'true' }, terminal, terminal],
    ['CI=1', false, {}, { CI: '1' }, terminal, terminal],
    ['--json', false, { json: true }, {}, terminal, terminal],
    ['stdin a pipe', false, {}, {}, pipe, terminal],
    ['stderr a pipe', false, {}, {}, terminal, pipe],
  ])('%s: prompt %s', (_, expected, flags, env, stdin, stderr) => {
    expect(mayPrompt(flags, env, stdin, stderr)).toBe(expected);
  });
});

describe('off a terminal: no prompt, every missing flag named, exit 2, nothing written', () => {
  it.each(['nginx', 'apache'])('%s without --domain and --backend', (server) => {
    const out = outFile(`${server}.conf`);
    const result = runCli([server, '--out', out]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--domain is required');
    expect(result.stderr).toContain('--backend is required');
    expect(result.stderr).not.toContain('missing; answer below');
    expect(existsSync(out)).toBe(false);
  });

  it('names only what the flags and --config together leave out', () => {
    const config = join(dir, 'domain-only.json');
    writeFileSync(config, JSON.stringify({ domain: 'example.com' }));
    const result = runCli(['nginx', '--config', config]);
    expect(result.status).toBe(2);
    expect(result.stderr).not.toContain('--domain is required');
    expect(result.stderr).toContain('--backend is required');
  });
});

const tmux = requireTool('tmux');

describe.skipIf(tmux.skip)('on a terminal (tmux)', () => {
  let terminal: Terminal | undefined;
  const start = (commandLine: string, env: NodeJS.ProcessEnv = terminalEnv) => {
    terminal = startTerminal(commandLine, env);
    return terminal;
  };
  const cli = (...args: string[]) => [process.execPath, bin, ...args].map(shellQuote).join(' ');
  afterEach(() => terminal?.close());

  it('asks for what is missing, re-asks a bad answer with the schema message, and renders what the flags render', async () => {
    // stdout goes to a file, as in `wss-conf nginx > site.conf`: the prompts are on stderr.
    const out = outFile('prompted-nginx.conf');
    const t = start(`${cli('nginx', ...nginxVersions)} > ${shellQuote(out)}`);
    await t.waitFor('--domain and --backend are missing');
    await t.waitFor('? Domain name(s)');
    t.answer('example.com www.example.com');
    await t.waitFor('? ws:// backend(s)');
    t.answer('70000');
    const refusal = flagProblem(['nginx', '--domain', 'example.com', '--backend', '70000'], '--backend');
    expect(refusal).toContain('"70000" is not allowed; use a port (1-65535)');
    await t.waitFor(`> ${refusal}`);
    t.press('C-u'); // the refused answer stays on the line to be corrected; clear it
    t.answer('8282');
    await t.waitFor('? URL path of the WebSocket: (/)');
    t.answer('/ws');
    // certbot names the lineage after the first domain
    await t.waitFor('? Certificate file (full chain): (/etc/letsencrypt/live/example.com/fullchain.pem)');
    t.answer('');
    await t.waitFor('? Private key file: (/etc/letsencrypt/live/example.com/privkey.pem)');
    t.answer('');
    await t.waitFor('? Directory of static files');
    t.answer('/var/www/app');
    await t.waitFor('? URL prefix of the static files: (/static/)');
    t.answer('');
    await t.waitFor('? CDN or load balancer in front');
    t.answer('10.0.0.0/8, 2001:db8::/32');
    expect(await t.exitStatus()).toBe(0);

    expect(readFileSync(out, 'utf8')).toBe(
      renderedByFlags([
        'nginx',
        '--domain',
        'example.com',
        '--domain',
        'www.example.com',
        '--backend',
        '8282',
        '--path',
        '/ws',
        '--static-dir',
        '/var/www/app',
        '--trusted-proxy',
        '10.0.0.0/8',
        '--trusted-proxy',
        '2001:db8::/32',
        ...nginxVersions,
      ]),
    );
  });

  it('asks only for what is not given, catches a name typed twice, and takes typed certificate paths', async () => {
    const out = outFile('prompted-apache.conf');
    const t = start(cli('apache', '--path', '/wss', ...apacheVersions, '--out', out));
    await t.waitFor('? Domain name(s)');
    t.answer('example.com EXAMPLE.com');
    await t.waitFor('? ws:// backend(s)');
    t.answer('127.0.0.1:9000 9001');
    // Only after both are known can the schema see the repeated name: the domain is asked again.
    const twice = flagProblem(
      ['apache', '--domain', 'example.com', '--domain', 'EXAMPLE.com', '--backend', '9000'],
      '--domain',
    );
    await t.waitFor(twice);
    await t.waitFor(/\? Domain name\(s\), separated by spaces: *$/m);
    t.answer('example.com www.example.com');
    await t.waitFor('? Certificate file (full chain)');
    t.answer('/srv/tls/example.com.pem');
    await t.waitFor('? Private key file');
    t.answer('/srv/tls/example.com.key');
    await t.waitFor('? Directory of static files');
    t.answer(''); // optional: none
    await t.waitFor('? CDN or load balancer in front');
    t.answer(''); // optional: none, the proxy is the edge
    expect(await t.exitStatus()).toBe(0);
    expect(t.screen()).not.toContain('URL path of the WebSocket');
    expect(t.screen()).not.toContain('URL prefix of the static files');

    expect(readFileSync(out, 'utf8')).toBe(
      renderedByFlags([
        'apache',
        '--domain',
        'example.com',
        '--domain',
        'www.example.com',
        '--backend',
        '127.0.0.1:9000',
        '--backend',
        '9001',
        '--path',
        '/wss',
        '--cert',
        '/srv/tls/example.com.pem',
        '--key',
        '/srv/tls/example.com.key',
        ...apacheVersions,
      ]),
    );
  });

  it('Ctrl+C at a prompt: exit 2, nothing written', async () => {
    const out = outFile('cancelled.conf');
    const t = start(cli('nginx', '--domain', 'example.com', '--out', out));
    await t.waitFor('--backend is missing');
    await t.waitFor('? ws:// backend(s)');
    t.press('C-c');
    expect(await t.exitStatus()).toBe(2);
    expect(t.screen()).toContain('error: --backend: no answer (the prompt was closed); nothing written');
    expect(t.screen()).not.toContain('This is a bug');
    expect(existsSync(out)).toBe(false);
  });

  it('apply asks too: the file it would install has the answered domain', async () => {
    const target = outFile('applied.conf');
    const t = start(
      cli(
        'apply',
        'nginx',
        '--backend',
        '8282',
        '--path',
        '/ws',
        '--target',
        target,
        '--dry-run',
        ...nginxVersions,
      ),
    );
    await t.waitFor('--domain is missing');
    await t.waitFor('? Domain name(s)');
    t.answer('apply.example.com');
    await t.waitFor('? Certificate file (full chain)');
    t.answer('');
    await t.waitFor('? Private key file');
    t.answer('');
    await t.waitFor('? Directory of static files');
    t.answer('');
    await t.waitFor('? CDN or load balancer in front');
    t.answer('');
    expect(await t.exitStatus()).toBe(0);
    expect(t.screen()).toContain('+#   wss-conf nginx --domain apply.example.com --backend 8282 --path /ws');
    expect(existsSync(target)).toBe(false); // --dry-run
  });

  it('asks nothing when every required option is given', async () => {
    const out = outFile('complete.conf');
    const t = start(
      cli('nginx', '--domain', 'example.com', '--backend', '8282', ...nginxVersions, '--out', out),
    );
    expect(await t.exitStatus()).toBe(0);
    expect(t.screen()).not.toContain('missing; answer below');
    expect(readFileSync(out, 'utf8')).toBe(
      renderedByFlags(['nginx', '--domain', 'example.com', '--backend', '8282', ...nginxVersions]),
    );
  });

  // Each row is a terminal session where a prompt must not appear; the missing flags are named instead.
  it.each([
    ['CI=true', [], '', { CI: 'true' }],
    ['CI=1', [], '', { CI: '1' }],
    ['--json', ['--json'], '', {}],
    ['stdin is not a terminal', [], ' < /dev/null', {}],
    ['stderr is not a terminal', [], ' 2> "$ERR"', {}],
    ['a given value is bad', ['--tls', 'bogus'], '', {}],
  ])('no prompt when %s: exit 2, both flags named, nothing written', async (_, extra, redirect, env) => {
    const out = outFile('not-prompted.conf');
    const err = outFile('stderr.txt');
    const t = start(`${cli('nginx', ...extra, '--out', out)}${redirect}`, {
      ...terminalEnv,
      ERR: err,
      ...env,
    });
    expect(await t.exitStatus(15000)).toBe(2);
    const stderr = redirect.includes('2>') ? readFileSync(err, 'utf8') : t.screen();
    expect(stderr).toContain('--domain is required');
    expect(stderr).toContain('--backend is required');
    expect(stderr).not.toContain('missing; answer below');
    expect(existsSync(out)).toBe(false);
  });
});

describe('startup: @inquirer/prompts loads only to prompt', () => {
  // Logs every module the CLI loads: a module resolve hook (node:module register, Node 20.6+) sees the
  // ESM imports, and Module._resolveFilename the require()s, which the hook does not see in Node 20 and
  // which a static import of @inquirer/prompts would become in the CommonJS bundles.
  const logLoads = join(dir, 'log-loads.mjs');
  writeFileSync(
    logLoads,
    `import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (...args) {
  const file = resolveFilename.apply(this, args);
  appendFileSync(process.env.LOADS_LOG, file + '\\n');
  return file;
};
register(
  'data:text/javascript,' +
    encodeURIComponent(\`import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(log, result.url + '\\\\n');
  return result;
}\`),
  { data: { log: process.env.LOADS_LOG } },
);
`,
  );
  const loadsOf = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8') : '');
  let terminal: Terminal | undefined;
  afterEach(() => terminal?.close());

  it('a plain render never imports it', () => {
    const log = outFile('plain-loads.txt');
    // The command bench/startup.mjs times.
    const result = runCli(['nginx', '--domain', 'example.com', '--backend', '8282'], {
      env: { NODE_OPTIONS: `--import ${logLoads}`, LOADS_LOG: log },
    });
    expect(result.status).toBe(0);
    // The render bundle is require()d: the log sees CommonJS loads, where a static import would show.
    expect(loadsOf(log)).toContain(join('dist', 'render', 'nginx.cjs'));
    expect(loadsOf(log)).not.toContain('@inquirer');
  });

  // The control for the test above: without it, a hook that logs nothing would pass that test.
  it.skipIf(tmux.skip)('a render that prompts does (so the hook above sees it)', async () => {
    const log = outFile('prompt-loads.txt');
    terminal = startTerminal(
      [process.execPath, '--import', logLoads, bin, 'nginx'].map(shellQuote).join(' '),
      {
        ...terminalEnv,
        LOADS_LOG: log,
      },
    );
    await terminal.waitFor('? Domain name(s)');
    terminal.press('C-c');
    expect(await terminal.exitStatus()).toBe(2);
    expect(loadsOf(log)).toContain('@inquirer/prompts');
  });
});
