/**
 * `wss-conf probe` against real nginx: sites rendered by wss-conf itself, each broken in one of the
 * ways the seeds describe, and a hand-made site that forgets the Upgrade headers. One nginx serves all
 * of them, each on its own free loopback port; wss.example.test reaches it through --resolve.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/cli.js';
import { makeTestCa, type TestCa } from '../helpers/pki.js';
import {
  makeProbePki,
  type ProbePki,
  renderSiteFile,
  type Stoppable,
  startNginxOnFreshPorts,
  startStandaloneWsBackend,
  startWorkermanLikeBackend,
} from '../helpers/probe.js';
import { type EchoBackend, type RunningNginx, startEchoBackend } from '../helpers/servers.js';
import { requireTool } from '../helpers/tools.js';
import { type ProbeJson, probe, stageLine } from './probe-run.js';

const host = 'wss.example.test';
const tool = requireTool('nginx');

interface Ports {
  good: number;
  redirect: number;
  shortTimeout: number;
  stoppedBackend: number;
  otherName: number;
  expired: number;
  leafOnly: number;
  fullChain: number;
  selfSigned: number;
  noUpgrade426: number;
  noUpgrade400: number;
  noUpgrade200: number;
  slashLocation: number;
}

let ca: TestCa;
let pki: ProbePki;
let echo: EchoBackend;
let nginx: RunningNginx | undefined;
const backends: Stoppable[] = [];
const ports = {} as Ports;

/** nginx without Upgrade/Connection: the seeds' second config, proxying to `backendPort`. */
const siteWithoutUpgradeHeaders = (
  port: number,
  backendPort: number,
  cert: { cert: string; key: string },
) => `
server {
    listen 127.0.0.1:${port} ssl;
    server_name ${host};
    ssl_certificate ${cert.cert};
    ssl_certificate_key ${cert.key};
    location / {
        proxy_pass http://127.0.0.1:${backendPort};
    }
}
`;

const siteNames = [
  'good',
  'redirect',
  'shortTimeout',
  'stoppedBackend',
  'otherName',
  'expired',
  'leafOnly',
  'fullChain',
  'selfSigned',
  'noUpgrade426',
  'noUpgrade400',
  'noUpgrade200',
  'slashLocation',
] as const satisfies readonly (keyof Ports)[];

beforeAll(async () => {
  if (tool.skip) return;
  // Certificates and backends first, so the ports nginx gets are as fresh as they can be.
  ca = makeTestCa();
  pki = makeProbePki(host);
  const leaf = ca.issue(host);
  const otherName = ca.issue('other.example.test');
  echo = await startEchoBackend();
  // A backend that is not running: the proxy gets "connection refused". Port 1 rather than a stopped
  // backend's port, which the kernel may hand to a server of another test file running alongside (a
  // clean-clone CI run got that server's 301 here).
  const stopped = { port: 1 };
  const standalone = await startStandaloneWsBackend();
  const workerman = await startWorkermanLikeBackend();
  backends.push(standalone, workerman);
  const dir = mkdtempSync(join(tmpdir(), 'wss-conf-probe-sites-'));
  const staticDir = join(dir, 'static');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'app.js'), 'console.log("static");\n');

  const started = await startNginxOnFreshPorts(siteNames.length, async (fresh) => {
    siteNames.forEach((name, i) => {
      ports[name] = fresh[i] as number;
    });
    const site = (listen: number, pair: { cert: string; key: string }, extra: Record<string, unknown> = {}) =>
      renderSiteFile(dir, {
        domain: [host],
        backend: [String(echo.port)],
        path: '/wss',
        cert: pair.cert,
        key: pair.key,
        listen: `127.0.0.1:${listen}`,
        redirect: false,
        ...extra,
      });
    const handMade = join(dir, `hand-made-${ports.noUpgrade426}.conf`);
    writeFileSync(
      handMade,
      [
        siteWithoutUpgradeHeaders(ports.noUpgrade426, standalone.port, leaf),
        siteWithoutUpgradeHeaders(ports.noUpgrade400, workerman.port, leaf),
        siteWithoutUpgradeHeaders(ports.noUpgrade200, echo.port, leaf),
      ].join(''),
    );
    return [
      await site(ports.good, leaf, {
        redirect: true,
        redirectListen: `127.0.0.1:${ports.redirect}`,
        staticDir: `${staticDir}/`,
      }),
      await site(ports.shortTimeout, leaf, { timeout: '2s' }),
      await site(ports.stoppedBackend, leaf, { backend: [String(stopped.port)] }),
      await site(ports.otherName, otherName),
      await site(ports.expired, pki.expired),
      await site(ports.leafOnly, pki.leafOnly),
      await site(ports.fullChain, pki.fullChain),
      await site(ports.selfSigned, pki.selfSigned),
      // `--path /ws/`: nginx answers /ws, without the slash, with its own 301 to /ws/ (nginx docs,
      // "location": a prefix ending in a slash, served by proxy_pass, redirects the bare prefix).
      await site(ports.slashLocation, leaf, { path: '/ws/' }),
      handMade,
    ];
  });
  nginx = started.nginx;
});

