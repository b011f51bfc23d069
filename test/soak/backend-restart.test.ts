/**
 * Fault: the backend behind a generated nginx site is SIGKILLed, then started again on the same port.
 * Connected clients must see their sockets close, a client reconnecting meanwhile must get nginx's 502
 * (not a hang, not a 101 to nowhere), and once the backend listens again reconnecting must just work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { requireTool } from '../helpers/tools.js';
import { type EchoBackendProcess, startEchoBackendProcess } from './echo-backend-process.js';
import { type SoakStack, startSoakStack } from './generated-site.js';
import { echoRound, HandshakeRefused, openSockets, terminateAll } from './many-sockets.js';

const tool = requireTool('nginx');

const clientCount = 50;
const reconnectDelayMs = 100;

const log = (line: string) => console.info(`[fault backend] ${line}`);

interface Closed {
  readonly code: number;
  readonly reason: string;
  readonly afterMs: number;
}

/** A client's reconnect loop: tries every `delayMs` until a socket opens, noting each refusal's status. */
async function reconnectUntilOpen(
  open: () => Promise<WebSocket>,
  delayMs: number,
): Promise<{ refusals: number[]; socket: WebSocket; openedAt: number }> {
  const refusals: number[] = [];
  for (;;) {
    try {
      const socket = await open();
      return { refusals, socket, openedAt: Date.now() };
    } catch (error) {
      if (!(error instanceof HandshakeRefused)) throw error;
      refusals.push(error.status);
      if (refusals.length > 600) throw new Error(`still refused after ${refusals.length} attempts`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

describe.skipIf(tool.skip)('the backend killed and restarted behind a generated nginx site', () => {
  let stack: SoakStack;
  /** The backend now: the stack's until it is killed, then the one started again on its port. */
  let backend: EchoBackendProcess;
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    stack = await startSoakStack();
    backend = stack.backend;
  });

  afterAll(async () => {
    terminateAll(sockets);
    await stack?.stop();
    await backend?.kill();
  });

  it('clients see a 1006 close, reconnects get 502 while it is down, then reconnect and echo', async () => {
    const { nginx, open } = stack;
    const opened = await openSockets(clientCount, 25, open);
    sockets.push(...opened.sockets);
    expect(opened.failures).toEqual([]);
    expect((await echoRound(opened.sockets, 'before the crash', 10_000)).echoed).toBe(clientCount);

    const closes: Closed[] = [];
    const killedAt = Date.now();
    const allClosed = Promise.all(
      opened.sockets.map(
        (socket) =>
          new Promise<void>((resolve) =>
            socket.once('close', (code, reason) => {
              closes.push({ code, reason: String(reason), afterMs: Date.now() - killedAt });
              resolve();
            }),
          ),
      ),
    );
    const port = backend.port;
    await backend.kill();
    await Promise.race([allClosed, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    log(
      `after SIGKILL: ${closes.length}/${clientCount} clients closed, codes ${[...new Set(closes.map((c) => c.code))].join(', ')}, ` +
        `within ${Math.max(...closes.map((c) => c.afterMs))} ms`,
    );
    // nginx relays the upgraded bytes and knows nothing of WebSocket frames: when the upstream
    // connection ends it closes the client's TLS connection without a Close frame, which RFC 6455
    // §7.1.5 reports as 1006 (abnormal closure), with no reason.
    expect(closes).toHaveLength(clientCount);
    expect(closes.every((c) => c.code === 1006 && c.reason === '')).toBe(true);

    // A client retrying while nothing listens: nginx cannot connect upstream and answers 502.
    const reconnecting = reconnectUntilOpen(open, reconnectDelayMs);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const restartedAt = Date.now();
    backend = await startEchoBackendProcess(port);
    const reconnected = await reconnecting;
    sockets.push(reconnected.socket);
    log(
      `reconnect loop: ${reconnected.refusals.length} refusals (${[...new Set(reconnected.refusals)].join(', ')}), ` +
        `open ${reconnected.openedAt - restartedAt} ms after the restart began`,
    );
    expect(reconnected.refusals.length).toBeGreaterThanOrEqual(3);
    expect(reconnected.refusals.every((status) => status === 502)).toBe(true);
    expect(reconnected.openedAt).toBeGreaterThanOrEqual(restartedAt);
    expect(nginx.errorLog()).toMatch(
      /connect\(\) failed \(111: Connection refused\) while connecting to upstream/,
    );

    // Every client that lost its socket gets a working one back, on the same backend port.
    expect(backend.port).toBe(port);
    const again = await openSockets(clientCount, 25, open);
    sockets.push(...again.sockets);
    expect(again.failures).toEqual([]);
    expect(
      (await echoRound([reconnected.socket, ...again.sockets], 'after the restart', 10_000)).echoed,
    ).toBe(clientCount + 1);
    expect((await backend.stats()).open).toBe(clientCount + 1);
  }, 120_000);
});
