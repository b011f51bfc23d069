/**
 * Debian's ACME test stack on 127.0.0.1: pebble (Let's Encrypt's test CA) with its own TLS certificate
 * from the throwaway CA, validating HTTP-01 on `httpPort` (the site's plain-HTTP port), and
 * pebble-challtestsrv as its DNS server, answering 127.0.0.1 for every name.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestCa } from './pki.js';
import { freePort, waitForPort } from './servers.js';

export interface RunningPebble {
  /** The ACME directory URL. */
  readonly directory: string;
  /** The CA of pebble's own TLS certificate: --acme-ca-bundle. */
  readonly tlsCa: string;
  /** The root pebble signs certificates with (GET /roots/0 on the management port), PEM. */
  rootPem(): Promise<string>;
  stop(): Promise<void>;
}

export interface PebbleOptions {
  /**
   * The share of requests pebble answers with badNonce. pebble's default is 5 (PEBBLE_WFE_NONCEREJECT);
   * the tests pin it to 0 because Debian 12's certbot 2.1 on Python 3.11 crashes on any ACME error
   * document, badNonce included (certbot#9539, fixed in 2.2), which made a random 1 in 20 requests
   * fail a test. The badNonce test sets 100 to meet that crash on purpose.
   */
  readonly nonceRejectPercent?: number;
}

export async function startPebble(httpPort: number, options: PebbleOptions = {}): Promise<RunningPebble> {
  const dir = mkdtempSync(join(tmpdir(), 'wss-conf-pebble-'));
  const ca = makeTestCa();
  const tls = ca.issue('localhost', { altNames: ['localhost', '127.0.0.1'] });
  const [port, management, dns] = [await freePort(), await freePort(), await freePort()];
  const config = join(dir, 'pebble-config.json');
  writeFileSync(
    config,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${port}`,
        managementListenAddress: `127.0.0.1:${management}`,
        certificate: tls.cert,
        privateKey: tls.key,
        httpPort,
        tlsPort: await freePort(),
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
      },
    }),
  );
  const children: ChildProcess[] = [];
  const start = (bin: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
    const child = spawn(bin, args, { stdio: 'ignore', env: { ...process.env, ...env } });
    children.push(child);
  };
  start('pebble-challtestsrv', [
    '-defaultIPv4',
    '127.0.0.1',
    '-defaultIPv6',
    '',
    '-dns01',
    `127.0.0.1:${dns}`,
    '-http01',
    '',
    '-https01',
    '',
    '-tlsalpn01',
    '',
    '-management',
    `127.0.0.1:${await freePort()}`,
  ]);
  // No sleep before validating, and a new authorization for every order (renewals really validate).
  start('pebble', ['-config', config, '-dnsserver', `127.0.0.1:${dns}`], {
    PEBBLE_VA_NOSLEEP: '1',
    PEBBLE_AUTHZREUSE: '0',
    PEBBLE_WFE_NONCEREJECT: String(options.nonceRejectPercent ?? 0),
  });
  const stop = async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  };
  try {
    await waitForPort(port);
    await waitForPort(management);
  } catch (error) {
    await stop();
    throw error;
  }
  const agent = new Agent({ ca: ca.caPem });
  return {
    directory: `https://127.0.0.1:${port}/dir`,
    tlsCa: ca.caCert,
    rootPem: () =>
      new Promise((resolve, reject) => {
        get(`https://127.0.0.1:${management}/roots/0`, { agent }, (res) => {
          let text = '';
          res.on('data', (chunk) => {
            text += chunk;
          });
          res.on('end', () => resolve(text));
        }).on('error', reject);
      }),
    stop,
  };
}

/** What the stub ACME server answers to a new order: an RFC 8555 problem document. */
export interface AcmeProblem {
  readonly status: number;
  readonly type: string;
  readonly detail: string;
}

/**
 * An ACME server in miniature (RFC 8555 §7.1): a directory, nonces and an account that registers,
 * then `orderProblem` for every new order. It checks no signature: it exists to make certbot meet an
 * error document after the account step, where pebble cannot be told to fail.
 */
export async function startAcmeStub(
  orderProblem: AcmeProblem,
): Promise<{ directory: string; tlsCa: string; stop(): Promise<void> }> {
  const ca = makeTestCa();
  const leaf = ca.issue('localhost', { altNames: ['127.0.0.1'] });
  const { createServer } = await import('node:https');
  const { readFileSync } = await import('node:fs');
  let nonce = 0;
  const server = createServer({ cert: readFileSync(leaf.cert), key: readFileSync(leaf.key) }, (req, res) => {
    const base = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
    res.setHeader('replay-nonce', `stub-nonce-${++nonce}`);
    res.setHeader('cache-control', 'no-store');
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    req.resume();
    req.on('end', () => {
      if (req.url === '/dir') {
        json(200, {
          newNonce: `${base}/nonce`,
          newAccount: `${base}/account`,
          newOrder: `${base}/order`,
          revokeCert: `${base}/revoke`,
          keyChange: `${base}/key-change`,
        });
      } else if (req.url === '/nonce') {
        res.writeHead(req.method === 'HEAD' ? 200 : 204);
        res.end();
      } else if (req.url === '/account') {
        json(201, { status: 'valid', orders: `${base}/orders` }, { location: `${base}/account/1` });
      } else if (req.url === '/order') {
        res.writeHead(orderProblem.status, { 'content-type': 'application/problem+json' });
        res.end(JSON.stringify(orderProblem));
      } else {
        json(404, { type: 'urn:ietf:params:acme:error:malformed', detail: 'not here', status: 404 });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    directory: `https://127.0.0.1:${(server.address() as { port: number }).port}/dir`,
    tlsCa: ca.caCert,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
