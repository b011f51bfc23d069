/**
 * What tls-ocsp-stapling may say about nginx, shown on the real nginx with a real OCSP responder
 * (`openssl ocsp` answering over HTTP) and a real TLS client that asks for a stapled response (node:tls
 * `requestOCSP`):
 *   - without `resolver`, nginx still staples: it resolves the responder's name (here `localhost`) once
 *     at start-up and, finding no resolver, logs "no resolver defined to resolve" and connects to that
 *     address (ngx_ssl_ocsp_request in ngx_event_openssl_stapling.c). So a missing resolver is no
 *     finding;
 *   - with `ssl_stapling_verify on` and no `ssl_trusted_certificate`, a response signed by the issuer
 *     itself verifies against the certificate chain (OCSP_basic_verify with OCSP_TRUSTOTHER), and is
 *     stapled; one signed by a delegated responder certificate cannot be verified and is not, until
 *     ssl_trusted_certificate names the CA. Which of the two a CA does is not in the config: an info.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { type ConnectionOptions, connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintPaths } from '../../src/commands/lint.js';
import { type IssuedCertificate, makeTestCa } from '../helpers/pki.js';
import { freePort, type RunningNginx, startNginx } from '../helpers/servers.js';
import { requireTool } from '../helpers/tools.js';

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });

/** openssl's index.txt line that says the certificate is valid ("V"). */
function indexLine(dir: string, cert: string): string {
  const text = openssl(
    ['x509', '-in', cert, '-noout', '-serial', '-enddate', '-subject', '-nameopt', 'compat'],
    dir,
  )
    .toString()
    .split('\n');
  const serial = (text.find((l) => l.startsWith('serial=')) ?? '').slice('serial='.length);
  const end = new Date((text.find((l) => l.startsWith('notAfter=')) ?? '').slice('notAfter='.length));
  const stamp = end.toISOString().replace(/[-:T]/g, '').slice(2, 14);
  const subject = (text.find((l) => l.startsWith('subject=')) ?? '').slice('subject='.length).trim();
  return `V\t${stamp}Z\t\t${serial}\tunknown\t/${subject.replace(/, /g, '/')}\n`;
}

/** An OCSP responder over HTTP: each request answered by `openssl ocsp`, signed by `signer`. */
function ocspResponder(dir: string, signer: IssuedCertificate): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request =
        req.method === 'GET'
          ? Buffer.from(decodeURIComponent((req.url ?? '/').slice(1)), 'base64')
          : Buffer.concat(chunks);
      const id = `ocsp-${Date.now()}-${Math.random().toString(36).slice(2)}`;
      writeFileSync(join(dir, `${id}.req`), request);
      openssl(
        [
          'ocsp',
          '-index',
          'index.txt',
          '-CA',
          'ca.pem',
          '-rsigner',
          signer.cert,
          '-rkey',
          signer.key,
          '-reqin',
          `${id}.req`,
          '-respout',
          `${id}.resp`,
          '-ndays',
          '1',
        ],
        dir,
      );
      res.writeHead(200, { 'content-type': 'application/ocsp-response' });
      res.end(readFileSync(join(dir, `${id}.resp`)));
    });
  });
}

/** Whether a handshake gets a stapled OCSP response. nginx fetches one after the first handshake
 *  asks, so this tries for a few seconds. */
