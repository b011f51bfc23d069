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

export async function startPebble(httpPort: number): Promise<RunningPebble> {
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
