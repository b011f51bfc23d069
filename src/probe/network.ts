/**
 * The staged wss:// handshake over real sockets: dns → tcp → tls → http → websocket → idle. Each stage
 * is timed on its own, and the first failure stops the run and is named for diagnosis.ts. This file
 * only observes; what a failure means, and what to do about it, is said by the pure modules.
 *
 * Built on node:dns, node:net and node:tls rather than a WebSocket library so that every step a browser
 * takes is a separate, observable stage.
 */
import { randomBytes } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { connect as connectTcp, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as connectTls, rootCertificates, type TLSSocket } from 'node:tls';
import { certificateProblems, certificateSummary, daysLeft } from './certificates.js';
import { daysLeftNote, type Failure, failureSummary, type ServerKind, type StageName } from './diagnosis.js';
import {
  type CloseInfo,
  closePayload,
  encodeClientFrame,
  type Frame,
  FrameError,
  FrameParser,
  frameProblem,
  opcode,
  parseClosePayload,
} from './frames.js';
import {
  classifyAnswer,
  describeBytes,
  loadErrorPageMatchers,
  parseResponseHead,
  type ResponseHead,
  serverKind,
  upgradeRequest,
} from './handshake.js';
import type { StageRecord } from './report.js';
import { type ProbeTarget, type ResolveEntry, resolveEntryFor } from './target.js';

export interface ProbeSettings {
  readonly target: ProbeTarget;
  readonly resolve: readonly ResolveEntry[];
  /** PEM text of --ca, trusted instead of the system store (like curl --cacert). */
  readonly ca: string | undefined;
  readonly insecure: boolean;
  readonly origin: string;
  readonly send: string | undefined;
  readonly idleMs: number | undefined;
  /** How long each stage may wait for the other side. */
  readonly timeoutMs: number;
  readonly userAgent: string;
}

export interface ProbeRun {
  readonly stages: readonly StageRecord[];
  /** The failure that stopped the run, undefined when every stage passed. */
  readonly failure: Failure | undefined;
  /** Further problems found in the failing stage (a certificate can be wrong in several ways). */
  readonly alsoFailed: readonly Failure[];
  readonly server: ServerKind;
  readonly notes: readonly string[];
}

class StageFailed extends Error {
  constructor(
    readonly failure: Failure,
    readonly also: readonly Failure[] = [],
  ) {
    super(failure.kind);
  }
}

interface StageResult<T> {
  readonly value: T;
  readonly detail: string;
}

const ignore = (): void => {};
const seconds = (ms: number): number => Math.round(ms / 100) / 10;
const elapsedSince = (start: number): number => Math.round(performance.now() - start);
const addressForUrl = (address: string): string => (address.includes(':') ? `[${address}]` : address);

export async function runProbeStages(settings: ProbeSettings): Promise<ProbeRun> {
  const stages: StageRecord[] = [];
  const notes: string[] = [];
  const streams: Duplex[] = [];
  let server: ServerKind;
  const context = () => ({ target: settings.target, server, origin: settings.origin });

  async function stage<T>(name: StageName, work: () => Promise<StageResult<T>>): Promise<T> {
    const start = performance.now();
    try {
      const { value, detail } = await work();
      stages.push({ name, ok: true, ms: elapsedSince(start), detail });
      return value;
    } catch (error) {
      if (error instanceof StageFailed) {
        stages.push({
          name,
          ok: false,
          ms: elapsedSince(start),
          detail: failureSummary(error.failure, context()),
        });
      }
      throw error;
    }
  }

  try {
    const resolved = await stage('dns', () => dnsStage(settings));
    const tcp = await stage('tcp', () => tcpStage(settings, resolved));
    streams.push(tcp.socket);
    let stream: Duplex = tcp.socket;
    if (settings.target.secure) {
      stream = await stage('tls', () =>
        tlsStage(settings, tcp.socket, tcp.address, notes, (kind) => {
          server = kind;
        }),
      );
      streams.push(stream);
    }
    const leftover = await stage('http', () =>
      httpStage(settings, stream, tcp.address, (kind) => {
        server = kind;
      }),
    );
    const channel = new FrameChannel(stream, leftover);
    await stage('websocket', () => webSocketStage(settings, channel));
    if (settings.idleMs !== undefined) await stage('idle', () => idleStage(settings, channel));
    await channel.closePolitely(Math.min(settings.timeoutMs, 1000));
    return { stages, failure: undefined, alsoFailed: [], server, notes };
  } catch (error) {
    if (error instanceof StageFailed) {
      return { stages, failure: error.failure, alsoFailed: error.also, server, notes };
    }
    throw error;
  } finally {
    for (const stream of streams) stream.destroy();
  }
}

