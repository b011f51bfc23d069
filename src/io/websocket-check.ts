/**
 * The check `apply --verify` runs after a reload: a real WebSocket handshake (101) and a ping answered
 * by a pong, the way a browser would start, trusting the system store or --verify-ca.
 */
import { readFile } from 'node:fs/promises';

export interface WebSocketCheckOptions {
  readonly ca?: string;
  /** curl's HOST:PORT:ADDR: connect to ADDR whenever the URL names HOST (PORT may be `*`). */
  readonly resolve?: string;
  readonly timeoutMs?: number;
}

export interface WebSocketCheckResult {
  readonly ok: boolean;
  readonly detail: string;
}

export async function checkWebSocket(
  url: string,
  options: WebSocketCheckOptions = {},
): Promise<WebSocketCheckResult> {
  const { default: WebSocket } = await import('ws');
  const ca = options.ca ? await readFile(options.ca, 'utf8') : undefined;
  const [host, port, address] = options.resolve?.split(':') ?? [];
  const target = new URL(url);
  const lookup =
    address && host === target.hostname && (port === '*' || port === (target.port || '443'))
      ? (_name: string, lookupOptions: { all?: boolean }, callback: (...args: unknown[]) => void) =>
          lookupOptions?.all ? callback(null, [{ address, family: 4 }]) : callback(null, address, 4)
      : undefined;
  return new Promise((resolve) => {
    const socket = new WebSocket(url, {
      ca,
      lookup: lookup as never,
      handshakeTimeout: options.timeoutMs ?? 5000,
    });
    const finish = (result: WebSocketCheckResult) => {
      socket.terminate();
      resolve(result);
    };
    socket.once('unexpected-response', (_request, response) =>
      finish({ ok: false, detail: `HTTP ${response.statusCode} instead of 101 Switching Protocols` }),
    );
    socket.once('error', (error) => finish({ ok: false, detail: error.message }));
    socket.once('open', () => {
      socket.ping();
      socket.once('pong', () => finish({ ok: true, detail: '101 Switching Protocols, ping answered' }));
    });
  });
}
