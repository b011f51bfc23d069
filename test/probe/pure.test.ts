/**
 * The pure parts of `wss-conf probe`: parsing, the handshake and framing of RFC 6455, the diagnosis
 * table and the report. No sockets here; the network is exercised against real servers elsewhere.
 */
import { describe, expect, it } from 'vitest';
import {
  diagnose,
  type Failure,
  type FailureKind,
  failureSummary,
  type StageName,
  targetNotes,
} from '../../src/probe/diagnosis.js';
import {
  closePayload,
  encodeClientFrame,
  FrameError,
  FrameParser,
  frameProblem,
  opcode,
  parseClosePayload,
} from '../../src/probe/frames.js';
import {
  classifyAnswer,
  describeBytes,
  loadErrorPageMatchers,
  parseResponseHead,
  type ResponseHead,
  serverKind,
  upgradeAnswerProblems,
  upgradeRequest,
  webSocketAccept,
} from '../../src/probe/handshake.js';
import { type ProbeReport, renderProbeJson, renderProbeText } from '../../src/probe/report.js';
import {
  defaultOrigin,
  type ProbeTarget,
  parseOrigin,
  parseProbeUrl,
  parseResolveEntry,
  resolveEntryFor,
} from '../../src/probe/target.js';

const targetOf = (url: string): ProbeTarget => {
  const parsed = parseProbeUrl(url);
  if (!('value' in parsed)) throw new Error(parsed.problem);
  return parsed.value;
};

describe('parseProbeUrl', () => {
  it.each([
    [
      'wss://Example.com/wss',
      { secure: true, host: 'example.com', port: 443, resource: '/wss', hostHeader: 'example.com' },
    ],
    ['wss://example.com:8443/a?b=1', { port: 8443, resource: '/a?b=1', hostHeader: 'example.com:8443' }],
    ['ws://example.com', { secure: false, port: 80, resource: '/' }],
    ['ws://example.com:80/x', { hostHeader: 'example.com', port: 80 }],
    ['wss://1.2.3.4:8282/', { host: '1.2.3.4', isIpAddress: true }],
    ['wss://[::1]:8443/', { host: '::1', hostHeader: '[::1]:8443', isIpAddress: true }],
  ])('%s', (url, expected) => {
    expect(targetOf(url)).toMatchObject(expected);
  });

  it.each([
    ['example.com/wss', 'is not a URL'],
    ['https://example.com/wss', 'the WebSocket URL is wss://example.com/wss'],
    ['http://example.com:8080/x', 'the WebSocket URL is ws://example.com:8080/x'],
    ['ftp://example.com/', 'must start with wss://'],
    ['wss://example.com/#top', 'RFC 6455 §3'],
  ])('rejects %s', (url, problem) => {
    const parsed = parseProbeUrl(url);
    expect('problem' in parsed && parsed.problem).toContain(problem);
  });
});

describe('--resolve, as curl takes it', () => {
  it.each([
    ['wss.example.test:443:127.0.0.1', { host: 'wss.example.test', port: 443, addresses: ['127.0.0.1'] }],
    ['WSS.example.test:*:127.0.0.1', { host: 'wss.example.test', port: undefined }],
    ['a.test:8443:[::1],10.0.0.2', { addresses: ['::1', '10.0.0.2'] }],
  ])('%s', (text, expected) => {
    const parsed = parseResolveEntry(text);
    expect('value' in parsed && parsed.value).toMatchObject(expected);
  });

  it.each([
    ['a.test:443', 'is not HOST:PORT:ADDR'],
    ['a.test:0:127.0.0.1', 'the port must be 1-65535 or *'],
    ['a.test:99999:127.0.0.1', 'the port must be 1-65535 or *'],
    ['a.test:443:localhost', '"localhost" is not an IPv4 or [IPv6] address'],
    ['a b:443:127.0.0.1', 'is not a host name'],
  ])('rejects %s', (text, problem) => {
    const parsed = parseResolveEntry(text);
    expect('problem' in parsed && parsed.problem).toContain(problem);
  });

  it('picks the first entry for the host and port; * matches every port', () => {
    const entries = ['other.test:443:10.0.0.9', 'a.test:8443:10.0.0.1', 'a.test:*:10.0.0.2'].map((text) => {
      const parsed = parseResolveEntry(text);
      if (!('value' in parsed)) throw new Error(parsed.problem);
      return parsed.value;
    });
    expect(resolveEntryFor(entries, targetOf('wss://a.test:8443/'))?.addresses).toEqual(['10.0.0.1']);
    expect(resolveEntryFor(entries, targetOf('wss://A.test/'))?.addresses).toEqual(['10.0.0.2']);
    expect(resolveEntryFor(entries, targetOf('wss://b.test/'))).toBeUndefined();
  });
});

