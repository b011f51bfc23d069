/**
 * A backend that answers every request with the path and query it received, and the GET that reads
 * such an answer through a proxy: what the lint evidence tests compare (which path httpd or nginx sends
 * on for a request). Real sockets on 127.0.0.1; the caller closes the server.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function startPathEchoBackend(): Promise<{ readonly server: Server; readonly port: number }> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(req.url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** The body of a GET to `path` on 127.0.0.1:`port`, sent with `Host: a.test`. */
export const bodyOf = (port: number, path: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Host: 'a.test' } }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
