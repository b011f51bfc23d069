/** nginx's part of `--runbook` (src/targets/runbook.ts writes the steps every server shares). Pure. */
import { nginxSizing } from '../../core/capacity.js';
import { runbookBlock as block } from '../../targets/runbook-text.js';
import type { RunbookFacts } from '../definition.js';

export const nginxRunbook: RunbookFacts = {
  configTest: 'nginx -t',
  // nginx -s reload (what systemd's reload runs) starts workers with the new file and lets the old
  // ones finish their connections: open sockets stay up (nginx docs, "Controlling nginx").
  // An old worker lives as long as its sockets; worker_shutdown_timeout (nginx 1.11.11, CHANGES)
  // caps that, closing what it still holds.
  reloadKeeps:
    'nginx starts new workers with the new file and lets the old ones finish, so open sockets stay up. ' +
    'An old worker stays until its last socket closes (at most the idle timeout); ' +
    '`worker_shutdown_timeout 30s;` (main context, nginx 1.11.11+) caps that, closing those sockets, ' +
    'so clients must reconnect, in exchange for old workers that never pile up over many reloads',
  certbotPlugin: 'nginx',
  checkFlags: '',
  enable: ({ fileName }) => [
    block(`ln -s ../sites-available/${fileName} /etc/nginx/sites-enabled/${fileName}`),
    '',
    'RHEL/Fedora: nothing to do; nginx reads `conf.d/*.conf` as it is.',
  ],
  /** --max-clients: src/core/capacity.ts says why; the lint proves the edited file holds them. */
  sizing: (maxClients) => {
    const sizing = nginxSizing(maxClients);
    return [
      '',
      `For ${maxClients} sockets, change these in \`/etc/nginx/nginx.conf\` (a site file cannot): ` +
        '`worker_connections` in its existing `events` block, `worker_rlimit_nofile` at the top ' +
        '(main context). Then lint it; the reload in step 5 applies them:',
      '',
      '```nginx',
      `worker_rlimit_nofile ${sizing.workerRlimitNofile};`,
      'events {',
      `    worker_connections ${sizing.workerConnections};`,
      '}',
      '```',
      '',
      block(`wss-conf lint /etc/nginx/nginx.conf --max-clients ${maxClients}`),
    ];
  },
};
