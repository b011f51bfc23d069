/**
 * A hostile server writes terminal escapes into what probe prints (the Server header, a redirect's
 * Location, a close reason): the text report and the one-line summary show them escaped, never raw.
 */
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { runProbe } from '../../src/commands/probe.js';
import { isProblemFound } from '../../src/core/errors.js';
import { type Stoppable, startRawServer } from '../helpers/probe.js';

// Retitle the terminal (OSC 0), hide what follows (SGR 8), write the clipboard (OSC 52), CSI as the
// one C1 character U+009B, DEL, and a bidirectional override.
const hostile = '\u001b]0;pwned\u0007\u001b[8mhidden\u001b]52;c;ZWNobyBldmls\u0007\u009b2J\u007f\u202e';
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

const servers: Stoppable[] = [];
afterAll(async () => {
  for (const server of servers) await server.stop();
});

async function serve(answer: (request: string) => Buffer): Promise<number> {
  const server = await startRawServer((socket) => {
    let request = '';
    socket.on('data', (chunk) => {
      if (request.includes('\r\n\r\n')) return;
      request += chunk.toString('latin1');
      if (request.includes('\r\n\r\n')) socket.write(answer(request));
    });
  });
  servers.push(server);
  return server.port;
}

/** What `wss-conf probe <url>` prints as text, stdout and the stderr summary. */
async function textOutput(url: string): Promise<{ stdout: string; stderr: string }> {
  try {
    const result = await runProbe(url, { timeout: '3s' }, { color: false });
    return { stdout: result.stdout, stderr: '' };
  } catch (error) {
    if (!isProblemFound(error)) throw error;
    return { stdout: error.stdout, stderr: error.message };
  }
}

const latin1 = (text: string) => Buffer.from(text, 'latin1');
const utf8Bytes = (text: string) => Buffer.from(text, 'utf8');

describe('probe against a server that sends terminal escapes', () => {
  it.each([
    [
      'a redirect with a hostile Server header and Location',
      () =>
        serve(() =>
          Buffer.concat([
            latin1('HTTP/1.1 301 Moved Permanently\r\nServer: evil'),
            utf8Bytes(hostile),
            latin1('\r\nLocation: https://evil.example/'),
            utf8Bytes(hostile),
            latin1('\r\nContent-Length: 0\r\n\r\n'),
          ]),
        ),
    ],
    [
      'a 101 followed by a close frame with a hostile reason',
      () =>
        serve((request) => {
          const key = /Sec-WebSocket-Key: (\S+)/.exec(request)?.[1] ?? '';
          const accept = createHash('sha1')
            .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
            .digest('base64');
          const reason = utf8Bytes(`bye${hostile}`);
          const payload = Buffer.concat([Buffer.from([0x03, 0xe8]), reason]);
          return Buffer.concat([
            latin1(
              `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nServer: evil\u001b[8m\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
            ),
            Buffer.from([0x88, payload.length]),
            payload,
          ]);
        }),
    ],
  ])('%s', async (_label, start) => {
    const port = await start();
    const { stdout, stderr } = await textOutput(`ws://127.0.0.1:${port}/`);
    expect(stdout).toMatch(/probe ws:\/\/127\.0\.0\.1/);
    expect(stdout).not.toMatch(raw);
    expect(stderr).not.toMatch(raw);
    // Shown, escaped, rather than dropped: the reader sees that the server sent it.
    expect(`${stdout}${stderr}`).toMatch(/\\x1b/);
  });
});