/** Resolves to `'timeout'` after `ms`, and never leaves a timer behind. */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface Resolved {
  readonly addresses: readonly string[];
  readonly viaResolve: boolean;
}

async function dnsStage(settings: ProbeSettings): Promise<StageResult<Resolved>> {
  const { host, isIpAddress } = settings.target;
  if (isIpAddress)
    return { value: { addresses: [host], viaResolve: false }, detail: `${host} is an address, no lookup` };
  const entry = resolveEntryFor(settings.resolve, settings.target);
  if (entry) {
    return {
      value: { addresses: entry.addresses, viaResolve: true },
      detail: `${host} → ${entry.addresses.join(', ')} (--resolve)`,
    };
  }
  // dns.lookup is getaddrinfo, as browsers use: /etc/hosts first, then the system's resolver.
  let found: LookupAddress[] | 'timeout';
  try {
    found = await withTimeout(lookup(host, { all: true }), settings.timeoutMs);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'ERROR';
    // ENOTFOUND is NXDOMAIN or a name without addresses; anything else means no verdict at all.
    throw new StageFailed(
      code === 'ENOTFOUND' || code === 'ENODATA'
        ? { kind: 'dns-not-found', host, code }
        : { kind: 'dns-unavailable', host, code },
    );
  }
  if (found === 'timeout') throw new StageFailed({ kind: 'dns-unavailable', host, code: 'timeout' });
  const addresses = found.map((entry) => entry.address);
  return { value: { addresses, viaResolve: false }, detail: `${host} → ${addresses.join(', ')}` };
}

type Opened = { readonly socket: Socket } | { readonly code: string };

function openTcp(address: string, port: number, timeoutMs: number): Promise<Opened> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: address, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ code: 'ETIMEDOUT' });
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve({ socket });
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ code: error.code ?? 'ERROR' });
    });
  });
}

interface Connected {
  readonly socket: Socket;
  readonly address: string;
}

async function tcpStage(settings: ProbeSettings, resolved: Resolved): Promise<StageResult<Connected>> {
  const { port } = settings.target;
  let failure: Failure | undefined;
  // Like a browser, try each address in turn; report the last failure when none connects.
  for (const address of resolved.addresses) {
    const opened = await openTcp(address, port, settings.timeoutMs);
    if ('socket' in opened) {
      return {
        value: { socket: opened.socket, address },
        detail: `connected to ${addressForUrl(address)}:${port}`,
      };
    }
    failure =
      opened.code === 'ECONNREFUSED'
        ? { kind: 'tcp-refused', address, port, viaResolve: resolved.viaResolve }
        : opened.code === 'ETIMEDOUT'
          ? { kind: 'tcp-timeout', address, port, seconds: seconds(settings.timeoutMs) }
          : { kind: 'tcp-error', address, port, code: opened.code };
  }
  throw new StageFailed(
    failure ?? { kind: 'tcp-error', address: settings.target.host, port, code: 'no address' },
  );
}

// Where distributions keep the system's trust store; node:tls alone knows only its bundled Mozilla list.
const systemBundles = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/cert.pem',
];

async function systemStore(): Promise<string[] | undefined> {
  for (const file of systemBundles) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) return [...rootCertificates, text];
  }
  return undefined;
}

/** Reads from a fresh socket until `enough` says so, the peer closes, or time runs out. */
function readSome(stream: Duplex, enough: (data: Buffer) => boolean, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve) => {
    let data = Buffer.alloc(0);
    const finish = () => {
      clearTimeout(timer);
      stream.off('data', onData);
      resolve(data);
    };
    const onData = (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (enough(data)) finish();
    };
    const timer = setTimeout(finish, timeoutMs);
    stream.on('data', onData);
    stream.once('close', finish);
  });
}

