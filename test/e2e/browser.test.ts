/**
 * A real browser, end to end: Debian's Chromium loads an https page from the static location of a site
 * the CLI generated, and that page talks to a real `ws` echo backend over wss:// through the proxy, once
 * through nginx and once through Apache. The browser trusts the throwaway CA only because it is in the
 * NSS database of the browser's HOME (the controls show a browser without it, and a name the certificate
 * does not cover, are refused), and the same page trying ws:// is blocked as Mixed Content: the first
 * error of the seeds, reproduced where it happens.
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApache } from '../helpers/apache-server.js';
import { launchChromium, makeNssHome, nssTrustList, type TestBrowser } from '../helpers/browser.js';
import { makeTestCa, type TestCa } from '../helpers/pki.js';
import { type EchoBackend, startEchoBackend, startNginx } from '../helpers/servers.js';
import { renderSite } from '../helpers/site.js';
import { requireTool } from '../helpers/tools.js';

const host = 'chat.example.test';
/** Resolves to the same loopback proxy, but the site's certificate does not name it. */
const uncoveredHost = 'other.example.test';
/**
 * The plain ws:// backend under a name. Not ws://127.0.0.1: Chromium counts loopback as potentially
 * trustworthy and does not block it as Mixed Content (checked with Chromium 156), whereas the seeds'
 * pages named a remote server.
 */
const backendHost = 'backend.example.test';

const browserTools = [requireTool('chromium'), requireTool('certutil')];
const browserSkip = browserTools.some((tool) => tool.skip);

/**
 * What the page sends: text, non-ASCII text, and one message longer than 65,535 bytes, whose frame
 * carries a 64-bit length (RFC 6455, 5.2) that the proxy must pass on intact.
 */
const messages = ['hello over wss', 'ünïcødé ✓ 你好', 'x'.repeat(70_000)];

/**
 * The client: opens the socket named by ?socket= (by default wss:// to the page's own host and port),
 * sends every message once open, lists each echo, closes when all are back, and shows in #status what
 * happened, including the exception when the browser refuses to construct the socket at all. When
 * there is nothing more to wait for, <body> gets data-done.
 */
const appJs = `const messages = ${JSON.stringify(messages)};
const status = document.getElementById('status');
const echoes = document.getElementById('echoes');
document.getElementById('protocol').textContent = performance.getEntriesByType('navigation')[0].nextHopProtocol;
const url = new URLSearchParams(location.search).get('socket') || 'wss://' + location.host + '/chat';
try {
  const socket = new WebSocket(url);
  socket.onopen = () => {
    status.textContent = 'open';
    for (const message of messages) socket.send(message);
  };
  socket.onmessage = (event) => {
    const item = document.createElement('li');
    item.textContent = event.data;
    echoes.append(item);
    if (echoes.children.length === messages.length) socket.close(1000, 'done');
  };
  socket.onclose = (event) => {
    status.textContent = 'closed ' + event.code;
    document.body.dataset.done = '';
  };
} catch (error) {
  status.textContent = error.name + ': ' + error.message;
  document.body.dataset.done = '';
}
`;

