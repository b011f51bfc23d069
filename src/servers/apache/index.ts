/**
 * Apache httpd as data. Its target is src/targets/apache.ts, its calls to the binary src/io/apache.ts
 * and its lint model src/lint/model-apache.ts; all are loaded only when used.
 */
import { defaultVersions, oldestSupported } from '../../core/versions.js';
import { defineServer } from '../definition.js';
import { apacheScore, hasApacheVirtualHost } from './detect.js';

export const apache = defineServer({
  name: 'apache',
  title: 'Apache',
  description: 'render an Apache site file (global SSL cache + VirtualHost blocks)',
  sizingSettings: 'MPM',
  versions: {
    default: defaultVersions.apache,
    oldest: oldestSupported.apache,
    // RHEL 8 (the documented default), Ubuntu 20.04, the last release before `upgrade=websocket` and the
    // first with it, Ubuntu 24.04, and Debian 13 with OpenSSL 3.5 (X25519MLKEM768).
    golden: [
      { server: '2.4.37', openssl: '1.1.1' },
      { server: '2.4.41', openssl: '1.1.1' },
      { server: '2.4.46', openssl: '1.1.1' },
      { server: '2.4.47', openssl: '1.1.1' },
      { server: '2.4.58', openssl: '3.0.0' },
      { server: '2.4.65', openssl: '3.5.0' },
    ],
  },
  capabilities: { lint: true, staticFiles: true, siteFile: true },
  // Debian's apache2.conf includes sites-enabled/ (a2ensite makes the link); RHEL's httpd.conf includes
  // conf.d/*.conf.
  layouts: [
    {
      family: 'debian',
      available: '/etc/apache2/sites-available',
      enabled: '/etc/apache2/sites-enabled',
      enableCommand: 'a2ensite',
      unit: 'apache2',
    },
    { family: 'rhel', available: '/etc/httpd/conf.d', unit: 'httpd' },
  ],
  looksLike: apacheScore,
  site: { holds: hasApacheVirtualHost, what: '<VirtualHost> section' },
  serverHeader: /^apache\b/i,
  instanceFlags: [
    {
      flag: 'apache-bin',
      value: 'file',
      record: 'bin',
      help: 'the apache2/httpd binary (default: apache2ctl for the system Apache)',
    },
    {
      flag: 'apache-root',
      value: 'dir',
      record: 'root',
      help: 'passed as -d (ServerRoot) to every Apache call',
    },
    { flag: 'apache-conf', value: 'file', record: 'conf', help: 'passed as -f to every Apache call' },
  ],
  load: {
    command: () => import('./command.js'),
    target: async () => (await import('../../targets/apache.js')).renderApacheSite,
    detectVersions: async () => (await import('../../io/apache.js')).detectApacheVersions,
    configTest: async () => (await import('../../io/apache.js')).testApacheSite,
    control: async () => (await import('../../io/apache.js')).apacheControl,
    runbook: async () => (await import('./runbook.js')).apacheRunbook,
    acmeChallenge: async () => (await import('../../targets/acme-challenge.js')).apacheAcmeChallengeSite,
  },
});