afterAll(async () => {
  await nginx?.stop();
  await echo?.stop();
  for (const backend of backends) await backend.stop();
});

const at = (port: number, path = '/wss', scheme = 'wss') => `${scheme}://${host}:${port}${path}`;
const via = (port: number) => ({ resolve: [`${host}:${port}:127.0.0.1`] });
const trusted = (port: number) => ({ ...via(port), ca: ca.caCert });
/** The real CLI, --json: for diagnoses a user reads. nginx lives in its own process, so this can. */
async function probeCli(url: string, port: number, ...flags: string[]) {
  const result = await runCliAsync([
    'probe',
    url,
    '--resolve',
    `${host}:${port}:127.0.0.1`,
    ...flags,
    '--json',
  ]);
  return { status: result.status, stderr: result.stderr, report: JSON.parse(result.stdout) as ProbeJson };
}
const detailOf = (report: ProbeJson, name: string) =>
  report.stages.find((stage) => stage.name === name)?.detail;

describe.skipIf(tool.skip)('probe against nginx sites rendered by wss-conf', () => {
  it('passes every stage on a correct site, echoing --send', async () => {
    const { exit, report } = await probe(at(ports.good), { ...trusted(ports.good), send: 'tom' });
    expect(report.diagnosis).toBeNull();
    expect(stageLine(report)).toBe('dns✔ tcp✔ tls✔ http✔ websocket✔');
    expect(exit).toBe(0);
    expect(detailOf(report, 'http')).toMatch(
      /^101 Switching Protocols \(nginx\), Sec-WebSocket-Accept matches$/,
    );
    expect(detailOf(report, 'websocket')).toContain('"tom" echoed');
    // The backend got what a browser sends, through nginx.
    const seen = echo.handshakes.at(-1);
    expect(seen?.origin).toBe(`https://${host}:${ports.good}`);
    expect(seen?.upgrade).toBe('websocket');
  });

  it('survives --idle shorter than the site timeout', async () => {
    const { exit, report } = await probe(at(ports.good), { ...trusted(ports.good), idle: '1s' });
    expect(stageLine(report)).toBe('dns✔ tcp✔ tls✔ http✔ websocket✔ idle✔');
    expect(exit).toBe(0);
    expect(detailOf(report, 'idle')).toMatch(/^silent for 1 s, then ping answered/);
  });

  it('infers proxy_read_timeout when a --timeout 2s site drops a socket idle for 4 s', async () => {
    const { exit, report } = await probe(at(ports.shortTimeout), {
      ...trusted(ports.shortTimeout),
      idle: '4s',
    });
    expect(stageLine(report)).toBe('dns✔ tcp✔ tls✔ http✔ websocket✔ idle✖');
    expect(exit).toBe(1);
    expect(report.diagnosis?.stage).toBe('idle');
    expect(report.diagnosis?.cause).toContain('read timeout; this one is about 2s');
    expect(report.diagnosis?.cause).toContain('code 1006');
    expect(report.diagnosis?.fix).toContain('proxy_read_timeout 1h;');
    const idle = report.stages.find((stage) => stage.name === 'idle');
    expect(idle?.ms).toBeGreaterThan(1500);
    expect(idle?.ms).toBeLessThan(3500);
  });

  it('names a 404 when the path is not the proxied location', async () => {
    const { exit, report } = await probe(at(ports.good, '/chat'), trusted(ports.good));
    expect(stageLine(report)).toBe('dns✔ tcp✔ tls✔ http✖');
    expect(exit).toBe(1);
    expect(report.diagnosis?.cause).toContain('404 Not Found: nothing handles the path /chat');
    // nginx answered, so only nginx lines are offered.
    expect(report.diagnosis?.fix).toContain('location /chat {');
    expect(report.diagnosis?.fix).not.toContain('ProxyPass');
  });

  it('names a path served as a file, not proxied (200 instead of 101)', async () => {
    const { exit, report } = await probe(at(ports.good, '/static/app.js'), trusted(ports.good));
    expect(detailOf(report, 'http')).toBe('200 OK instead of 101 (a file)');
    expect(exit).toBe(1);
    expect(report.diagnosis?.cause).toContain('no proxy rule covers /static/app.js');
  });

  it('names the redirect of the plain-HTTP port, and notes Mixed Content', async () => {
    const { exit, report } = await probe(at(ports.redirect, '/wss', 'ws'), via(ports.redirect));
    expect(stageLine(report)).toBe('dns✔ tcp✔ http✖');
    expect(exit).toBe(1);
    expect(report.diagnosis?.cause).toContain(`301 Moved Permanently to https://${host}:${ports.good}/wss`);
    expect(report.diagnosis?.cause).toContain('Browsers do not follow redirects');
    expect(report.diagnosis?.fix).toContain(
      `Connect to the final address directly: wss://${host}:${ports.good}/wss`,
    );
    expect(report.notes.join('\n')).toContain('Mixed Content');
    // The note suggests the TLS port the redirect named, not the plain port probed.
    expect(report.notes.join('\n')).toContain(`use ${at(ports.good)}.`);
  });

  it('tells the trailing-slash 301 of a "location /ws/" from the redirect of the plain-HTTP port', async () => {
    const { status, stderr, report } = await probeCli(
      at(ports.slashLocation, '/ws'),
      ports.slashLocation,
      '--ca',
      ca.caCert,
    );
    expect(status).toBe(1);
    expect(stageLine(report)).toBe('dns✔ tcp✔ tls✔ http✖');
    // nginx's Location is absolute and https://, on this same TLS port: not a move to https.
    expect(report.diagnosis?.cause).toContain(
      `301 Moved Permanently to https://${host}:${ports.slashLocation}/ws/`,
    );
    expect(report.diagnosis?.cause).not.toContain('plain-HTTP port');
    expect(report.diagnosis?.cause).toContain('redirects /ws to /ws/');
    expect(report.diagnosis?.fix).toContain(
      `Connect with the trailing slash: ${at(ports.slashLocation, '/ws/')}`,
    );
    expect(report.diagnosis?.fix).toContain('--path /ws');
    expect(stderr).toContain('add the trailing slash');
  });

  it("calls wss:// to the plain-HTTP redirect port the proxy's port, not the backend's", async () => {
    const { status, report } = await probeCli(at(ports.redirect), ports.redirect, '--ca', ca.caCert);
    expect(status).toBe(1);
    expect(stageLine(report)).toBe('dns✔ tcp✔ tls✖');
    expect(report.diagnosis?.cause).toContain(`Port ${ports.redirect} does not speak TLS`);
    expect(report.diagnosis?.cause).toContain("nginx's plain-HTTP port");
    expect(report.diagnosis?.cause).not.toContain('backend');
    expect(report.diagnosis?.fix).toContain(`Use the TLS port from that redirect: ${at(ports.good)}`);
    expect(report.diagnosis?.fix).not.toContain('proxy_pass');
  });

  it('names ws:// sent to the TLS port ("The plain HTTP request was sent to HTTPS port")', async () => {
    const { exit, report } = await probe(at(ports.good, '/wss', 'ws'), via(ports.good));
    expect(exit).toBe(1);
    expect(report.diagnosis?.stage).toBe('http');
    expect(report.diagnosis?.cause).toContain('The plain HTTP request was sent to HTTPS port');
    expect(report.diagnosis?.cause).toContain('SSL23_GET_CLIENT_HELLO:http request');
    expect(report.diagnosis?.fix).toContain(`Use wss://${host}:${ports.good}/wss`);
    // The Mixed Content note keeps the port too.
    expect(report.notes.join('\n')).toContain(`use wss://${host}:${ports.good}/wss.`);
  });

  it('names a stopped backend (502 Bad Gateway)', async () => {
    const { exit, report } = await probe(at(ports.stoppedBackend), trusted(ports.stoppedBackend));
    expect(detailOf(report, 'http')).toBe('502 Bad Gateway: the proxy could not use the backend');
    expect(exit).toBe(1);
    expect(report.diagnosis?.cause).toContain('connect() failed (111: Connection refused)');
    expect(nginx?.errorLog()).toContain('Connection refused');
  });

  it('names a certificate for another name, listing what it covers (IE error 12038)', async () => {
    const { exit, report } = await probe(at(ports.otherName), trusted(ports.otherName));
    expect(stageLine(report)).toBe('dns✔ tcp✔ tls✖');
    expect(exit).toBe(1);
    expect(report.diagnosis?.cause).toContain(
      'The certificate does not cover the name wss.example.test. It covers: other.example.test.',
    );
    expect(report.diagnosis?.cause).toContain('Network Error 12038');
    // The chain is fine; nothing else is wrong with this certificate.
    expect(report.diagnosis?.cause).not.toContain('Also:');
  });

  it('names an IP address used where the certificate names a domain', async () => {
    // The generated site refuses a handshake without one of its names (ssl_reject_handshake): a
    // client sends no SNI for an IP address, so the refusal, not the certificate, is what it meets.
    const { exit, report } = await probe(`wss://127.0.0.1:${ports.good}/wss`, { ca: ca.caCert });
    expect(exit).toBe(1);
    expect(report.diagnosis?.stage).toBe('tls');
    expect(report.diagnosis?.cause).toContain(
      'The URL uses the IP address 127.0.0.1, so no server name (SNI) is sent, and the server refused the TLS handshake',
    );
    expect(report.diagnosis?.cause).toContain('net::ERR_SSL_UNRECOGNIZED_NAME_ALERT');
    expect(report.diagnosis?.fix).toContain(
      `Use one of the site's names in the URL: wss://<your domain>:${ports.good}/wss`,
    );
  });

  it("names the refusal when the name asked is not one of the site's", async () => {
    const { exit, report } = await probe(`wss://evil.example:${ports.good}/wss`, {
      ca: ca.caCert,
      resolve: [`evil.example:${ports.good}:127.0.0.1`],
    });
    expect(exit).toBe(1);
    expect(report.diagnosis?.stage).toBe('tls');
    expect(report.diagnosis?.cause).toContain(
      'refused the TLS handshake for the name evil.example (alert unrecognized_name)',
    );
  });

  it('names an untrusted CA when the probe does not get --ca', async () => {
    const { exit, report } = await probe(at(ports.good), via(ports.good));
    expect(exit).toBe(1);
    expect(report.diagnosis?.cause).toContain(
      'issued by "wss-conf test CA", which is not in the trust store of this machine',
    );
    expect(report.diagnosis?.cause).toContain('NET::ERR_CERT_AUTHORITY_INVALID');
  });

  it('goes on past certificate problems with --insecure, and says so', async () => {
    const { exit, report } = await probe(at(ports.good), { ...via(ports.good), insecure: true });
    expect(detailOf(report, 'tls')).toContain('NOT verified (--insecure): issued by "wss-conf test CA"');
    expect(exit).toBe(0);
    expect(report.notes.join('\n')).toContain('--insecure');
  });

  it('names a self-signed certificate', async () => {
    const { exit, report } = await probe(at(ports.selfSigned), via(ports.selfSigned));
    expect(exit).toBe(1);
    expect(report.diagnosis?.cause).toContain('self-signed certificate ("wss.example.test")');
  });

  it('names an expired certificate', async () => {
    const { exit, report } = await probe(at(ports.expired), { ...via(ports.expired), ca: pki.rootCert });
    expect(detailOf(report, 'tls')).toBe('certificate expired 2020-01-02');
    expect(exit).toBe(1);
    expect(report.diagnosis?.cause).toContain('expired on 2020-01-02');
    expect(report.diagnosis?.cause).toContain('NET::ERR_CERT_DATE_INVALID');
  });

  it('names an incomplete chain (cert.pem instead of fullchain.pem), and passes with the full chain', async () => {
    const broken = await probe(at(ports.leafOnly), { ...via(ports.leafOnly), ca: pki.rootCert });
    expect(broken.exit).toBe(1);
    expect(broken.report.diagnosis?.cause).toContain(
      'The server sent its certificate without the intermediate "Probe Test Intermediate"',
    );
    expect(broken.report.diagnosis?.fix).toContain('fullchain.pem');
    const fixed = await probe(at(ports.fullChain), { ...via(ports.fullChain), ca: pki.rootCert });
    expect(fixed.report.diagnosis).toBeNull();
    expect(fixed.exit).toBe(0);
  });
});