interface PlainAnswer {
  readonly statusLine: string;
  readonly head: ResponseHead | undefined;
}

/**
 * Confirms a port speaks plain HTTP: its answer to a HEAD request for the probed path, or undefined.
 * Used after a failed TLS handshake to tell "this is the ws:// backend" from "this is the proxy's
 * plain-HTTP port" (Server: nginx, a Location to https) and from other TLS trouble.
 */
async function plainHttpAnswer(address: string, settings: ProbeSettings): Promise<PlainAnswer | undefined> {
  const opened = await openTcp(address, settings.target.port, Math.min(settings.timeoutMs, 3000));
  if (!('socket' in opened)) return undefined;
  const { socket } = opened;
  socket.write(
    `HEAD ${settings.target.resource} HTTP/1.1\r\nHost: ${settings.target.hostHeader}\r\nConnection: close\r\n\r\n`,
  );
  // The whole head: Server and Location say whose port this is. A HEAD answer has no body.
  const data = await readSome(
    socket,
    (bytes) => parseResponseHead(bytes).state !== 'incomplete',
    Math.min(settings.timeoutMs, 3000),
  );
  socket.destroy();
  const statusLine = data.toString('latin1').split('\r\n')[0] ?? '';
  if (!statusLine.startsWith('HTTP/')) return undefined;
  const parsed = parseResponseHead(data);
  return { statusLine, head: parsed.state === 'complete' ? parsed.head : undefined };
}

/** Confirms a port speaks TLS: the protocol of a completed handshake, or undefined. */
async function tlsProtocolOf(address: string, settings: ProbeSettings): Promise<string | undefined> {
  const opened = await openTcp(address, settings.target.port, Math.min(settings.timeoutMs, 3000));
  if (!('socket' in opened)) return undefined;
  const socket = connectTls({
    socket: opened.socket,
    rejectUnauthorized: false,
    ...(settings.target.isIpAddress ? {} : { servername: settings.target.host }),
  });
  socket.on('error', ignore);
  const done = new Promise<string | undefined>((resolve) => {
    socket.once('secureConnect', () => resolve(socket.getProtocol() ?? 'TLS'));
    socket.once('close', () => resolve(undefined));
  });
  const protocol = await withTimeout(done, Math.min(settings.timeoutMs, 3000));
  socket.destroy();
  opened.socket.destroy();
  return protocol === 'timeout' ? undefined : protocol;
}

// What OpenSSL says when the other side answered a ClientHello with something that is not TLS.
const notTlsCodes = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_HTTP_REQUEST',
]);

const opensslReason = (message: string): string =>
  /SSL routines:([^:]+:[^:]+)/.exec(message)?.[1] ?? message.split('\n')[0] ?? message;

