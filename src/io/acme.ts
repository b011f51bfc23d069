/**
 * What `apply --acme` does outside the server: certbot's directories and webroot, the webroot check,
 * certbot itself (execa, an argument array, never a shell string), and reading certificates.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:tls';
import { certbotCrashedOnAcmeError, lastAcmeErrorInLog } from '../core/acme.js';
import type { AcmeOptions, Endpoint, GenerationOptions } from '../core/options.js';

export const challengeDir = (acme: AcmeOptions): string => `${acme.webroot}/.well-known/acme-challenge`;
export const liveDir = (acme: AcmeOptions, name: string): string => `${acme.dir}/live/${name}`;

/**
 * certbot's config directory and webroot. The server's workers (www-data, nobody) must read the
 * challenge files: a private 0700 directory made Apache answer 403, so the directory gets o+x (enter,
 * not list) and the webroot is world-readable. certbot keeps its private keys 0700 below it anyway.
 */
export async function prepareWebroot(acme: AcmeOptions): Promise<void> {
  await mkdir(challengeDir(acme), { recursive: true, mode: 0o755 });
  const { mode } = await import('node:fs/promises').then((fs) => fs.stat(acme.dir));
  await chmod(acme.dir, mode | 0o001);
  for (const dir of [acme.webroot, `${acme.webroot}/.well-known`, challengeDir(acme)])
    await chmod(dir, 0o755);
}

/** The plain-HTTP listener as a client reaches it: a wildcard listener is reached on 127.0.0.1. */
const reachable = (endpoint: Endpoint): { host: string; port: number } => ({
  host:
    endpoint.host === undefined || endpoint.host === '0.0.0.0'
      ? '127.0.0.1'
      : endpoint.host === '[::]'
        ? '::1'
        : endpoint.host.replace(/^\[|\]$/g, ''),
  port: endpoint.port,
});

/** Puts a test file in the webroot and fetches it as the CA would (Host: the first --domain). */
export async function checkWebroot(options: GenerationOptions): Promise<{ ok: boolean; detail: string }> {
  const acme = options.acme as AcmeOptions;
  const name = `wss-conf-check-${randomBytes(8).toString('hex')}`;
  const file = `${challengeDir(acme)}/${name}`;
  const body = randomBytes(16).toString('hex');
  await writeFile(file, body, { mode: 0o644 });
  const { host, port } = reachable(options.redirectListen as Endpoint);
  const path = `/.well-known/acme-challenge/${name}`;
  const url = `http://${options.domains[0]}${port === 80 ? '' : `:${port}`}${path}`;
  try {
    for (let attempt = 0; ; attempt++) {
      const answer = await httpGet(host, port, path, options.domains[0] as string).catch((error: Error) => ({
        status: 0,
        text: error.message,
      }));
      if (answer.status === 200 && answer.text === body)
        return { ok: true, detail: `${url}: 200, the test file` };
      if (attempt >= 4) {
        const why =
          answer.status === 403
            ? `403: the server's worker user cannot read ${acme.webroot}; give it read access (and x on every parent directory)`
            : answer.status === 0
              ? answer.text
              : `${answer.status} instead of the test file`;
        return { ok: false, detail: `${url} (on ${host}:${port}): ${why}` };
      }
      // A reload is asynchronous: the old workers may answer the first request.
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  } finally {
    await rm(file, { force: true });
  }
}

function httpGet(
  host: string,
  port: number,
  path: string,
  hostHeader: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, headers: { host: hostHeader }, timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** certbot's work and logs directories, inside --acme-dir so it never writes outside it. */
export const certbotDirs = (acme: AcmeOptions) => ({
  work: `${acme.dir}/.wss-conf-work`,
  logs: `${acme.dir}/.wss-conf-logs`,
});

export function certbotArgs(options: GenerationOptions): string[] {
  const acme = options.acme as AcmeOptions;
  const dirs = certbotDirs(acme);
  return [
    'certonly',
    '--webroot',
    '-w',
    acme.webroot,
    '--cert-name',
    options.domains[0] as string,
    ...options.domains.flatMap((domain) => ['-d', domain]),
    // Adding a name to an existing lineage replaces its certificate instead of asking.
    '--expand',
    // certonly on an existing lineage runs renewal-hooks/deploy/ too, and ours would check the TLS
    // listener while the stand-in holds the site and put the old certificate back: apply tests,
    // reloads and checks the served certificate itself right after.
    '--no-directory-hooks',
    '--config-dir',
    acme.dir,
    '--work-dir',
    dirs.work,
    '--logs-dir',
    dirs.logs,
    '--server',
    acme.server,
    ...(acme.email === undefined ? ['--register-unsafely-without-email'] : ['--email', acme.email]),
    '--agree-tos',
    '--non-interactive',
  ];
}

export interface CertbotOutcome {
  readonly ok: boolean;
  readonly command: string;
  readonly output: string;
  /** The CA's error from certbot's debug log, when certbot crashed before printing it (certbot#9539). */
  readonly acmeError?: string;
}

export async function runCertbot(options: GenerationOptions): Promise<CertbotOutcome> {
  const acme = options.acme as AcmeOptions;
  const args = certbotArgs(options);
  const { execa } = await import('execa');
  const result = await execa('certbot', args, {
    reject: false,
    all: true,
    timeout: 300_000,
    // requests (certbot's HTTP library) trusts this bundle instead of the system's (requests docs, "SSL Cert Verification").
    env: acme.caBundle === undefined ? {} : { REQUESTS_CA_BUNDLE: acme.caBundle },
  });
  const output = (result.all ?? '').trim() || (result.shortMessage ?? '');
  const command = ['certbot', ...args].join(' ');
  if (result.exitCode === 0 || !certbotCrashedOnAcmeError(output)) {
    return { ok: result.exitCode === 0, command, output };
  }
  // certbot rotates its log at start (letsencrypt.log.1, …): letsencrypt.log is this run's.
  const log = await readFile(`${certbotDirs(acme).logs}/letsencrypt.log`, 'utf8').catch(() => '');
  return { ok: false, command, output, acmeError: lastAcmeErrorInLog(log) };
}

/** The DNS names of a PEM certificate file, or undefined when there is none. */
export function certificateNames(file: string): string[] | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const cert = new X509Certificate(readFileSync(file));
    return (cert.subjectAltName ?? '')
      .split(', ')
      .filter((entry) => entry.startsWith('DNS:'))
      .map((entry) => entry.slice(4).toLowerCase());
  } catch {
    return undefined;
  }
}

