/**
 * HAProxy as data. Everything it needs is in this folder; each part is loaded only when used.
 * apply reaches it through `control` (control.ts: master-worker reloads) and its --haproxy-* flags;
 * its whole-file nature (no sites, a certificate bundle) is handled in bundle.ts.
 */
import { defineServer } from '../definition.js';
import { haproxyScore } from './detect.js';
import { defaultHaproxyVersion, haproxyLtsVersions, oldestHaproxy } from './versions.js';

export const haproxy = defineServer({
  name: 'haproxy',
  title: 'HAProxy',
  description: 'render a complete haproxy.cfg (load balancing in front of several backends)',
  sizingSettings: 'global maxconn',
  versions: {
    default: defaultHaproxyVersion,
    oldest: oldestHaproxy,
    // Every LTS branch: 2.4 and 2.6 (Debian 12, the only one that runs here) read the key from
    // <cert>.key; from 3.0 a crt-store names it. OpenSSL as their distributions pair them.
    golden: haproxyLtsVersions.map((server) => ({
      server,
      openssl: server.startsWith('2.4') ? '1.1.1' : server.startsWith('3.2') ? '3.5.0' : '3.0.0',
    })),
  },
  // One file, the whole configuration: no sites to enable, and no files to serve.
  capabilities: { lint: true, staticFiles: false, siteFile: false },
  layouts: [
    { family: 'debian', available: '/etc/haproxy', unit: 'haproxy' },
    { family: 'rhel', available: '/etc/haproxy', unit: 'haproxy' },
  ],
  looksLike: haproxyScore,
  // A haproxy.cfg is the whole configuration: without a frontend (or listen) it accepts nothing.
  site: {
    holds: (text: string) => /^\s*(frontend|listen)\s/m.test(text),
    what: 'frontend or listen section',
  },
  instanceFlags: [
    {
      flag: 'haproxy-bin',
      value: 'file',
      record: 'bin',
      help: 'the haproxy binary (default: haproxy on PATH)',
    },
    {
      flag: 'haproxy-conf',
      value: 'file',
      record: 'conf',
      help: 'the haproxy.cfg the running master (-W) was started with; apply haproxy installs it (default: /etc/haproxy/haproxy.cfg)',
    },
  ],
  load: {
    command: () => import('./command.js'),
    target: async () => (await import('./target.js')).renderHaproxy,
    detectVersions: async () => (await import('./config-test.js')).detectHaproxyVersions,
    configTest: async () => (await import('./config-test.js')).testHaproxyConfig,
    control: async () => (await import('./control.js')).haproxyControl,
    applyHooks: async () => (await import('./apply-hooks.js')).haproxyApplyHooks,
    probeMatcher: async () => (await import('./probe-matcher.js')).matchHaproxyAnswer,
  },
});