const indexHtml = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>wss-conf end-to-end</title>
<p id="status">connecting</p>
<p id="protocol"></p>
<ol id="echoes"></ol>
<script src="app.js"></script>
</html>
`;

interface PageOutcome {
  readonly status: string;
  readonly echoes: string[];
  /** How the page itself came: h2 or http/1.1. */
  readonly protocol: string;
  readonly consoleLines: string[];
}

/** Loads `url` in a fresh page and waits until its socket is closed or was never made. */
async function runPage(browser: TestBrowser, url: string): Promise<PageOutcome> {
  const context = await browser.browser.newContext();
  try {
    const page: Page = await context.newPage();
    const consoleLines: string[] = [];
    page.on('console', (message) => consoleLines.push(message.text()));
    const response = await page.goto(url);
    expect(response?.status()).toBe(200);
    await page.waitForSelector('body[data-done]', { state: 'attached', timeout: 15_000 });
    return {
      status: (await page.locator('#status').textContent()) ?? '',
      echoes: await page.locator('#echoes li').allTextContents(),
      protocol: (await page.locator('#protocol').textContent()) ?? '',
      consoleLines,
    };
  } finally {
    await context.close();
  }
}

/** The error page.goto fails with, or 'loaded'. */
async function navigationError(browser: TestBrowser, url: string): Promise<string> {
  const context = await browser.browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url);
    return 'loaded';
  } catch (error) {
    return (error as Error).message;
  } finally {
    await context.close();
  }
}

interface ProxyServer {
  readonly label: string;
  readonly command: 'nginx' | 'apache';
  readonly skip: boolean;
  start(siteFile: string, port: number): Promise<{ stop(): Promise<void>; errorLog(): string }>;
}

const proxies: readonly ProxyServer[] = [
  {
    label: 'nginx',
    command: 'nginx',
    skip: requireTool('nginx').skip,
    start: (file, port) => startNginx([file], [port]),
  },
  {
    label: 'Apache',
    command: 'apache',
    skip: requireTool('apache').skip,
    start: (file, port) => startApache([file], [port]),
  },
];

describe.skipIf(browserSkip)('Chromium, end to end through generated sites', () => {
  let ca: TestCa;
  let backend: EchoBackend;
  let staticDir: string;
  let siteDir: string;
  /** Trusts the test CA through its NSS database. */
  let trusting: TestBrowser;
  /** The same launch with an empty NSS database: the control for where the trust comes from. */
  let untrusting: TestBrowser;

  beforeAll(async () => {
    ca = makeTestCa();
    backend = await startEchoBackend();
    siteDir = mkdtempSync(join(tmpdir(), 'wss-conf-e2e-'));
    staticDir = join(siteDir, 'static');
    mkdirSync(staticDir);
    writeFileSync(join(staticDir, 'index.html'), indexHtml);
    writeFileSync(join(staticDir, 'app.js'), appJs);
    // As root, Apache's workers run as nobody (test/helpers/apache-server.ts), and mkdtemp's mode 700
    // would keep them out of the static files.
    chmodSync(siteDir, 0o755);
    chmodSync(staticDir, 0o755);
    const names = [host, uncoveredHost, backendHost];
    // Both at once, to save a second; settled, so that one failing still leaves the other to close.
    const [trustingLaunch, untrustingLaunch] = await Promise.allSettled([
      launchChromium(makeNssHome(ca.caCert), names),
      launchChromium(makeNssHome(), names),
    ]);
    if (trustingLaunch.status === 'fulfilled') trusting = trustingLaunch.value;
    if (untrustingLaunch.status === 'fulfilled') untrusting = untrustingLaunch.value;
    for (const launch of [trustingLaunch, untrustingLaunch]) {
      if (launch.status === 'rejected') throw launch.reason;
    }
  });

  afterAll(async () => {
    await Promise.all([trusting?.close(), untrusting?.close()]);
    await backend?.stop();
  });

  it('has the test CA in the trusting browser’s NSS database only, trusted for TLS servers', () => {
    expect(nssTrustList(trusting.home)).toMatch(/^wss-conf-test\s+C,,\s*$/m);
    expect(nssTrustList(untrusting.home)).not.toContain('wss-conf-test');
  });

  it('reaches the ws:// backend from a plain http:// page: the Mixed Content block below is not the network', async () => {
    const before = backend.handshakes.length;
    const context = await trusting.browser.newContext();
    try {
      const page = await context.newPage();
      // The backend answers plain HTTP with 200, so it can serve as an http:// origin.
      await page.goto(`http://${backendHost}:${backend.port}/`);
      const echoed = await page.evaluate(
        (url) =>
          new Promise<string>((resolve, reject) => {
            const socket = new WebSocket(url);
            socket.onopen = () => socket.send('plain ws from a plain page');
            socket.onmessage = (event) => {
              resolve(String(event.data));
              socket.close();
            };
            socket.onerror = () => reject(new Error(`no socket to ${url}`));
          }),
        `ws://${backendHost}:${backend.port}/chat`,
      );
      expect(echoed).toBe('plain ws from a plain page');
      expect(backend.handshakes.length).toBe(before + 1);
    } finally {
      await context.close();
    }
  });

  for (const proxy of proxies) {
    describe.skipIf(proxy.skip)(`through a generated ${proxy.label} site`, () => {
      let port: number;
      let server: { stop(): Promise<void>; errorLog(): string } | undefined;
      let pageUrl: string;

      beforeAll(async () => {
        const site = await renderSite(ca, {
          server: proxy.command,
          host,
          backendPorts: [backend.port],
          redirectPort: false,
          dir: siteDir,
          extra: ['--static-dir', staticDir],
        });
        port = site.tlsPort;
        server = await proxy.start(site.file, port);
        pageUrl = `https://${host}:${port}/static/index.html`;
      });

      afterAll(async () => {
        await server?.stop();
      });

      it('loads the page from the static location and echoes every message over wss:// through the proxy', async () => {
        const before = backend.handshakes.length;
        const outcome = await runPage(trusting, pageUrl);
        expect(outcome.echoes).toEqual(messages);
        expect(outcome.status).toBe('closed 1000');
        // The page came over HTTP/2, and the socket still worked: browsers open it over HTTP/1.1.
        expect(outcome.protocol).toBe('h2');
        expect(backend.handshakes.length).toBe(before + 1);
        expect(backend.handshakes[before]).toMatchObject({
          origin: `https://${host}:${port}`,
          'x-forwarded-proto': 'https',
        });
      });

      it('blocks ws:// from the same page as Mixed Content, before any connection is made', async () => {
        const before = backend.handshakes.length;
        const socketUrl = `ws://${backendHost}:${backend.port}/chat`;
        const url = `${pageUrl}?socket=${socketUrl}`;
        const outcome = await runPage(trusting, url);
        // The two lines the seeds quote from the console (docs/troubleshooting.md).
        expect(outcome.consoleLines).toContain(
          `Mixed Content: The page at '${url}' was loaded over HTTPS, but attempted to connect to the insecure WebSocket endpoint '${socketUrl}'. This request has been blocked; this endpoint must be available over WSS.`,
        );
        expect(outcome.status).toBe(
          "SecurityError: Failed to construct 'WebSocket': An insecure WebSocket connection may not be initiated from a page loaded over HTTPS.",
        );
        expect(outcome.echoes).toEqual([]);
        expect(backend.handshakes.length).toBe(before);
      });

      it("refuses a name that is not the site's, for the page and for wss://", async () => {
        // nginx refuses the handshake for a name it does not serve (ssl_reject_handshake), before any
        // certificate is shown; Apache shows its certificate, which does not cover the name.
        const refusal =
          proxy.command === 'nginx'
            ? 'net::ERR_SSL_UNRECOGNIZED_NAME_ALERT'
            : 'net::ERR_CERT_COMMON_NAME_INVALID';
        expect(
          await navigationError(trusting, `https://${uncoveredHost}:${port}/static/index.html`),
        ).toContain(refusal);
        const before = backend.handshakes.length;
        const socketUrl = `wss://${uncoveredHost}:${port}/chat`;
        const outcome = await runPage(trusting, `${pageUrl}?socket=${socketUrl}`);
        expect(outcome.status).toBe('closed 1006');
        expect(outcome.echoes).toEqual([]);
        expect(outcome.consoleLines.join('\n')).toContain(
          `WebSocket connection to '${socketUrl}' failed: Error in connection establishment: ${refusal}`,
        );
        expect(backend.handshakes.length).toBe(before);
      });

      it('is refused by the same browser setup without the test CA in its NSS database', async () => {
        expect(await navigationError(untrusting, pageUrl)).toMatch(/net::ERR_CERT_AUTHORITY_INVALID/);
      });
    });
  }
});
