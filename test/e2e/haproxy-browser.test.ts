/**
 * Debian's Chromium end to end through a generated haproxy.cfg: a page from the site's own https origin
 * opens wss:// to it and gets its messages echoed by a real `ws` backend. HAProxy offers HTTP/2 (ALPN
 * h2) and, from 2.4, WebSockets over it (RFC 8441, SETTINGS_ENABLE_CONNECT_PROTOCOL), which nginx does
 * not; the test records which one Chromium used, from its own DevTools events: a WebSocket over HTTP/2
 * is answered 200, one over HTTP/1.1 with 101 Switching Protocols.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, makeNssHome, type TestBrowser } from '../helpers/browser.js';
import { type RunningHaproxy, renderHaproxySite, startHaproxy } from '../helpers/haproxy-server.js';
import { makeTestCa, type TestCa } from '../helpers/pki.js';
import { type EchoBackend, startEchoBackend } from '../helpers/servers.js';
import type { RenderedSite } from '../helpers/site.js';
import { requireTool } from '../helpers/tools.js';

const host = 'chat.example.test';
const tools = [requireTool('chromium'), requireTool('certutil'), requireTool('haproxy')];
const skip = tools.some((tool) => tool.skip);

/** In the page (source text, as the DOM is not in this project's types): wss:// to its own origin,
 *  send, collect the echoes, close. */
const talk = `(messages) => new Promise((resolve, reject) => {
  const socket = new WebSocket('wss://' + location.host + '/chat');
  const echoes = [];
  socket.onopen = () => { for (const message of messages) socket.send(message); };
  socket.onmessage = (event) => {
    echoes.push(String(event.data));
    if (echoes.length === messages.length) socket.close(1000, 'done');
  };
  socket.onclose = (event) => resolve({ echoes, closeCode: event.code });
  socket.onerror = () => reject(new Error('WebSocket error'));
})`;

describe.skipIf(skip)('Chromium, end to end through a generated haproxy.cfg', () => {
  let ca: TestCa;
  let backend: EchoBackend;
  let site: RenderedSite;
  let haproxy: RunningHaproxy;
  let browser: TestBrowser;

  beforeAll(async () => {
    ca = makeTestCa();
    backend = await startEchoBackend();
    site = await renderHaproxySite(ca, host, [backend.port], []);
    haproxy = await startHaproxy(site.file, site.ports);
    browser = await launchChromium(makeNssHome(ca.caCert), [host]);
  });

  afterAll(async () => {
    await browser?.close();
    await haproxy?.stop();
    await backend?.stop();
  });

  it('loads the page over HTTP/2 and echoes over wss://, and says which protocol carried the socket', async () => {
    const context = await browser.browser.newContext();
    try {
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      const handshakes: number[] = [];
      cdp.on('Network.webSocketHandshakeResponseReceived', (event) => {
        handshakes.push(event.response.status);
      });
      const response = await page.goto(`https://${host}:${site.tlsPort}/`);
      expect(response?.status()).toBe(200);
      const pageProtocol = await page.evaluate(
        "performance.getEntriesByType('navigation')[0].nextHopProtocol",
      );
      expect(pageProtocol).toBe('h2');
      const before = backend.handshakes.length;
      const messages = ['hello through haproxy', 'ünïcødé ✓', 'x'.repeat(70_000)];
      const result = await page.evaluate(`(${talk})(${JSON.stringify(messages)})`);
      expect(result).toEqual({ echoes: messages, closeCode: 1000 });
      // The backend got an HTTP/1.1 Upgrade either way, with the proxy's forwarded headers.
      expect(backend.handshakes.slice(before)).toHaveLength(1);
      expect(backend.handshakes[before]).toMatchObject({
        upgrade: 'websocket',
        'x-forwarded-proto': 'https',
        'x-forwarded-for': '127.0.0.1',
      });
      // What is true with Debian's Chromium and HAProxy 2.6.12: the socket rides the page's HTTP/2
      // connection as an extended CONNECT (RFC 8441), answered 200, where HTTP/1.1 would be 101; and
      // HAProxy's own log line for it says HTTP/2.0 (and 101 from the backend, to which it is HTTP/1.1).
      expect(handshakes).toEqual([200]);
      await expect.poll(() => haproxy.log()).toMatch(/"GET https:\/\/[^ ]+\/chat HTTP\/2\.0"/);
    } finally {
      await context.close();
    }
  });

  // Over HTTP/2 the socket is one stream of a connection that `timeout client` (30s) would close when
  // idle; the stream in tunnel mode must be held by `timeout tunnel` instead, as over HTTP/1.1.
  it('keeps a socket over HTTP/2 idle for 65 s alive under the default timeout', async () => {
    const context = await browser.browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`https://${host}:${site.tlsPort}/`);
      await page.evaluate(`new Promise((resolve, reject) => {
        const socket = new WebSocket('wss://' + location.host + '/idle');
        window.idleSocket = socket;
        window.idleClosed = false;
        socket.onclose = () => { window.idleClosed = true; };
        socket.onopen = () => resolve();
        socket.onerror = () => reject(new Error('WebSocket error'));
      })`);
      await new Promise((r) => setTimeout(r, 65_000));
      expect(await page.evaluate('window.idleClosed')).toBe(false);
      const reply = await page.evaluate(`new Promise((resolve) => {
        window.idleSocket.onmessage = (event) => resolve(String(event.data));
        window.idleSocket.send('still here');
      })`);
      expect(reply).toBe('still here');
      // HAProxy logs a stream when it ends.
      await page.evaluate("window.idleSocket.close(1000, 'done')");
      await expect.poll(() => haproxy.log()).toMatch(/"GET https:\/\/[^ ]+\/idle HTTP\/2\.0"/);
    } finally {
      await context.close();
    }
  }, 90_000);
});