describe.skipIf(tool.skip)('probe against a hand-made nginx site without the Upgrade headers', () => {
  it.each([
    ['a standalone ws backend', 'noUpgrade426', '426 Upgrade Required'],
    ['a Workerman-like backend', 'noUpgrade400', '400 Bad Request'],
  ] as const)('behind %s: the seeds\' "Unexpected response code"', async (_name, key, status) => {
    const { exit, report } = await probe(at(ports[key]), trusted(ports[key]));
    expect(stageLine(report)).toBe('dns✔ tcp✔ tls✔ http✖');
    expect(exit).toBe(1);
    expect(detailOf(report, 'http')).toBe(`${status} instead of 101`);
    expect(report.diagnosis?.cause).toContain(`Unexpected response code: ${status.slice(0, 3)}`);
    expect(report.diagnosis?.cause).toContain('hop-by-hop');
    expect(report.diagnosis?.fix).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(report.diagnosis?.fix).toContain('proxy_set_header Connection "upgrade";');
  });

  it('behind a backend that also serves plain HTTP: 200, and both causes are named', async () => {
    const { exit, report } = await probe(at(ports.noUpgrade200), trusted(ports.noUpgrade200));
    expect(detailOf(report, 'http')).toBe('200 OK instead of 101');
    expect(exit).toBe(1);
    expect(report.diagnosis?.cause).toContain('proxied without the Upgrade and Connection headers');
  });
});