describe('Origin', () => {
  it.each([
    ['wss://example.com/wss', 'https://example.com'],
    ['wss://example.com:8443/wss', 'https://example.com:8443'],
    ['ws://example.com:8282/', 'http://example.com:8282'],
    ['wss://[::1]:8443/', 'https://[::1]:8443'],
  ])('a page on the same host as %s has origin %s', (url, origin) => {
    expect(defaultOrigin(targetOf(url))).toBe(origin);
  });

  it('--origin keeps only scheme, host and port', () => {
    expect(parseOrigin('https://app.example.com/page?x=1')).toEqual({ value: 'https://app.example.com' });
    expect('problem' in parseOrigin('file:///tmp/x.html')).toBe(true);
    expect('problem' in parseOrigin('app.example.com')).toBe(true);
  });
});

describe('the opening handshake (RFC 6455 §4)', () => {
  it('computes Sec-WebSocket-Accept like the example in RFC 6455 §1.3', () => {
    expect(webSocketAccept('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('sends the request a browser sends', () => {
    const text = upgradeRequest(
      targetOf('wss://example.com:8443/wss?room=1'),
      'KEY',
      'https://example.com:8443',
      'ua',
    );
    expect(text.split('\r\n')).toEqual([
      'GET /wss?room=1 HTTP/1.1',
      'Host: example.com:8443',
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Key: KEY',
      'Sec-WebSocket-Version: 13',
      'Origin: https://example.com:8443',
      'User-Agent: ua',
      'Pragma: no-cache',
      'Cache-Control: no-cache',
      '',
      '',
    ]);
  });

  const head = (text: string): ResponseHead => {
    const parsed = parseResponseHead(Buffer.from(text, 'latin1'));
    if (parsed.state !== 'complete') throw new Error(parsed.state);
    return parsed.head;
  };

  it('reads a response head, joining repeated headers', () => {
    const text = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nX-A: 1\r\nx-a: 2\r\n\r\n\x81\x00';
    const parsed = head(text);
    expect(parsed).toMatchObject({ status: 101, statusText: 'Switching Protocols' });
    // What follows the head is the first WebSocket frame, which must not be lost.
    expect(text.slice(parsed.length)).toBe('\x81\x00');
    expect(parsed.headers.get('x-a')).toBe('1, 2');
  });

  it.each([
    ['HTTP/1.1 101 Switching', 'incomplete'],
    ['', 'incomplete'],
    ['HTT', 'incomplete'],
    ['\x15\x03\x03\x00\x02\x02\x46', 'not-http'],
    ['SSH-2.0-OpenSSH_9.2\r\n', 'not-http'],
    ['HTTP/1.1 abc\r\n\r\n', 'not-http'],
  ])('%j is %s', (text, state) => {
    expect(parseResponseHead(Buffer.from(text, 'latin1')).state).toBe(state);
  });

  const key = 'dGhlIHNhbXBsZSBub25jZQ==';
  const good =
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n' +
    'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n';

  it('accepts a correct 101 (header values are case-insensitive tokens)', () => {
    expect(upgradeAnswerProblems(head(`${good}\r\n`), key)).toEqual([]);
  });

  it.each([
    [good.replace('Upgrade: WebSocket\r\n', ''), 'Upgrade is missing'],
    [good.replace('keep-alive, Upgrade', 'keep-alive'), 'Connection is "keep-alive", without "Upgrade"'],
    [good.replace('s3pP', 'AAAA'), 'expected "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="'],
    [`${good}Sec-WebSocket-Extensions: permessage-deflate\r\n`, 'extensions nobody offered'],
    [`${good}Sec-WebSocket-Protocol: chat\r\n`, 'subprotocol nobody offered'],
  ])('refuses a 101 that breaks §4.1: %#', (text, problem) => {
    expect(upgradeAnswerProblems(head(`${text}\r\n`), key).join('; ')).toContain(problem);
  });

  const classify = (status: string, extra = '', body = '', url = 'wss://example.com/wss') =>
    classifyAnswer(
      head(`HTTP/1.1 ${status}\r\n${extra}\r\n`),
      body,
      key,
      targetOf(url),
      'https://example.com',
    );

  it.each([
    ['400 Bad Request', 'http-upgrade-dropped'],
    ['426 Upgrade Required', 'http-upgrade-dropped'],
    ['404 Not Found', 'http-not-found'],
    ['403 Forbidden', 'http-forbidden'],
    ['502 Bad Gateway', 'http-backend-down'],
    ['503 Service Unavailable', 'http-backend-down'],
    ['504 Gateway Time-out', 'http-backend-down'],
    ['200 OK', 'http-not-upgraded'],
    ['301 Moved Permanently', 'http-redirect'],
    ['308 Permanent Redirect', 'http-redirect'],
    ['500 Internal Server Error', 'http-unexpected-status'],
  ])('%s means %s', (status, kind) => {
    expect(classify(status)?.kind).toBe(kind);
  });

  it("names the server of an error page through the registry's matchers (HAProxy sends no Server header)", async () => {
    const errorPages = await loadErrorPageMatchers();
    expect(errorPages.map((matcher) => matcher.server)).toEqual(['HAProxy']);
    const haproxyPage =
      '<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n';
    const failure = classifyAnswer(
      head('HTTP/1.1 503 Service Unavailable\r\n\r\n'),
      haproxyPage,
      key,
      targetOf('wss://example.com/wss'),
      'https://example.com',
      errorPages,
    );
    expect(failure).toMatchObject({
      kind: 'http-backend-down',
      serverPage: { server: 'HAProxy', status: 503 },
    });
    const diagnosis = diagnose(failure as Failure, {
      target: targetOf('wss://example.com/wss'),
      server: undefined,
      origin: 'https://example.com',
    });
    expect(diagnosis.cause).toContain('HAProxy answered with its own 503 page, "No server is available');
    // Without the matchers (or another server's page) it is the proxy's generic 503.
    expect(classify('503 Service Unavailable', '', haproxyPage)).not.toHaveProperty('serverPage');
  });

  it('tells a file from an application answer by its validators', () => {
    expect(classify('200 OK', 'ETag: "abc"\r\n')).toMatchObject({ servedFile: true });
    expect(classify('200 OK', 'Content-Type: text/plain\r\n')).toMatchObject({ servedFile: false });
  });

  it("reads nginx's and Apache's 400 for plain HTTP on a TLS port, over ws:// only", () => {
    const nginxBody = '<center>The plain HTTP request was sent to HTTPS port</center>';
    const apacheBody = "<p>Reason: You're speaking plain HTTP to an SSL-enabled server port.<br />";
    expect(classify('400 Bad Request', '', nginxBody, 'ws://example.com:443/')?.kind).toBe('http-tls-port');
    expect(classify('400 Bad Request', '', apacheBody, 'ws://example.com:443/')?.kind).toBe('http-tls-port');
    expect(classify('400 Bad Request', '', nginxBody)?.kind).toBe('http-upgrade-dropped');
  });

  it.each([
    ['nginx/1.24.0', 'nginx'],
    ['openresty', 'nginx'],
    ['Apache/2.4.62 (Debian)', 'apache'],
    ['Apache', 'apache'],
    ['Caddy', undefined],
    [undefined, undefined],
  ])('Server: %s is %s', (header, kind) => {
    expect(serverKind(header)).toBe(kind);
  });

  it.each([
    [Buffer.from('SSH-2.0-OpenSSH_9.2\r\nmore'), '"SSH-2.0-OpenSSH_9.2"'],
    [Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02]), 'a TLS alert record'],
    [Buffer.from([0x00, 0xff]), '00 ff'],
  ])('shows non-HTTP bytes readably: %#', (data, shown) => {
    expect(describeBytes(data)).toBe(shown);
  });
});

