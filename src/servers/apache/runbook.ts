/** Apache's part of `--runbook` (src/targets/runbook.ts writes the steps every server shares). Pure. */
import { apacheSizing } from '../../core/capacity.js';
import { apacheModulesFor } from '../../targets/apache.js';
import { runbookBlock as block } from '../../targets/runbook-text.js';
import type { RunbookFacts } from '../definition.js';

export const apacheRunbook: RunbookFacts = {
  configTest: 'apachectl configtest',
  // Debian's and RHEL's units reload with `apachectl graceful`: children finish what they serve,
  // tunnelled sockets included, before they exit (httpd docs, "Stopping and Restarting").
  // GracefulShutdownTimeout applies to graceful-stop only (httpd 2.4, mpm_common), not to a reload.
  reloadKeeps:
    'Apache lets its children finish what they serve, open sockets included, before they exit. ' +
    'Nothing caps that on a reload (`GracefulShutdownTimeout` applies to `apachectl graceful-stop` ' +
    'only): old children keep their sockets and scoreboard slots until the sockets close, and many ' +
    'reloads with long-lived sockets can fill the scoreboard; a restart frees them, dropping every socket',
  certbotPlugin: 'apache',
  checkFlags: ' --server apache',
  enable: ({ siteName, options, versions }) => [
    block(`a2enmod ${apacheModulesFor(options, versions).join(' ')}`, `a2ensite ${siteName}`),
    '',
    `RHEL/Fedora: \`dnf install mod_ssl${apacheModulesFor(options, versions).includes('http2') ? ' mod_http2' : ''}\`; ` +
      '`conf.modules.d` loads the other modules.',
    '',
    // ServerTokens is server-wide (core docs, ServerTokens: "server config" context only), so the
    // site file's `ServerTokens Prod` changes every site; a later one in the main config wins.
    'The file sets `ServerTokens Prod` (the Server header says "Apache", no version), which Apache ' +
      'has only server-wide: it applies to every site, and a `ServerTokens` read after this file ' +
      '(Debian: conf-available/security.conf is read before sites) overrides it.',
  ],
  /** --max-clients: src/core/capacity.ts says why; the lint proves the edited file holds them. */
  sizing: (maxClients) => {
    const sizing = apacheSizing(maxClients);
    return [
      '',
      `For ${maxClients} sockets, the event MPM must be the one loaded: \`a2query -M\` prints \`event\` ` +
        '(RHEL/Fedora: `httpd -V | grep -i mpm`); under prefork, which mod_php needs, every socket takes a ' +
        'whole process. Set it in `/etc/apache2/mods-available/mpm_event.conf` (RHEL/Fedora: a file of ' +
        'its own in `/etc/httpd/conf.d/`), then lint it:',
      '',
      '```apache',
      '<IfModule mpm_event_module>',
      `    ServerLimit        ${sizing.serverLimit}`,
      `    ThreadLimit        ${sizing.threadLimit}`,
      `    ThreadsPerChild    ${sizing.threadsPerChild}`,
      `    MaxRequestWorkers  ${sizing.maxRequestWorkers}`,
      '</IfModule>',
      '```',
      '',
      block(`wss-conf lint /etc/apache2/mods-available/mpm_event.conf --max-clients ${maxClients}`),
    ];
  },
  // httpd ignores a changed ServerLimit or ThreadLimit on a graceful restart (mpm_common docs,
  // ServerLimit; AH00501), so new MPM sizing needs one real restart.
  restartOnce: ({ options }) =>
    options.maxClients === undefined
      ? undefined
      : [
          block('systemctl restart apache2'),
          '',
          'A restart this once, because of the MPM settings of step 3: a reload ignores a changed ' +
            '`ServerLimit` or `ThreadLimit` (httpd logs AH00501) and would run with the old limits. A ' +
            'restart drops the sockets open now, so choose a quiet moment; later changes can reload. ' +
            'RHEL/Fedora: `systemctl restart httpd`.',
        ],
  // apply links the site (--enable) but leaves modules alone: a2enmod changes the whole server.
  applyNote: (_site, restartOnce) =>
    ` The modules of step 3 must be enabled first${restartOnce ? ', and the restart of step 5 done once after the MPM edit: apply only reloads' : ''}.`,
};
