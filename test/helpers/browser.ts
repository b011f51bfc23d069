/**
 * Debian's Chromium (/usr/bin/chromium), driven by playwright-core, for the end-to-end tests: never a
 * downloaded browser. It trusts a private CA the way a Linux user makes it trust one, through the NSS
 * database in $HOME/.pki/nssdb, never by ignoring certificate errors; and it resolves the test names to
 * loopback itself, as the test network has nothing else.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';

/** The nickname the test CA gets in the NSS database. */
const caNickname = 'wss-conf-test';

/**
 * A throwaway HOME with an empty NSS database, as `certutil -N` makes it, and `trustedCa` added as a
 * CA trusted for TLS servers (`-t "C,,"`) when given. Chromium on Linux reads its trust anchors beyond
 * the built-in root store from $HOME/.pki/nssdb, so this HOME is all that decides what it trusts.
 */
export function makeNssHome(trustedCa?: string): string {
  const home = mkdtempSync(join(tmpdir(), 'wss-conf-browser-home-'));
  const nssDb = join(home, '.pki', 'nssdb');
  mkdirSync(nssDb, { recursive: true });
  const certutil = (args: string[]) =>
    execFileSync('certutil', ['-d', `sql:${nssDb}`, ...args], { stdio: 'pipe' });
  certutil(['-N', '--empty-password']);
  if (trustedCa) certutil(['-A', '-n', caNickname, '-t', 'C,,', '-i', trustedCa]);
  return home;
}

/** The nicknames and trust flags of the certificates in the NSS database of `home`, as `certutil -L` lists them. */
export function nssTrustList(home: string): string {
  return execFileSync('certutil', ['-d', `sql:${join(home, '.pki', 'nssdb')}`, '-L'], { encoding: 'utf8' });
}

export interface TestBrowser {
  readonly browser: Browser;
  readonly home: string;
  /** Closes the browser (ending its processes) and removes its HOME. */
  close(): Promise<void>;
}

/**
 * Launches headless Chromium with HOME set to `home` and every name in `loopbackNames` resolved to
 * 127.0.0.1 (the port stays the one in the URL); any other name fails to resolve at once.
 */
export async function launchChromium(home: string, loopbackNames: readonly string[]): Promise<TestBrowser> {
  const hostRules = [...loopbackNames.map((name) => `MAP ${name} 127.0.0.1`), 'MAP * ~NOTFOUND'].join(', ');
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    env: { ...process.env, HOME: home },
    args: [
      // Chromium's sandbox refuses to run as root; the tests run as root in CI's container.
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      `--host-resolver-rules=${hostRules}`,
      // Nothing but the test's own requests: no proxy from the environment, no update checks, sync,
      // metrics, component or safe-browsing downloads, first-run pages or crash uploads.
      '--no-proxy-server',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      '--disable-domain-reliability',
      '--disable-client-side-phishing-detection',
      '--disable-breakpad',
      '--no-first-run',
      '--no-default-browser-check',
      '--metrics-recording-only',
      '--no-pings',
    ],
  });
  return {
    browser,
    home,
    close: async () => {
      await browser.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