describe('frames (RFC 6455 §5)', () => {
  const mask = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

  it('masks a client frame like the example in RFC 6455 §5.7', () => {
    expect(encodeClientFrame(opcode.text, Buffer.from('Hello'), mask).toString('hex')).toBe(
      '818537fa213d7f9f4d5158',
    );
  });

  it.each([0, 1, 125, 126, 65535, 65536, 100_000])('round-trips a payload of %i bytes', (length) => {
    const payload = Buffer.alloc(length, 0x61);
    const frames = new FrameParser().push(encodeClientFrame(opcode.binary, payload, mask));
    expect(frames).toHaveLength(1);
    expect(frames[0]?.payload.equals(payload)).toBe(true);
    // A masked frame is what a client sends; coming from a server it is an error.
    expect(frames[0] && frameProblem(frames[0])).toContain('§5.1');
  });

  it('keeps a frame that arrives a byte at a time', () => {
    const parser = new FrameParser();
    const data = Buffer.concat([Buffer.from([0x81, 0x02]), Buffer.from('hi'), Buffer.from([0x8a, 0x00])]);
    const frames = [...data].flatMap((byte) => parser.push(Buffer.from([byte])));
    expect(frames.map((frame) => [frame.opcode, frame.payload.toString()])).toEqual([
      [opcode.text, 'hi'],
      [opcode.pong, ''],
    ]);
    expect(frames.map(frameProblem)).toEqual([undefined, undefined]);
  });

  it.each([
    [[0xc1, 0x00], '§5.2'], // RSV1 without an extension
    [[0x83, 0x00], 'reserved opcode 0x3'],
    [[0x09, 0x00], '§5.5'], // fragmented ping
  ])('refuses a broken server frame: %#', (bytes, problem) => {
    const [frame] = new FrameParser().push(Buffer.from(bytes));
    expect(frame && frameProblem(frame)).toContain(problem);
  });

  it('refuses a frame too large for a probe', () => {
    const head = Buffer.from([0x82, 0x7f, 0, 0, 0, 1, 0, 0, 0, 0]);
    expect(() => new FrameParser().push(head)).toThrow(FrameError);
  });

  it('writes and reads close frames (§5.5.1)', () => {
    expect(parseClosePayload(closePayload(1008, 'origin'))).toEqual({ code: 1008, reason: 'origin' });
    expect(parseClosePayload(Buffer.alloc(0))).toEqual({ code: undefined, reason: '' });
  });
});