async function tlsStage(
  settings: ProbeSettings,
  socket: Socket,
  address: string,
  notes: string[],
  onServer: (kind: ServerKind) => void,
): Promise<StageResult<TLSSocket>> {
  const { target } = settings;
  const ca = settings.ca !== undefined ? [settings.ca] : await systemStore();
  // The chain is verified, but the connection is kept either way (rejectUnauthorized: false) so the
  // probe can say exactly what is wrong with the certificate instead of only that something is.
  const tlsSocket = connectTls({
    socket,
    rejectUnauthorized: false,
    // Browsers send no SNI for an address (RFC 6066 §3 allows only host names).
    ...(target.isIpAddress ? {} : { servername: target.host }),
    // WebSocket over HTTP/2 (RFC 8441) is rare behind proxies; browsers fall back to HTTP/1.1, as here.
    ALPNProtocols: ['http/1.1'],
    // Names are checked in certificates.ts, so authorizationError speaks of the chain alone.
    checkServerIdentity: () => undefined,
    ...(ca ? { ca } : {}),
  });
  tlsSocket.on('error', ignore);
  const outcome = await withTimeout(
    new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      tlsSocket.once('secureConnect', () => resolve(undefined));
      tlsSocket.once('error', (error: NodeJS.ErrnoException) => resolve(error));
      tlsSocket.once('close', () =>
        resolve(Object.assign(new Error('closed during the handshake'), { code: 'ECONNRESET' })),
      );
    }),
    settings.timeoutMs,
  );
  if (outcome !== undefined) {
    tlsSocket.destroy();
    const code = outcome === 'timeout' ? 'timeout' : (outcome.code ?? 'ERROR');
    // A plain HTTP server answers the ClientHello with "HTTP/1.1 400", which OpenSSL reads as a record
    // with version "TP" ("wrong version number"); a plain server that just hangs up looks like a reset.
    const plainAnswer =
      notTlsCodes.has(code) || code === 'ECONNRESET' || code === 'timeout'
        ? await plainHttpAnswer(address, settings)
        : undefined;
    if (notTlsCodes.has(code) || plainAnswer !== undefined) {
      onServer(serverKind(plainAnswer?.head?.headers.get('server')));
      throw new StageFailed({
        kind: 'tls-plain-port',
        port: target.port,
        plainAnswer: plainAnswer?.statusLine,
        location: plainAnswer?.head?.headers.get('location'),
      });
    }
    if (outcome === 'timeout')
      throw new StageFailed({ kind: 'tls-timeout', seconds: seconds(settings.timeoutMs) });
    if (code === 'ERR_SSL_TLSV1_UNRECOGNIZED_NAME')
      throw new StageFailed({ kind: 'tls-name-refused', name: target.isIpAddress ? undefined : target.host });
    throw new StageFailed({ kind: 'tls-handshake', code, message: opensslReason(outcome.message) });
  }

  const now = new Date();
  const leaf = tlsSocket.getPeerCertificate(true);
  const rawError = tlsSocket.authorizationError as unknown;
  const chainError = tlsSocket.authorized
    ? undefined
    : typeof rawError === 'string'
      ? rawError
      : ((rawError as NodeJS.ErrnoException | undefined)?.code ?? String(rawError));
  const problems =
    Object.keys(leaf).length === 0
      ? [{ kind: 'tls-unverified', code: 'the server sent no certificate' } as const]
      : certificateProblems({ leaf, chainError, target, caGiven: settings.ca !== undefined, now });
  const [first, ...rest] = problems;
  if (first && !settings.insecure) throw new StageFailed(first, rest);

  const cipher = tlsSocket.getCipher();
  const trustedBy = settings.ca !== undefined ? 'trusted via --ca' : 'trusted by the system store';
  let detail = `${tlsSocket.getProtocol() ?? 'TLS'}, ${cipher.name}; `;
  if (first) {
    const context = { target, server: undefined, origin: settings.origin };
    const summaries = problems.map((problem) => failureSummary(problem, context));
    detail += `NOT verified (--insecure): ${summaries.join('; ')}`;
    notes.push(
      `--insecure: the certificate was not accepted, and browsers will refuse it: ${summaries.join('; ')}.`,
    );
  } else {
    detail += certificateSummary(leaf, trustedBy, now);
    const lifetime = (new Date(leaf.valid_to).getTime() - new Date(leaf.valid_from).getTime()) / 86_400_000;
    const note = daysLeftNote(daysLeft(leaf, now), lifetime);
    if (note) notes.push(note);
  }
  return { value: tlsSocket, detail };
}

interface Answer {
  readonly head: ResponseHead | undefined;
  readonly data: Buffer;
  readonly notHttp: boolean;
  readonly timedOut: boolean;
}

/**
 * Reads the answer to the Upgrade request: the head, then for anything but 101 a little of the body
 * (the part that says "The plain HTTP request was sent to HTTPS port"). On 101 the stream is paused at
 * once, so no WebSocket frame that follows is lost before the frame reader takes over.
 */
