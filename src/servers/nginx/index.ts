/**
 * nginx as data. Its target is src/targets/nginx.ts, its calls to the binary src/io/nginx.ts and its
 * lint model src/lint/model-nginx.ts; all are loaded only when used.
 */
import { defaultVersions, oldestSupported } from '../../core/versions.js';
import { defineServer } from '../definition.js';
import { hasNginxServerBlock, nginxScore } from './detect.js';

export const nginx = defineServer({
  name: 'nginx',
  title: 'nginx',
  description: 'render an nginx site file (http context: map, upstream, server blocks)',
  sizingSettings: 'nginx.conf',
  versions: {
    default: defaultVersions.nginx,
    oldest: oldestSupported.nginx,
    // Ubuntu 20.04, Debian 12, Ubuntu 24.04, Debian 13, and the release that changed upstream defaults.
    golden: [
      { server: '1.18.0', openssl: '1.1.1' },
      { server: '1.22.1', openssl: '3.0.0' },
      { server: '1.24.0', openssl: '3.0.0' },
      { server: '1.26.3', openssl: '3.5.0' },
      { server: '1.29.7', openssl: '3.5.0' },
    ],
  },
  capabilities: { lint: true, staticFiles: true, siteFile: true },
  // Debian's package includes sites-enabled/*; RHEL's (and nginx.org's) includes conf.d/*.conf.
  layouts: [
    {
      family: 'debian',
      available: '/etc/nginx/sites-available',
      enabled: '/etc/nginx/sites-enabled',
      unit: 'nginx',
    },
    { family: 'rhel', available: '/etc/nginx/conf.d', unit: 'nginx' },
  ],
  looksLike: nginxScore,
  site: { holds: hasNginxServerBlock, what: 'server { … } block' },
  serverHeader: /^nginx\b|openresty|tengine/i,
  instanceFlags: [
    { flag: 'nginx-bin', value: 'file', record: 'bin', help: 'the nginx binary (default: nginx on PATH)' },
    { flag: 'nginx-prefix', value: 'dir', record: 'prefix', help: 'passed as -p to every nginx call' },
    { flag: 'nginx-conf', value: 'file', record: 'conf', help: 'passed as -c to every nginx call' },
  ],
  load: {
    command: () => import('./command.js'),
    target: async () => (await import('../../targets/nginx.js')).renderNginxSite,
    detectVersions: async () => (await import('../../io/nginx.js')).detectNginxVersions,
    configTest: async () => (await import('../../io/nginx.js')).testNginxSite,
    control: async () => (await import('../../io/nginx.js')).nginxControl,
    runbook: async () => (await import('./runbook.js')).nginxRunbook,
    acmeChallenge: async () => (await import('../../targets/acme-challenge.js')).nginxAcmeChallengeSite,
  },
});
