/** `wss-conf cert` output, used for real: nginx serves it and a strict client that trusts only its CA talks wss. */

import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { runCli } from '../helpers/cli.js';
import { loopbackLookup } from '../helpers/loopback.js';
import { freePort, startEchoBackend, startNginx } from '../helpers/servers.js';
import { requireTool } from '../helpers/tools.js';

const openssl = requireTool('openssl');
const nginx = requireTool('nginx');
const lookup = loopbackLookup;

describe.skipIf(openssl.skip)('wss-conf cert', () => {
  it('writes a CA, a full chain whose SANs cover every domain, and a private key (ECDSA P-256)', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cert-test-')), 'certs');
    const result = runCli(['cert', '--domain', 'example.test', '--domain', '*.example.test', '--out', out]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`--cert ${join(out, 'cert.pem')} --key ${join(out, 'key.pem')}`);
    const chain =
      readFileSync(join(out, 'cert.pem'), 'utf8').match(
        /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g,
      ) ?? [];
    expect(chain).toHaveLength(2);
    const leaf = new X509Certificate(chain[0] as string);
    const ca = new X509Certificate(readFileSync(join(out, 'ca.pem')));
    expect(leaf.subjectAltName).toBe('DNS:example.test, DNS:*.example.test');
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.publicKey.asymmetricKeyType).toBe('ec');
    expect(statSync(join(out, 'key.pem')).mode & 0o777).toBe(0o600);
  });

  it('--json names the files, the domains and the validity', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cert-test-')), 'certs');
    const result = runCli(['cert', '--domain', 'json.test', '--out', out, '--days', '7', '--json']);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      files: {
        'ca.pem': join(out, 'ca.pem'),
        'cert.pem': join(out, 'cert.pem'),
        'key.pem': join(out, 'key.pem'),
      },
      domains: ['json.test'],
      days: 7,
    });
  });

  it('--quiet writes the files and prints nothing', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cert-test-')), 'certs');
    const result = runCli(['cert', '--domain', 'quiet.test', '--out', out, '--quiet']);
    expect(result).toMatchObject({ status: 0, stdout: '', stderr: '' });
    expect(new X509Certificate(readFileSync(join(out, 'cert.pem'))).subjectAltName).toBe('DNS:quiet.test');
  });

  it('makes RSA with --rsa, and refuses to overwrite without --force', () => {
    const out = mkdtempSync(join(tmpdir(), 'cert-test-'));
    expect(runCli(['cert', '--domain', 'a.test', '--out', out, '--rsa']).status).toBe(0);
    const first = readFileSync(join(out, 'cert.pem'), 'utf8');
    expect(new X509Certificate(first).publicKey.asymmetricKeyType).toBe('rsa');
    const refused = runCli(['cert', '--domain', 'a.test', '--out', out]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('exist; give --force to replace them');
    expect(readFileSync(join(out, 'cert.pem'), 'utf8')).toBe(first);
    expect(runCli(['cert', '--domain', 'a.test', '--out', out, '--force']).status).toBe(0);
    expect(readFileSync(join(out, 'cert.pem'), 'utf8')).not.toBe(first);
  });

  it('rejects a hostile domain like the generator does (exit 2, nothing written)', () => {
    const out = mkdtempSync(join(tmpdir(), 'cert-test-'));
    const result = runCli(['cert', '--domain', 'evil;}', '--out', out]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--domain: "evil;}" is not allowed');
  });

  it.skipIf(nginx.skip)(
    'works end to end: nginx serves it, a client trusting only its CA gets a wss echo',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cert-e2e-'));
      const certs = join(dir, 'certs');
      mkdirSync(certs);
      expect(runCli(['cert', '--domain', 'wss.example.test', '--out', certs]).status).toBe(0);
      const backend = await startEchoBackend();
      const tlsPort = await freePort();
      const site = join(dir, 'site.conf');
      const rendered = runCli([
        'nginx',
        '--domain',
        'wss.example.test',
        '--backend',
        String(backend.port),
        '--listen',
        `127.0.0.1:${tlsPort}`,
        '--no-redirect',
        '--cert',
        join(certs, 'cert.pem'),
        '--key',
        join(certs, 'key.pem'),
        '--out',
        site,
      ]);
      expect(rendered.stderr).toBe('');
      const server = await startNginx([site], [tlsPort]);
      try {
        const socket = new WebSocket(`wss://wss.example.test:${tlsPort}/`, {
          ca: readFileSync(join(certs, 'ca.pem')),
          lookup,
        });
        const reply = await new Promise<string>((resolve, reject) => {
          socket.once('open', () => socket.send('hello'));
          socket.once('message', (data) => resolve(String(data)));
          socket.once('error', reject);
        });
        expect(reply).toBe('hello');
        socket.close();
        // And a name that is not the site's fails: the generated site refuses the handshake for it
        // (ssl_reject_handshake) before the certificate, which does not cover it either, is shown.
        const wrong = new WebSocket(`wss://other.example.test:${tlsPort}/`, {
          ca: readFileSync(join(certs, 'ca.pem')),
          lookup,
        });
        await expect(
          new Promise((resolve, reject) => {
            wrong.once('open', resolve);
            wrong.once('error', reject);
          }),
        ).rejects.toThrow(/unrecognized name/i);
      } finally {
        await server.stop();
        await backend.stop();
      }
    },
  );

  it('--out naming an existing file: exit 2 naming it, nothing written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cert-test-'));
    const file = join(dir, 'a-file');
    writeFileSync(file, 'keep me');
    const result = runCli(['cert', '--domain', 'a.test', '--out', file]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`--out: ${file} is a file`);
    expect(readFileSync(file, 'utf8')).toBe('keep me');
    expect(readdirSync(dir)).toEqual(['a-file']);
  });

  it('--out under a file (ENOTDIR): exit 2 naming it, nothing written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cert-test-'));
    writeFileSync(join(dir, 'a-file'), '');
    const result = runCli(['cert', '--domain', 'a.test', '--out', join(dir, 'a-file', 'certs')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--out: .*a-file/);
    expect(readdirSync(dir)).toEqual(['a-file']);
  });

  it.skipIf(process.getuid?.() !== 0)(
    'a full disk: exit 1 naming ENOSPC, and no file at all (a rerun is not refused)',
    () => {
      const disk = mkdtempSync(join(tmpdir(), 'cert-disk-'));
      expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8k', 'tmpfs', disk]).status).toBe(0);
      try {
        // Room for one certificate file, not three: the old code wrote ca.pem and cert.pem.
        writeFileSync(join(disk, 'filler'), Buffer.alloc(4096));
        const out = join(disk, 'certs');
        const result = runCli(['cert', '--domain', 'a.test', '--out', out]);
        expect(result.status, result.stderr).toBe(1);
        expect(result.stderr).toMatch(/no space left on the device \(ENOSPC\)/);
        // The path, not "a file" (issue 13: the path and the cause).
        expect(result.stderr).toContain(`${out}/`);
        expect(result.stderr).not.toContain('This is a bug');
        expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
      } finally {
        spawnSync('umount', [disk]);
      }
    },
  );
});