describe.skipIf(tool.skip)('wss-conf probe, the command line', () => {
  it('prints JSON and exits 0 when every stage passes', async () => {
    const result = await runCliAsync([
      'probe',
      at(ports.good),
      '--resolve',
      `${host}:*:127.0.0.1`,
      '--ca',
      ca.caCert,
      '--json',
    ]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as ProbeJson;
    expect(Object.keys(report)).toEqual(['ok', 'url', 'stages', 'diagnosis', 'notes']);
    expect(report.ok).toBe(true);
    expect(report.url).toBe(at(ports.good));
    expect(report.stages.map((stage) => stage.name)).toEqual(['dns', 'tcp', 'tls', 'http', 'websocket']);
    for (const stage of report.stages) expect(Object.keys(stage)).toEqual(['name', 'ok', 'ms', 'detail']);
  });

  it('still prints the report on stdout when the probe fails, and exits 1', async () => {
    const result = await runCliAsync([
      'probe',
      at(ports.stoppedBackend),
      '--resolve',
      `${host}:${ports.stoppedBackend}:127.0.0.1`,
      '--ca',
      ca.caCert,
    ]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^probe wss:\/\/wss\.example\.test:\d+\/wss\n✔ dns /);
    expect(result.stdout).toContain('✖ http');
    expect(result.stdout).toContain('Fix:');
    // NO_COLOR is set by runCliAsync, and stdout is a pipe: no escape codes either way.
    expect(result.stdout).not.toContain('\u001b[');
    expect(result.stderr).toBe(
      'problem: the probe failed at the http stage: 502 Bad Gateway: the proxy could not use the backend\n',
    );
  });

  it('prints JSON with the diagnosis on failure', async () => {
    const result = await runCliAsync([
      'probe',
      at(ports.good, '/chat'),
      '--resolve',
      `${host}:${ports.good}:127.0.0.1`,
      '--ca',
      ca.caCert,
      '--json',
    ]);
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout) as ProbeJson;
    expect(report.ok).toBe(false);
    expect(Object.keys(report.diagnosis ?? {})).toEqual(['stage', 'cause', 'fix']);
    expect(report.diagnosis?.stage).toBe('http');
  });
});