/** One failure of every kind; the type makes leaving a kind out a compile error. */
const samples: { readonly [K in FailureKind]: Extract<Failure, { kind: K }> } = {
  'dns-not-found': { kind: 'dns-not-found', host: 'example.com', code: 'ENOTFOUND' },
  'dns-unavailable': { kind: 'dns-unavailable', host: 'example.com', code: 'EAI_AGAIN' },
  'tcp-refused': { kind: 'tcp-refused', address: '1.2.3.4', port: 443, viaResolve: false },
  'tcp-timeout': { kind: 'tcp-timeout', address: '1.2.3.4', port: 443, seconds: 10 },
  'tcp-error': { kind: 'tcp-error', address: '1.2.3.4', port: 443, code: 'EHOSTUNREACH' },
  'tls-plain-port': {
    kind: 'tls-plain-port',
    port: 8282,
    plainAnswer: 'HTTP/1.1 400 Bad Request',
    location: undefined,
  },
  'tls-handshake': { kind: 'tls-handshake', code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', message: 'alert' },
  'tls-name-refused': { kind: 'tls-name-refused', name: 'evil.example' },
  'tls-timeout': { kind: 'tls-timeout', seconds: 10 },
  'tls-name-mismatch': { kind: 'tls-name-mismatch', host: 'example.com', covered: ['www.example.com'] },
  'tls-ip-address': { kind: 'tls-ip-address', address: '1.2.3.4', covered: ['example.com'] },
  'tls-self-signed': { kind: 'tls-self-signed', subject: 'example.com', caGiven: false },
  'tls-untrusted': { kind: 'tls-untrusted', issuer: 'My CA', caGiven: false },
  'tls-incomplete-chain': { kind: 'tls-incomplete-chain', issuer: 'R11', aiaUrl: 'http://r11.i.lencr.org/' },
  'tls-expired': { kind: 'tls-expired', subject: 'example.com', notAfter: '2020-01-02' },
  'tls-not-yet-valid': { kind: 'tls-not-yet-valid', subject: 'example.com', notBefore: '2030-01-01' },
  'tls-unverified': { kind: 'tls-unverified', code: 'CERT_REVOKED' },
  'http-tls-port': { kind: 'http-tls-port', port: 443, evidence: 'it answered "400 …"' },
  'http-no-answer': { kind: 'http-no-answer', how: 'closed', seconds: 10 },
  'http-not-http': { kind: 'http-not-http', firstBytes: '"SSH-2.0"' },
  'http-upgrade-dropped': { kind: 'http-upgrade-dropped', status: 400, statusText: 'Bad Request' },
  'http-not-found': { kind: 'http-not-found', status: 404, statusText: 'Not Found' },
  'http-forbidden': {
    kind: 'http-forbidden',
    status: 403,
    statusText: 'Forbidden',
    origin: 'https://example.com',
  },
  'http-backend-down': { kind: 'http-backend-down', status: 502, statusText: 'Bad Gateway' },
  'http-not-upgraded': { kind: 'http-not-upgraded', status: 200, statusText: 'OK', servedFile: false },
  'http-redirect': {
    kind: 'http-redirect',
    status: 301,
    statusText: 'Moved Permanently',
    location: 'https://example.com/wss',
  },
  'http-unexpected-status': {
    kind: 'http-unexpected-status',
    status: 500,
    statusText: 'Internal Server Error',
  },
  'http-bad-handshake': { kind: 'http-bad-handshake', problems: ['Sec-WebSocket-Accept is missing'] },
  'ws-protocol': { kind: 'ws-protocol', stage: 'websocket', problem: 'masked frame' },
  'ws-closed': { kind: 'ws-closed', code: 1008, reason: 'origin' },
  'ws-no-pong': { kind: 'ws-no-pong', stage: 'idle', seconds: 10 },
  'ws-no-reply': { kind: 'ws-no-reply', sent: 'tom', seconds: 10 },
  'idle-closed': { kind: 'idle-closed', afterMs: 60_020, code: undefined, reason: '' },
};

/**
 * The stage each sample fails at, said here rather than derived, so a wrong stageOf shows. ws-protocol
 * and ws-no-pong carry their stage; the samples above pick one each.
 */
const stageOfSample: { readonly [K in FailureKind]: StageName } = {
  'dns-not-found': 'dns',
  'dns-unavailable': 'dns',
  'tcp-refused': 'tcp',
  'tcp-timeout': 'tcp',
  'tcp-error': 'tcp',
  'tls-plain-port': 'tls',
  'tls-handshake': 'tls',
  'tls-name-refused': 'tls',
  'tls-timeout': 'tls',
  'tls-name-mismatch': 'tls',
  'tls-ip-address': 'tls',
  'tls-self-signed': 'tls',
  'tls-untrusted': 'tls',
  'tls-incomplete-chain': 'tls',
  'tls-expired': 'tls',
  'tls-not-yet-valid': 'tls',
  'tls-unverified': 'tls',
  'http-tls-port': 'http',
  'http-no-answer': 'http',
  'http-not-http': 'http',
  'http-upgrade-dropped': 'http',
  'http-not-found': 'http',
  'http-forbidden': 'http',
  'http-backend-down': 'http',
  'http-not-upgraded': 'http',
  'http-redirect': 'http',
  'http-unexpected-status': 'http',
  'http-bad-handshake': 'http',
  'ws-protocol': 'websocket',
  'ws-closed': 'websocket',
  'ws-no-pong': 'idle',
  'ws-no-reply': 'websocket',
  'idle-closed': 'idle',
};

describe('the diagnosis table', () => {
  const context = (url = 'wss://example.com/wss', server?: 'nginx' | 'apache') => ({
    target: targetOf(url),
    server,
    origin: 'https://example.com',
  });

  it.each(Object.values(samples))('$kind names its stage, a cause and a fix', (failure) => {
    const diagnosis = diagnose(failure, context());
    expect(diagnosis.stage).toBe(stageOfSample[failure.kind]);
    expect(diagnosis.cause.length).toBeGreaterThan(40);
    expect(diagnosis.fix.length).toBeGreaterThan(20);
    expect(failureSummary(failure, context()).length).toBeGreaterThan(5);
  });

  it('offers the config lines of the server that answered, or both when unknown', () => {
    const failure = samples['http-upgrade-dropped'];
    const forNginx = diagnose(failure, context(undefined, 'nginx')).fix;
    const forApache = diagnose(failure, context(undefined, 'apache')).fix;
    const forEither = diagnose(failure, context()).fix;
    expect(forNginx).toContain('proxy_set_header Connection "upgrade";');
    expect(forNginx).not.toContain('ProxyPass');
    expect(forApache).toContain('ProxyPass /wss http://127.0.0.1:8282/wss upgrade=websocket');
    expect(forApache).not.toContain('proxy_set_header');
    expect(forEither).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(forEither).toContain('upgrade=websocket');
  });

  it.each([
    [60_020, 'about 60s', "the default of both nginx's proxy_read_timeout and Apache's ProxyTimeout"],
    [1_850, 'about 2s', 'more often than every 2 s'],
    [89_700, 'about 90s', 'after 89.7 s'],
  ])('infers the read timeout from %i ms of silence', (afterMs, figure, words) => {
    const { cause, fix } = diagnose({ kind: 'idle-closed', afterMs, code: undefined, reason: '' }, context());
    expect(cause).toContain(figure);
    expect(`${cause}\n${fix}`).toContain(words);
  });

  it('blames the backend, not the proxy, for a close frame after idling', () => {
    const { cause } = diagnose(
      { kind: 'idle-closed', afterMs: 30_000, code: 1001, reason: 'idle' },
      context(),
    );
    expect(cause).toContain('the backend closed the connection with code 1001');
    expect(cause).not.toContain('read timeout');
  });

  const redirectTo = (location: string): Failure => ({
    kind: 'http-redirect',
    status: 301,
    statusText: 'Moved Permanently',
    location,
  });

  it.each([
    ['an absolute https:// Location on the same port', 'wss://example.com/wss', 'https://example.com/wss/'],
    ['a non-default port', 'wss://example.com:18443/wss', 'https://example.com:18443/wss/'],
    // absolute_redirect off (nginx 1.11.8+) sends the path alone.
    ['a relative Location', 'wss://example.com:18443/wss', '/wss/'],
    [
      'a plain ws:// URL redirected on its own port',
      'ws://example.com:8080/wss',
      'http://example.com:8080/wss/',
    ],
  ])("explains nginx's trailing-slash redirect: %s", (_name, url, location) => {
    const { cause, fix } = diagnose(redirectTo(location), context(url, 'nginx'));
    expect(cause).toContain('redirects /wss to /wss/');
    expect(cause).not.toContain('plain-HTTP port');
    const withSlash = url.replace(/\/wss$/, '/wss/');
    expect(fix).toContain(`Connect with the trailing slash: ${withSlash}`);
    expect(fix).toContain('--path /wss');
    expect(failureSummary(redirectTo(location), context(url))).toContain('add the trailing slash');
  });

  it('still names the plain-HTTP port sending ws:// to https, and a redirect elsewhere', () => {
    const toHttps = diagnose(
      redirectTo('https://example.com:8443/wss'),
      context('ws://example.com:8080/wss'),
    );
    expect(toHttps.cause).toContain('This is the plain-HTTP port sending everyone to https.');
    expect(toHttps.fix).toContain('Connect to the final address directly: wss://example.com:8443/wss');
    // Another port over https, seen from wss://: not the slash, not the plain port.
    const moved = diagnose(redirectTo('https://example.com:9443/wss/'), context('wss://example.com/wss'));
    expect(moved.cause).toContain('A rewrite or return rule covers this path.');
    expect(moved.fix).toContain('Connect to the final address directly: wss://example.com:9443/wss/');
  });

  it.each([
    ['nginx', "nginx's"],
    ['apache', "Apache's"],
  ] as const)("calls the %s plain-HTTP redirect port the proxy's, with the TLS port from Location", (server, who) => {
    const failure: Failure = {
      kind: 'tls-plain-port',
      port: 18080,
      plainAnswer: 'HTTP/1.1 301 Moved Permanently',
      location: 'https://a.test:18443/wss',
    };
    const { cause, fix } = diagnose(failure, context('wss://a.test:18080/wss', server));
    expect(cause).toContain(`${who} plain-HTTP port`);
    expect(cause).not.toContain('backend');
    expect(fix).toContain('Use the TLS port from that redirect: wss://a.test:18443/wss');
    expect(fix).not.toContain('ProxyPass');
  });

  it("calls a plain port the proxy's when the Server header says so, even without a redirect", () => {
    const failure: Failure = {
      kind: 'tls-plain-port',
      port: 8080,
      plainAnswer: 'HTTP/1.1 404 Not Found',
      location: undefined,
    };
    const { cause, fix } = diagnose(failure, context('wss://a.test:8080/wss', 'nginx'));
    expect(cause).toContain("nginx's plain-HTTP port");
    expect(fix).toContain('listen 443 ssl');
    // Without a Server header and a redirect, it is still the backend reached directly.
    const backend = diagnose(failure, context('wss://a.test:8080/wss'));
    expect(backend.cause).toContain('points straight at the ws:// backend');
  });

  it('lists the further problems of the same stage', () => {
    const { cause } = diagnose(samples['tls-name-mismatch'], context(), [samples['tls-expired']]);
    expect(cause).toMatch(/Also: certificate expired 2020-01-02\.$/);
  });

  it('notes Mixed Content for ws:// only', () => {
    expect(targetNotes(targetOf('ws://1.2.3.4:8282/')).join('')).toContain(
      'this endpoint must be available over WSS',
    );
    expect(targetNotes(targetOf('wss://example.com/'))).toEqual([]);
  });

  it.each([
    // A port found to speak TLS stays; any other ws:// port is likely the backend: go through the proxy.
    [
      'ws://a.test:18443/ws',
      { kind: 'http-tls-port', port: 18443, evidence: '400' },
      'use wss://a.test:18443/ws.',
    ],
    ['ws://a.test:18443/ws', undefined, 'use wss://a.test/ws.'],
    ['ws://a.test/ws', undefined, 'use wss://a.test/ws.'],
    ['ws://1.2.3.4:8282/', undefined, 'use wss://<your domain>/.'],
    // The server said where https is: that beats guessing the same port.
    [
      'ws://a.test:18080/ws',
      {
        kind: 'http-redirect',
        status: 301,
        statusText: 'Moved Permanently',
        location: 'https://a.test:18443/ws',
      },
      'use wss://a.test:18443/ws.',
    ],
  ] as const)('the Mixed Content note for %s suggests where wss:// is served', (url, failure, words) => {
    expect(targetNotes(targetOf(url), failure).join('')).toContain(words);
  });
});

describe('the report', () => {
  const failed: ProbeReport = {
    ok: false,
    url: 'wss://example.com/wss',
    stages: [
      { name: 'dns', ok: true, ms: 3, detail: 'example.com → 1.2.3.4' },
      { name: 'tcp', ok: true, ms: 25, detail: 'connected to 1.2.3.4:443' },
      { name: 'tls', ok: true, ms: 140, detail: 'TLSv1.3' },
      { name: 'http', ok: false, ms: 31, detail: '400 Bad Request instead of 101' },
    ],
    diagnosis: {
      stage: 'http',
      cause: 'The proxy dropped Upgrade.',
      fix: 'nginx:\n    proxy_http_version 1.1;',
    },
    notes: ['a note'],
  };

  it('prints one line per stage with its mark and time, then the diagnosis', () => {
    expect(renderProbeText(failed, { color: false })).toBe(
      [
        'probe wss://example.com/wss',
        '✔ dns         3 ms  example.com → 1.2.3.4',
        '✔ tcp        25 ms  connected to 1.2.3.4:443',
        '✔ tls       140 ms  TLSv1.3',
        '✖ http       31 ms  400 Bad Request instead of 101',
        '',
        '✖ failed at http: The proxy dropped Upgrade.',
        '',
        'Fix:',
        '  nginx:',
        '      proxy_http_version 1.1;',
        '',
        'note: a note',
        '',
      ].join('\n'),
    );
  });

  it('colours only when asked', () => {
    expect(renderProbeText(failed, { color: false })).not.toContain('\u001b[');
    const coloured = renderProbeText(failed, { color: true });
    expect(coloured).toContain('\u001b[32m✔\u001b[0m dns');
    expect(coloured).toContain('\u001b[31m✖\u001b[0m http');
  });

  it('prints JSON in the documented shape, diagnosis null when ok', () => {
    const passed: ProbeReport = { ...failed, ok: true, diagnosis: null, notes: [] };
    const json = JSON.parse(renderProbeJson(passed));
    expect(Object.keys(json)).toEqual(['ok', 'url', 'stages', 'diagnosis', 'notes']);
    expect(json.diagnosis).toBeNull();
    expect(json.stages[0]).toEqual({ name: 'dns', ok: true, ms: 3, detail: 'example.com → 1.2.3.4' });
    expect(JSON.parse(renderProbeJson(failed)).diagnosis).toEqual(failed.diagnosis);
  });
});
