/**
 * `--runbook` through the real binary, and its commands run for real: the render line gives the same
 * bytes, `wss-conf check` passes on that file, and the curl handshake check tells a WebSocket backend
 * (101) from one that is not.
 */
import { exec, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capacityFindings, runCli, runCliAsync } from '../helpers/cli.js';
import { shellLines } from '../helpers/markdown.js';
import { startEchoBackend } from '../helpers/servers.js';
import { inCi, requireTool } from '../helpers/tools.js';

const dir = mkdtempSync(join(tmpdir(), 'wss-conf-runbook-'));
const flags = [
  '--domain',
  'example.com',
  '--backend',
  '8282',
  '--path',
  '/wss',
  '--server-version',
  '1.22.1',
  '--openssl-version',
  '3.0.0',
];
/** The runbook's own `wss-conf …` line, as arguments for the binary under test. */
const argsOf = (line: string): string[] => line.replace(/^wss-conf /, '').split(' ');

const nginx = requireTool('nginx');
const hasCurl = spawnSync('curl', ['--version'], { stdio: 'ignore' }).error === undefined;
if (!hasCurl && inCi) throw new Error('curl is not installed, and CI=true requires it (see .ci/run)');

describe('wss-conf nginx --runbook', () => {
  it('prints markdown instead of the config; its render line gives the same bytes as the flags', () => {
    const result = runCli(['nginx', ...flags, '--runbook']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^# Deploy wss:\/\/example\.com\/wss on nginx\n/);
    const render = shellLines(result.stdout).find((line) => line.startsWith('wss-conf nginx'));
    expect(render).toBeDefined();
    const out = join(dir, 'rendered.conf');
    const args = argsOf(render as string).map((arg) => (arg === 'example.com.conf' ? out : arg));
    expect(runCli(args).status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(runCli(['nginx', ...flags]).stdout);
  });

  it.skipIf(nginx.skip)('its check line passes on the installed file', () => {
    const out = join(dir, 'checked.conf');
    const runbook = runCli(['nginx', ...flags, '--out', out, '--runbook']).stdout;
    expect(shellLines(runbook)).toContain(
      `install -m 644 ${out} /etc/nginx/sites-available/example.com.conf`,
    );
    const check = shellLines(runbook).find((line) => line.startsWith('wss-conf check')) as string;
    const args = argsOf(check).map((arg) => (arg.startsWith('/etc/nginx/') ? out : arg));
    const result = runCli(args);
    expect(result.stdout).toBe(`${out}: nginx config test passed\n`);
  });

  it('--json carries it as one more key', () => {
    const parsed = JSON.parse(runCli(['nginx', ...flags, '--runbook', '--json']).stdout);
    expect(Object.keys(parsed)).toEqual(['files', 'warnings', 'runbook']);
    expect(parsed.runbook).toBe(runCli(['nginx', ...flags, '--runbook']).stdout);
  });

  it.skipIf(!hasCurl)(
    'its curl line prints 101 for a WebSocket backend and not for a plain one',
    async () => {
      const backend = await startEchoBackend();
      const plain = createServer((_req, res) => res.end('not a websocket\n'));
      await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
      const plainPort = (plain.address() as { port: number }).port;
      try {
        const curlFor = async (port: number) => {
          const { stdout } = await runCliAsync([
            'nginx',
            ...flags.map((flag) => (flag === '8282' ? String(port) : flag)),
            '--runbook',
          ]);
          return shellLines(stdout).find((line) => line.startsWith('curl')) as string;
        };
        // curl exits 28 after --max-time, as the 101 leaves the connection open; the status line counts.
        const run = (line: string) =>
          new Promise<string>((resolve) => exec(line, (_error, stdout) => resolve(stdout)));
        expect(await run(await curlFor(backend.port))).toBe('HTTP/1.1 101 Switching Protocols\r\n');
        expect(await run(await curlFor(plainPort))).toBe('HTTP/1.1 200 OK\r\n');
      } finally {
        await backend.stop();
        plain.close();
      }
    },
  );
});

describe('--runbook with --max-clients: the server-wide settings, which lint then accepts', () => {
  const fenced = (markdown: string, language: string): string =>
    (new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(markdown)?.[1] ?? '') as string;

  it.each([
    ['nginx', 'nginx', 'nginx.conf'],
    ['apache', 'apache', 'mpm_event.conf'],
  ])('%s: the settings it prints hold the sockets, and not four times as many', (server, language, name) => {
    const runbook = runCli([server, ...flags.slice(0, 4), '--max-clients', '3000', '--runbook']).stdout;
    const settings = fenced(runbook, language);
    expect(settings).not.toBe('');
    const file = join(dir, `${server}-${name}`);
    writeFileSync(file, settings);
    expect(shellLines(runbook)).toContain(
      `wss-conf lint /etc/${server === 'nginx' ? 'nginx/nginx.conf' : 'apache2/mods-available/mpm_event.conf'} --max-clients 3000`,
    );
    expect(capacityFindings(file, 3000)).toEqual([]);
    expect(capacityFindings(file, 12000)).not.toEqual([]);
  });

  it('says nothing of sizing without --max-clients', () => {
    expect(runCli(['nginx', ...flags, '--runbook']).stdout).not.toContain('worker_connections');
  });
});
