/**
 * Clients as a browser would be one: every name resolves to loopback (the test network has nothing
 * else), but the real name is sent (SNI, Host) and the certificate is checked against the test CA only.
 */

import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { type ConnectionOptions, createServer as createTlsServer, connect as tlsConnect } from 'node:tls';
import WebSocket from 'ws';
import { loopbackLookup } from './loopback.js';
import type { TestCa } from './pki.js';

export function openSocket(
  ca: TestCa,
  host: string,
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`wss://${host}:${port}${path}`, {
      ca: ca.caPem,
      lookup: loopbackLookup,
      headers,
    });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

export const echo = (socket: WebSocket, text: string): Promise<string> =>
  new Promise((resolve, reject) => {
    socket.once('message', (data) => resolve(String(data)));
    socket.once('error', reject);
    socket.send(text);
  });

/** The TLS version agreed with 127.0.0.1:port for `servername`, or a rejection. */
export function tlsHandshake(port: number, servername: string, options: ConnectionOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername, ...options }, () => {
      const protocol = socket.getProtocol() ?? '';
      socket.end();
      resolve(protocol);
    });
    socket.once('error', reject);
  });
}

export interface Response {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

export function fetchOverTls(ca: TestCa, host: string, port: number, path: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    httpsRequest(
      { host: '127.0.0.1', port, path, servername: host, headers: { host }, ca: ca.caPem },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    )
      .once('error', reject)
      .end();
  });
}

/** What a client offering only TLS 1.0/1.1 sends (OpenSSL 3 refuses them at its default level). */
export const legacyTlsOptions = (ca: TestCa): ConnectionOptions => ({
  ca: ca.caPem,
  minVersion: 'TLSv1',
  maxVersion: 'TLSv1.1',
  ciphers: 'DEFAULT:@SECLEVEL=0',
});

/**
 * The control for "TLS 1.0/1.1 refused": the TLS version the legacy client agrees with a server that
 * allows those versions. Unless this says TLSv1 or TLSv1.1, a refusal elsewhere would prove nothing.
 */
export async function legacyTlsAgainstPermissiveServer(ca: TestCa, host: string): Promise<string> {
  const leaf = ca.issue(host);
  const permissive = createTlsServer({
    cert: readFileSync(leaf.cert),
    key: readFileSync(leaf.key),
    minVersion: 'TLSv1',
    ciphers: 'DEFAULT:@SECLEVEL=0',
  });
  await new Promise<void>((resolve) => permissive.listen(0, '127.0.0.1', resolve));
  try {
    const address = permissive.address();
    return await tlsHandshake(
      typeof address === 'object' && address ? address.port : 0,
      host,
      legacyTlsOptions(ca),
    );
  } finally {
    permissive.close();
  }
}