async function stapled(port: number, name: string): Promise<boolean> {
  const once = () =>
    new Promise<boolean>((resolve, reject) => {
      let response: Buffer | null = null;
      // requestOCSP is a TLSSocket option tls.connect passes on; @types/node leaves it out here.
      const options: ConnectionOptions & { requestOCSP: boolean } = {
        host: '127.0.0.1',
        port,
        servername: name,
        requestOCSP: true,
        rejectUnauthorized: false,
      };
      const socket = connect(options);
      socket.on('OCSPResponse', (r: Buffer) => {
        response = r;
      });
      socket.on('secureConnect', () => {
        socket.end();
        resolve(response !== null && response.length > 0);
      });
      socket.on('error', reject);
    });
  for (let attempt = 0; attempt < 30; attempt++) {
    if (await once()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

const nginxTool = requireTool('nginx');
describe.skipIf(nginxTool.skip)(`OCSP stapling on the real nginx ${nginxTool.reason}`, () => {
  const ca = makeTestCa();
  const dir = ca.dir;
  const responders: Server[] = [];
  let nginx: RunningNginx | undefined;
  const ports = { issuerSigned: 0, delegated: 0, delegatedTrusted: 0 };
  let site = '';

  beforeAll(async () => {
    const byIssuer = await freePort();
    const byDelegate = await freePort();
    const leaf = (name: string, ocspPort: number) =>
      `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:${name}\nauthorityInfoAccess=OCSP;URI:http://localhost:${ocspPort}\n`;
    const leaves = {
      'issuer-signed.test': ca.issue('issuer-signed.test', {
        extensions: leaf('issuer-signed.test', byIssuer),
      }),
      'delegated.test': ca.issue('delegated.test', { extensions: leaf('delegated.test', byDelegate) }),
    };
    const responder = ca.issue('responder', {
      extensions: 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=OCSPSigning\n',
    });
    writeFileSync(
      join(dir, 'index.txt'),
      Object.values(leaves)
        .map((leafCert) => indexLine(dir, leafCert.cert))
        .join(''),
    );
    const chains: Record<string, string> = {};
    for (const [name, issued] of Object.entries(leaves)) {
      chains[name] = join(dir, `${name}.chain.pem`);
      writeFileSync(chains[name], readFileSync(issued.cert, 'utf8') + ca.caPem);
    }
    for (const [port, signer] of [
      [byIssuer, { cert: ca.caCert, key: join(dir, 'ca.key') }],
      [byDelegate, responder],
    ] as const) {
      const server = ocspResponder(dir, signer);
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      responders.push(server);
    }

    ports.issuerSigned = await freePort();
    ports.delegated = await freePort();
    ports.delegatedTrusted = await freePort();
    const server = (port: number, name: keyof typeof leaves, extra: string[]) => [
      'server {',
      `    listen 127.0.0.1:${port} ssl;`,
      `    server_name ${name};`,
      `    ssl_certificate     ${chains[name]};`,
      `    ssl_certificate_key ${leaves[name].key};`,
      '    ssl_stapling on;',
      '    ssl_stapling_verify on;',
      ...extra.map((line) => `    ${line}`),
      '    return 200;',
      '}',
    ];
    site = join(dir, 'site.conf');
    writeFileSync(
      site,
      [
        '# No resolver anywhere.',
        ...server(ports.issuerSigned, 'issuer-signed.test', []),
        ...server(ports.delegated, 'delegated.test', []),
        ...server(ports.delegatedTrusted, 'delegated.test', [`ssl_trusted_certificate ${ca.caCert};`]),
        '',
      ].join('\n'),
    );
    nginx = await startNginx([site], Object.values(ports));
  }, 60_000);

  afterAll(async () => {
    await nginx?.stop();
    for (const responder of responders) responder.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('staples without a resolver, and without ssl_trusted_certificate when the issuer signs', async () => {
    expect(await stapled(ports.issuerSigned, 'issuer-signed.test')).toBe(true);
    expect(nginx?.errorLog()).toContain('no resolver defined to resolve localhost');
  });

  it('does not staple a delegated responder answer without ssl_trusted_certificate, and does with it', async () => {
    expect(await stapled(ports.delegatedTrusted, 'delegated.test')).toBe(true);
    expect(await stapled(ports.delegated, 'delegated.test')).toBe(false);
  });

  it('lint: no warning for either; an info that a delegated responder needs ssl_trusted_certificate', () => {
    const findings = lintPaths([site]).findings.filter((finding) => finding.rule === 'tls-ocsp-stapling');
    expect(findings.map((finding) => `${finding.line} ${finding.severity}`)).toEqual(['7 info', '16 info']);
    expect(findings[0]?.message).not.toContain('resolver');
    expect(findings[0]?.message).toContain('delegated');
  });
});