function readAnswer(stream: Duplex, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    let data = Buffer.alloc(0);
    let head: ResponseHead | undefined;
    let bodyTimer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (how: { notHttp?: boolean; timedOut?: boolean } = {}) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(bodyTimer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('close', onEnd);
      resolve({
        head,
        data,
        notHttp: how.notHttp ?? false,
        timedOut: how.timedOut ?? false,
      });
    };
    const onData = (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (!head) {
        const parsed = parseResponseHead(data);
        if (parsed.state === 'not-http') return finish({ notHttp: true });
        if (parsed.state === 'incomplete') return;
        head = parsed.head;
        if (head.status === 101) {
          stream.pause();
          return finish();
        }
        bodyTimer = setTimeout(() => finish(), Math.min(500, timeoutMs));
      }
      const length = Number(head.headers.get('content-length') ?? Number.NaN);
      const wanted = Math.min(Number.isNaN(length) ? 4096 : length, 4096);
      // A chunked body ends with a zero-length chunk (RFC 9112 §7.1).
      const chunkedEnd =
        head.headers.get('transfer-encoding')?.includes('chunked') && data.includes('\r\n0\r\n\r\n');
      if (data.length - head.length >= wanted || chunkedEnd) finish();
    };
    const onEnd = () => finish();
    const timer = setTimeout(() => finish({ timedOut: true }), timeoutMs);
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('close', onEnd);
  });
}

async function httpStage(
  settings: ProbeSettings,
  stream: Duplex,
  address: string,
  onServer: (kind: ServerKind) => void,
): Promise<StageResult<Buffer>> {
  const { target } = settings;
  const key = randomBytes(16).toString('base64');
  stream.write(upgradeRequest(target, key, settings.origin, settings.userAgent));
  const answer = await readAnswer(stream, settings.timeoutMs);
  const { head } = answer;
  if (head) {
    const serverHeader = head.headers.get('server');
    onServer(serverKind(serverHeader));
    const body = answer.data.subarray(head.length).toString('utf8');
    // Servers known by their error pages (HAProxy sends no Server header); loaded only for a failure.
    const errorPages = head.status === 101 ? [] : await loadErrorPageMatchers();
    const failure = classifyAnswer(head, body, key, target, settings.origin, errorPages);
    if (failure) throw new StageFailed(failure);
    return {
      value: answer.data.subarray(head.length),
      detail: `101 ${head.statusText || 'Switching Protocols'}${serverHeader ? ` (${serverHeader})` : ''}, Sec-WebSocket-Accept matches`,
    };
  }
  // No HTTP at all. Over ws://, the usual reason is a port that expects TLS: OpenSSL-based servers
  // drop the plain request ("http request" in their log) or answer with a TLS alert. Confirm by
  // completing a TLS handshake there before saying so.
  const tlsBytes = answer.data[0] === 0x15 || answer.data[0] === 0x16;
  if (!target.secure && (answer.data.length === 0 || tlsBytes)) {
    const protocol = await tlsProtocolOf(address, settings);
    if (protocol) {
      const how = tlsBytes
        ? 'it answered with a TLS record'
        : answer.timedOut
          ? 'it did not answer'
          : 'it hung up';
      throw new StageFailed({
        kind: 'http-tls-port',
        port: target.port,
        evidence: `${how} to plain HTTP, and completes a ${protocol} handshake`,
      });
    }
  }
  if (answer.notHttp)
    throw new StageFailed({ kind: 'http-not-http', firstBytes: describeBytes(answer.data) });
  throw new StageFailed({
    kind: 'http-no-answer',
    how: answer.timedOut ? 'timeout' : 'closed',
    seconds: seconds(settings.timeoutMs),
  });
}

type InboxEvent =
  | { readonly type: 'pong'; readonly payload: Buffer }
  | { readonly type: 'message'; readonly text: string; readonly binary: boolean };

interface Closed extends CloseInfo {
  /** How long the connection had been silent when it closed. */
  readonly silentMs: number;
}

type Waited<T> =
  | { readonly value: T }
  | { readonly closed: Closed }
  | { readonly problem: string }
  | { readonly timeout: true };

/**
 * The client end of an open WebSocket: masks what it sends, answers pings as browsers do (RFC 6455
 * §5.5.2), reassembles fragmented messages (§5.4), and remembers when and how the connection closed.
 */
