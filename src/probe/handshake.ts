/**
 * Pure: the opening handshake of RFC 6455 §4 as a browser performs it. The request text, reading the
 * response head, the Sec-WebSocket-Accept check, and what a non-101 answer means.
 */

import { createHash } from 'node:crypto';
import type { ProbeMatcher } from '../servers/definition.js';
import { type ServerName, servers } from '../servers/registry.js';
import type { Failure } from './diagnosis.js';
import type { ProbeTarget } from './target.js';

/** RFC 6455 §1.3 and §4.2.2: the GUID appended to the key before hashing. */
export const webSocketGuid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** RFC 6455 §4.2.2 step 5.4: base64(SHA-1(key + GUID)). */
export const webSocketAccept = (key: string): string =>
  createHash('sha1').update(`${key}${webSocketGuid}`).digest('base64');

/**
 * The Upgrade request (RFC 6455 §4.1), with the headers a browser sends. No Sec-WebSocket-Extensions:
 * the probe does not implement permessage-deflate, and offering it would change what servers answer.
 */
export function upgradeRequest(target: ProbeTarget, key: string, origin: string, userAgent: string): string {
  return [
    `GET ${target.resource} HTTP/1.1`,
    `Host: ${target.hostHeader}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Version: 13',
    `Origin: ${origin}`,
    `User-Agent: ${userAgent}`,
    'Pragma: no-cache',
    'Cache-Control: no-cache',
    '',
    '',
  ].join('\r\n');
}

export interface ResponseHead {
  readonly status: number;
  readonly statusText: string;
  /** Lower-case names; repeated headers joined with ", " (RFC 9110 §5.3). */
  readonly headers: ReadonlyMap<string, string>;
  /** Bytes of the head including the blank line; what follows is body or WebSocket frames. */
  readonly length: number;
}

export type HeadParse =
  | { readonly state: 'complete'; readonly head: ResponseHead }
  | { readonly state: 'incomplete' }
  | { readonly state: 'not-http' };

const statusLine = /^HTTP\/1\.[01] ([0-9]{3})(?: (.*))?$/;
const maxHead = 64 * 1024;

/** Reads a response head from the start of `data`, as far as it has arrived. */
export function parseResponseHead(data: Buffer): HeadParse {
  const text = data.subarray(0, maxHead).toString('latin1');
  // Decide early whether this is HTTP at all: a TLS alert or another protocol never starts with "HTTP/".
  if (!'HTTP/1.'.startsWith(text.slice(0, 7))) return { state: 'not-http' };
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return data.length >= maxHead ? { state: 'not-http' } : { state: 'incomplete' };
  const [first = '', ...fields] = text.slice(0, end).split('\r\n');
  const match = statusLine.exec(first);
  if (!match) return { state: 'not-http' };
  const headers = new Map<string, string>();
  for (const field of fields) {
    const colon = field.indexOf(':');
    if (colon <= 0) continue;
    const name = field.slice(0, colon).trim().toLowerCase();
    const value = field.slice(colon + 1).trim();
    const previous = headers.get(name);
    headers.set(name, previous === undefined ? value : `${previous}, ${value}`);
  }
  return {
    state: 'complete',
    head: { status: Number(match[1]), statusText: match[2] ?? '', headers, length: end + 4 },
  };
}

const hasToken = (value: string | undefined, token: string): boolean =>
  (value ?? '')
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .includes(token);

/** RFC 6455 §4.1, the client's checks of a 101 answer (items 1-6 after the status line). */
export function upgradeAnswerProblems(head: ResponseHead, key: string): string[] {
  const problems: string[] = [];
  const upgrade = head.headers.get('upgrade');
  if (upgrade?.toLowerCase() !== 'websocket') {
    problems.push(
      `Upgrade is ${upgrade === undefined ? 'missing' : JSON.stringify(upgrade)}, not "websocket"`,
    );
  }
  if (!hasToken(head.headers.get('connection'), 'upgrade')) {
    problems.push(`Connection is ${JSON.stringify(head.headers.get('connection') ?? '')}, without "Upgrade"`);
  }
  const accept = head.headers.get('sec-websocket-accept');
  const expected = webSocketAccept(key);
  if (accept !== expected) {
    problems.push(
      `Sec-WebSocket-Accept is ${accept === undefined ? 'missing' : JSON.stringify(accept)}, expected ${JSON.stringify(expected)}`,
    );
  }
  // Items 5 and 6: nothing was offered, so neither may be chosen.
  if (head.headers.has('sec-websocket-extensions')) {
    problems.push(
      `the server chose extensions nobody offered (${head.headers.get('sec-websocket-extensions')})`,
    );
  }
  if (head.headers.has('sec-websocket-protocol')) {
    problems.push(
      `the server chose a subprotocol nobody offered (${head.headers.get('sec-websocket-protocol')})`,
    );
  }
  return problems;
}

// nginx (ngx_http_special_response.c) and Apache (mod_ssl) say so in the body of their 400.
const tlsPortBodies = [
  /The plain HTTP request was sent to HTTPS port/i,
  /speaking plain HTTP to an SSL-enabled server port/i,
];

/** Evidence in a 400 body that the port expects TLS, or undefined. */
export function tlsPortEvidence(body: string): string | undefined {
  for (const pattern of tlsPortBodies) {
    const found = pattern.exec(body);
    if (found) return `it answered "400 ${found[0]}"`;
  }
  return undefined;
}

// A response from the file system carries validators and range support (nginx static module,
// Apache core); a proxied application's answer usually has none of them.
const fileHeaders = ['etag', 'last-modified', 'accept-ranges'];

/** What a non-101 answer (or an invalid 101) means. */
export function classifyAnswer(
  head: ResponseHead,
  body: string,
  key: string,
  target: ProbeTarget,
  origin: string,
  errorPages: readonly ErrorPageMatcher[] = [],
): Failure | undefined {
  const { status, statusText } = head;
  if (status === 101) {
    const problems = upgradeAnswerProblems(head, key);
    return problems.length === 0 ? undefined : { kind: 'http-bad-handshake', problems };
  }
  if (!target.secure && status === 400) {
    const evidence = tlsPortEvidence(body);
    if (evidence) return { kind: 'http-tls-port', port: target.port, evidence };
  }
  // 400 is what most backends (Workerman, Socket.IO, Gorilla) answer a GET without Upgrade; 426 is
  // RFC 9110 §15.5.22 "Upgrade Required", which the `ws` package sends.
  if (status === 400 || status === 426) return { kind: 'http-upgrade-dropped', status, statusText };
  if (status === 404 || status === 410) return { kind: 'http-not-found', status, statusText };
  if (status === 401 || status === 403) return { kind: 'http-forbidden', status, statusText, origin };
  if (status === 502 || status === 503 || status === 504) {
    // A server that sends no Server header (HAProxy) is known by its own error page.
    for (const { server, match } of errorPages) {
      const page = match(status, body);
      if (page) return { kind: 'http-backend-down', status, statusText, serverPage: { server, ...page } };
    }
    return { kind: 'http-backend-down', status, statusText };
  }
  if (status >= 300 && status < 400) {
    return { kind: 'http-redirect', status, statusText, location: head.headers.get('location') };
  }
  if (status >= 200 && status < 300) {
    const servedFile = fileHeaders.some((name) => head.headers.has(name));
    return { kind: 'http-not-upgraded', status, statusText, servedFile };
  }
  return { kind: 'http-unexpected-status', status, statusText };
}

/** A registered server's matcher for its own error pages, with the server's title. */
export interface ErrorPageMatcher {
  readonly server: string;
  readonly match: ProbeMatcher;
}

/** The error-page matchers of every server of the registry that has one (src/servers/<name>/index.ts). */
export async function loadErrorPageMatchers(): Promise<readonly ErrorPageMatcher[]> {
  const loaded: ErrorPageMatcher[] = [];
  for (const definition of servers) {
    const load = definition.load.probeMatcher;
    if (load) loaded.push({ server: definition.title, match: await load() });
  }
  return loaded;
}

/**
 * The server a Server header such as "nginx/1.24.0" or "Apache/2.4.62 (Debian)" names, by each
 * definition's serverHeader (src/servers/<name>/index.ts); HAProxy sends none.
 */
export function serverKind(server: string | undefined): ServerName | undefined {
  if (server === undefined) return undefined;
  return servers.find((definition) => definition.serverHeader?.test(server))?.name;
}

/** The first bytes of a non-HTTP answer, readable: text as is, the rest as hex. */
export function describeBytes(data: Buffer): string {
  const sample = data.subarray(0, 32);
  const printable = sample.every(
    (byte) => byte === 9 || byte === 10 || byte === 13 || (byte >= 32 && byte < 127),
  );
  if (printable) return JSON.stringify(sample.toString('latin1').split(/\r?\n/)[0]);
  // A TLS record starts with its content type and version 3.x (RFC 8446 §5.1): 0x15 alert, 0x16 handshake.
  if ((sample[0] === 0x15 || sample[0] === 0x16) && sample[1] === 0x03) {
    return `a TLS ${sample[0] === 0x15 ? 'alert' : 'handshake'} record`;
  }
  return sample.toString('hex').replace(/(..)(?!$)/g, '$1 ');
}
