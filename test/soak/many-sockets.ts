/**
 * Many wss clients at once: opened with a bound on handshakes in flight (each TLS handshake costs CPU
 * on both sides, and 2 cores are shared with the rest of the suite), and echo rounds that count every
 * reply instead of stopping at the first one missing.
 */
import type { ClientRequestArgs } from 'node:http';
import { type ConnectionOptions, createSecureContext } from 'node:tls';
import WebSocket from 'ws';
import { loopbackLookup } from '../helpers/loopback.js';
import type { TestCa } from '../helpers/pki.js';

/** nginx answered the upgrade request with something other than 101. */
export class HandshakeRefused extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

/**
 * Opens wss://host:port/path like openSocket (test/helpers/wss-client.ts): names resolve to loopback,
 * the certificate is checked against the test CA and the name. All sockets share one TLS context;
 * building one per socket from the CA's PEM costs ~0.7 ms of CPU each, 7 s for 10,000.
 */
export function wssOpener(ca: TestCa, host: string, port: number, path = '/'): () => Promise<WebSocket> {
  // ws hands its options on to tls.connect, secureContext included, though @types/ws leaves it out.
  const options: ClientRequestArgs & Pick<ConnectionOptions, 'secureContext'> = {
    secureContext: createSecureContext({ ca: ca.caPem }),
    lookup: loopbackLookup,
  };
  return () =>
    new Promise((resolve, reject) => {
      const socket = new WebSocket(`wss://${host}:${port}${path}`, options);
      socket.once('open', () => resolve(socket));
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => {
        reject(new HandshakeRefused(response.statusCode ?? 0));
        // With a listener here, ws leaves the refused handshake to us: end it (its 'error' is expected).
        socket.terminate();
      });
    });
}

export interface OpenedSockets {
  readonly sockets: WebSocket[];
  /** One line per socket that did not open: these count as lost. */
  readonly failures: string[];
  readonly elapsedMs: number;
}

export async function openSockets(
  count: number,
  inFlight: number,
  open: (index: number) => Promise<WebSocket>,
): Promise<OpenedSockets> {
  const started = Date.now();
  const sockets: WebSocket[] = [];
  const failures: string[] = [];
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const index = next++;
      try {
        sockets.push(await open(index));
      } catch (error) {
        failures.push(`socket ${index}: ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, lane));
  return { sockets, failures, elapsedMs: Date.now() - started };
}

export interface EchoRound {
  /** Sockets whose message came back unchanged. */
  readonly echoed: number;
  /** Indexes of sockets with no reply by the deadline, or a different one. */
  readonly lost: number[];
  readonly elapsedMs: number;
}

/** Every socket sends its own message at once; waits for all replies or the deadline, then counts. */
export async function echoRound(
  sockets: readonly WebSocket[],
  label: string,
  timeoutMs: number,
): Promise<EchoRound> {
  const started = Date.now();
  const outcomes = await Promise.all(
    sockets.map(
      (socket, index) =>
        new Promise<boolean>((resolve) => {
          const expected = `${label} ${index}`;
          const timer = setTimeout(() => finish(false), timeoutMs);
          const onMessage = (data: WebSocket.RawData) => finish(String(data) === expected);
          const onClose = () => finish(false);
          function finish(ok: boolean) {
            clearTimeout(timer);
            socket.off('message', onMessage);
            socket.off('close', onClose);
            resolve(ok);
          }
          socket.once('message', onMessage);
          socket.once('close', onClose);
          socket.send(expected);
        }),
    ),
  );
  const lost = outcomes.flatMap((ok, index) => (ok ? [] : [index]));
  return { echoed: outcomes.length - lost.length, lost, elapsedMs: Date.now() - started };
}

/** Ends every socket at once without a closing handshake: cleanup, not something under test. */
export function terminateAll(sockets: readonly WebSocket[]): void {
  for (const socket of sockets) socket.terminate();
}