class FrameChannel {
  private readonly parser = new FrameParser();
  private readonly inbox: InboxEvent[] = [];
  private readonly listeners = new Set<() => void>();
  private fragments: Buffer[] = [];
  private fragmentOpcode = 0;
  private lastTraffic = performance.now();
  private closed: Closed | undefined;
  private problem: string | undefined;

  constructor(
    private readonly stream: Duplex,
    leftover: Buffer,
  ) {
    if (leftover.length > 0) this.receive(leftover);
    stream.on('data', (chunk: Buffer) => this.receive(chunk));
    stream.once('end', () => this.markClosed({ code: undefined, reason: '' }));
    stream.once('close', () => this.markClosed({ code: undefined, reason: '' }));
    stream.resume();
  }

  send(code: number, payload: Buffer): void {
    if (this.closed || this.stream.destroyed || !this.stream.writable) return;
    this.stream.write(encodeClientFrame(code, payload, randomBytes(4)));
    this.lastTraffic = performance.now();
  }

  discardMessages(): void {
    for (let i = this.inbox.length - 1; i >= 0; i--)
      if (this.inbox[i]?.type === 'message') this.inbox.splice(i, 1);
  }

  /** Waits for the first inbox event `pick` accepts, or for the connection to end, or for time to run out. */
  async waitFor<T>(pick: (event: InboxEvent) => T | undefined, timeoutMs: number): Promise<Waited<T>> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const index = this.inbox.findIndex((event) => pick(event) !== undefined);
      if (index >= 0) {
        const [event] = this.inbox.splice(index, 1);
        return { value: pick(event as InboxEvent) as T };
      }
      if (this.problem !== undefined) return { problem: this.problem };
      if (this.closed) return { closed: this.closed };
      const remaining = deadline - performance.now();
      if (remaining <= 0) return { timeout: true };
      await this.nextChange(remaining);
    }
  }

  async closePolitely(timeoutMs: number): Promise<void> {
    if (this.closed) return;
    // RFC 6455 §7.1.2: send a close frame, then wait for the server's, and the server closes TCP first.
    this.send(opcode.close, closePayload(1000, 'wss-conf probe done'));
    await this.waitFor(() => undefined, timeoutMs);
  }

  private nextChange(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const listener = () => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve();
      };
      const timer = setTimeout(listener, timeoutMs);
      this.listeners.add(listener);
    });
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private markClosed(info: CloseInfo, silentMs = performance.now() - this.lastTraffic): void {
    if (this.closed) return;
    this.closed = { ...info, silentMs };
    this.changed();
  }

  private receive(chunk: Buffer): void {
    const silentMs = performance.now() - this.lastTraffic;
    this.lastTraffic = performance.now();
    let frames: Frame[];
    try {
      frames = this.parser.push(chunk);
    } catch (error) {
      if (!(error instanceof FrameError)) throw error;
      this.problem = error.message;
      this.changed();
      return;
    }
    for (const frame of frames) {
      const problem = frameProblem(frame);
      if (problem !== undefined) {
        this.problem = problem;
        break;
      }
      this.take(frame, silentMs);
    }
    this.changed();
  }

  private take(frame: Frame, silentMs: number): void {
    switch (frame.opcode) {
      case opcode.ping:
        this.send(opcode.pong, frame.payload);
        return;
      case opcode.pong:
        this.inbox.push({ type: 'pong', payload: frame.payload });
        return;
      case opcode.close: {
        const info = parseClosePayload(frame.payload);
        // §5.5.1: answer a close with a close, echoing the status code.
        this.send(opcode.close, info.code === undefined ? Buffer.alloc(0) : closePayload(info.code));
        this.markClosed(info, silentMs);
        return;
      }
      default: {
        if (frame.opcode !== opcode.continuation) {
          this.fragments = [];
          this.fragmentOpcode = frame.opcode;
        }
        this.fragments.push(frame.payload);
        if (!frame.fin) return;
        const payload = Buffer.concat(this.fragments);
        this.fragments = [];
        const binary = this.fragmentOpcode === opcode.binary;
        this.inbox.push({
          type: 'message',
          text: binary ? payload.toString('hex') : payload.toString('utf8'),
          binary,
        });
      }
    }
  }
}