/**
 * Why `file` cannot be certbot's REQUESTS_CA_BUNDLE, or undefined. Python's requests (OpenSSL with
 * X509_V_FLAG_PARTIAL_CHAIN off) trusts only CA certificates in it: a leaf alone fails verification.
 */
export async function caBundleProblem(file: string): Promise<string | undefined> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    return `cannot be read (${error.code ?? error.message})`;
  });
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    return text.startsWith('cannot be read') ? text : 'holds no PEM certificate';
  }
  const pems = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const cas = pems.filter((pem) => {
    try {
      return new X509Certificate(pem).ca;
    } catch {
      return false;
    }
  });
  return cas.length === 0
    ? "holds no CA certificate (only a server's own), which certbot's HTTP library does not trust; give the CA that signed the ACME server's certificate"
    : undefined;
}

/** Whether the TLS listener serves `certFile`'s certificate for the first --domain, tried a few times. */
export async function servedMatches(
  options: GenerationOptions,
  certFile: string,
): Promise<{ ok: boolean; detail: string }> {
  const expected = new X509Certificate(readFileSync(certFile));
  const { host, port } = reachable(options.listen);
  let detail = '';
  for (let attempt = 0; attempt < 10; attempt++) {
    const served = await servedCertificate(host, port, options.domains[0] as string).catch(
      (error: Error) => error.message,
    );
    if (typeof served !== 'string' && served.raw.equals(expected.raw)) {
      return {
        ok: true,
        detail: `${host}:${port} serves ${certFile} (serial ${expected.serialNumber}, ${expected.issuer.split('\n').join(', ')})`,
      };
    }
    detail =
      typeof served === 'string'
        ? `${host}:${port}: ${served}`
        : `${host}:${port} serves serial ${served.serialNumber}, not ${certFile} (serial ${expected.serialNumber})`;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return { ok: false, detail };
}

function servedCertificate(host: string, port: number, servername: string): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, servername, rejectUnauthorized: false, timeout: 5000 }, () => {
      const raw = socket.getPeerCertificate().raw;
      socket.destroy();
      if (!raw) reject(new Error('no certificate served'));
      else resolve(new X509Certificate(raw));
    });
    socket.on('timeout', () => socket.destroy(new Error('timed out')));
    socket.on('error', reject);
  });
}