const shorten = (text: string): string => (text.length > 60 ? `${text.slice(0, 57)}...` : text);

async function pingPong(
  channel: FrameChannel,
  timeoutMs: number,
): Promise<{ ms: number } | { closed: Closed } | { problem: string } | { timeout: true }> {
  const payload = Buffer.from(`wss-conf ${randomBytes(6).toString('hex')}`);
  const start = performance.now();
  channel.send(opcode.ping, payload);
  // §5.5.3: a pong answering a ping carries the ping's payload; unsolicited pongs are ignored.
  const waited = await channel.waitFor(
    (event) => (event.type === 'pong' && event.payload.equals(payload) ? true : undefined),
    timeoutMs,
  );
  return 'value' in waited ? { ms: elapsedSince(start) } : waited;
}

async function webSocketStage(
  settings: ProbeSettings,
  channel: FrameChannel,
): Promise<StageResult<undefined>> {
  const closedFailure = (closed: Closed): Failure => ({
    kind: 'ws-closed',
    code: closed.code,
    reason: closed.reason,
  });
  const pong = await pingPong(channel, settings.timeoutMs);
  if ('closed' in pong) throw new StageFailed(closedFailure(pong.closed));
  if ('problem' in pong)
    throw new StageFailed({ kind: 'ws-protocol', stage: 'websocket', problem: pong.problem });
  if ('timeout' in pong) {
    throw new StageFailed({ kind: 'ws-no-pong', stage: 'websocket', seconds: seconds(settings.timeoutMs) });
  }
  let detail = `ping answered by pong in ${pong.ms} ms`;
  if (settings.send !== undefined) {
    // Messages the server sent on its own (a welcome) are not the answer.
    channel.discardMessages();
    channel.send(opcode.text, Buffer.from(settings.send, 'utf8'));
    const reply = await channel.waitFor(
      (event) => (event.type === 'message' ? event : undefined),
      settings.timeoutMs,
    );
    if ('closed' in reply) throw new StageFailed(closedFailure(reply.closed));
    if ('problem' in reply)
      throw new StageFailed({ kind: 'ws-protocol', stage: 'websocket', problem: reply.problem });
    if ('timeout' in reply) {
      throw new StageFailed({
        kind: 'ws-no-reply',
        sent: settings.send,
        seconds: seconds(settings.timeoutMs),
      });
    }
    detail +=
      !reply.value.binary && reply.value.text === settings.send
        ? `; ${JSON.stringify(shorten(settings.send))} echoed`
        : `; sent ${JSON.stringify(shorten(settings.send))}, got ${reply.value.binary ? 'binary ' : ''}${JSON.stringify(shorten(reply.value.text))}`;
  }
  return { value: undefined, detail };
}

async function idleStage(settings: ProbeSettings, channel: FrameChannel): Promise<StageResult<undefined>> {
  const idleMs = settings.idleMs ?? 0;
  // Stay silent (answering only the server's own pings, as a browser does) and watch for the close.
  const quiet = await channel.waitFor(() => undefined, idleMs);
  const idleFailure = (closed: Closed): Failure => ({
    kind: 'idle-closed',
    afterMs: closed.silentMs,
    code: closed.code,
    reason: closed.reason,
  });
  if ('closed' in quiet) throw new StageFailed(idleFailure(quiet.closed));
  if ('problem' in quiet)
    throw new StageFailed({ kind: 'ws-protocol', stage: 'idle', problem: quiet.problem });
  const pong = await pingPong(channel, settings.timeoutMs);
  if ('closed' in pong) throw new StageFailed(idleFailure(pong.closed));
  if ('problem' in pong) throw new StageFailed({ kind: 'ws-protocol', stage: 'idle', problem: pong.problem });
  if ('timeout' in pong)
    throw new StageFailed({ kind: 'ws-no-pong', stage: 'idle', seconds: seconds(settings.timeoutMs) });
  return { value: undefined, detail: `silent for ${seconds(idleMs)} s, then ping answered in ${pong.ms} ms` };
}
