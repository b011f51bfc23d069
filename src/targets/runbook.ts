/**
 * `--runbook`: the deployment of one rendered site as markdown steps an operator can follow or paste
 * into a change ticket: before you start, install, enable, check, reload, probe, and the one-command
 * `apply` that does the same with a rollback. Pure: it says what to run, it runs nothing.
 *
 * Paths are Debian/Ubuntu's (sites-available + sites-enabled), with RHEL/Fedora's conf.d noted at each
 * step, as in the file's own header.
 */
import { apacheSizing, nginxSizing } from '../core/capacity.js';
import type { GenerationOptions } from '../core/options.js';
import type { RunbookServerName } from '../servers/registry.js';
import { apacheModulesFor } from './apache.js';
import {
  clientUrl,
  formatEndpoint,
  regenerateCommand,
  shellWord,
  siteFileName,
  type TargetName,
  type TargetVersions,
} from './site.js';

/** The servers a runbook is written for: capabilities.runbook in their definitions. */
export type RunbookServer = RunbookServerName;

export interface RunbookInput {
  readonly server: RunbookServer;
  readonly options: GenerationOptions;
  readonly versions: TargetVersions;
  /**
   * Where the rendered file is now: --out as an absolute path, or absent when it went to stdout (then
   * the runbook's step 2 renders it).
   */
  readonly writtenTo?: string;
}

/** What differs between the servers, in the order the steps use it. */
const servers = {
  nginx: {
    title: 'nginx',
    debianDir: '/etc/nginx/sites-available',
    rhelDir: '/etc/nginx/conf.d',
    configTest: 'nginx -t',
    reload: 'systemctl reload nginx',
    rhelReload: undefined,
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
  },
  apache: {
    title: 'Apache',
    debianDir: '/etc/apache2/sites-available',
    rhelDir: '/etc/httpd/conf.d',
    configTest: 'apachectl configtest',
    reload: 'systemctl reload apache2',
    rhelReload: 'systemctl reload httpd',
    // Debian's and RHEL's units reload with `apachectl graceful`: children finish what they serve,
    // tunnelled sockets included, before they exit (httpd docs, "Stopping and Restarting").
    // GracefulShutdownTimeout applies to graceful-stop only (httpd 2.4, mpm_common), not to a reload.
    reloadKeeps:
      'Apache lets its children finish what they serve, open sockets included, before they exit. ' +
      'Nothing caps that on a reload (`GracefulShutdownTimeout` applies to `apachectl graceful-stop` ' +
      'only): old children keep their sockets and scoreboard slots until the sockets close, and many ' +
      'reloads with long-lived sockets can fill the scoreboard; a restart frees them, dropping every socket',
    certbotPlugin: 'apache',
  },
} as const;

const block = (...lines: string[]): string => ['```sh', ...lines, '```'].join('\n');

/**
 * --max-clients: the server-wide settings N sockets need (src/core/capacity.ts says why), which a site
 * file cannot carry, and the lint that proves the edited file holds them.
 */
function sizingSteps(server: TargetName, maxClients: number | undefined): string[] {
  if (maxClients === undefined) return [];
  if (server === 'nginx') {
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
  }
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
}

/** A handshake curl can make: the backend must answer 101 before the proxy is worth testing. */
function backendCheck(options: GenerationOptions): string[] {
  return options.backends.map(
    (backend) =>
      `curl -si --http1.1 --max-time 2 -H 'Connection: Upgrade' -H 'Upgrade: websocket' ` +
      `-H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' ` +
      `http://${formatEndpoint({ ...backend, host: backend.host ?? '127.0.0.1' })}${options.path} | head -1`,
  );
}

export function renderRunbook({ server, options, versions, writtenTo }: RunbookInput): string {
  const facts = servers[server];
  const fileName = siteFileName(options);
  const source = writtenTo ?? fileName;
  const installed = `${facts.debianDir}/${fileName}`;
  const rhelInstalled = `${facts.rhelDir}/${fileName}`;
  const url = clientUrl(options);
  // A version given with --server-version is a decision and stays; a detected or default one is a
  // guess about this machine, so the commands meant for the server let it detect its own.
  const pinned = versions.source === 'given';
  const render = regenerateCommand(server, options, versions, { pinVersions: pinned });
  const siteName = fileName.replace(/\.conf$/, '');
  const sections: string[] = [];

  sections.push(
    `# Deploy ${url} on ${facts.title}`,
    `\`${fileName}\` puts ${facts.title} ${versions.server} (${versions.source}) with TLS in front of ` +
      `${options.backends.map((b) => `ws://${formatEndpoint(b)}`).join(', ')}. Run the steps on the ` +
      'server, as root. Paths are Debian/Ubuntu’s; RHEL/Fedora differences are noted.',
  );

  // Let's Encrypt issues a wildcard only through the DNS-01 challenge, which the nginx and apache
  // plugins (HTTP-01) cannot answer (letsencrypt.org/docs/challenge-types).
  const wildcard = options.domains.some((domain) => domain.startsWith('*.'));
  const certbotNames = options.domains.map((domain) => `-d ${shellWord(domain)}`).join(' ');
  const certificate = options.certbotDefaultPaths
    ? [
        `- The certificate must exist: \`${options.cert}\` and \`${options.key}\`. With certbot:`,
        '',
        block(
          wildcard
            ? `certbot certonly --manual --preferred-challenges dns ${certbotNames}`
            : `certbot certonly --${facts.certbotPlugin} ${certbotNames}`,
        ),
        '',
        ...(wildcard
          ? [
              '  A wildcard needs the DNS-01 challenge; your DNS provider’s certbot plugin ' +
                '(for example `--dns-cloudflare`) renews it without manual steps.',
            ]
          : [
              `  Or let apply get it and install the renewal hook: add \`--acme\` to the command of the last section${options.acme ? ' (it is there)' : ''}.`,
            ]),
      ]
    : [`- The certificate (\`${options.cert}\`) and key (\`${options.key}\`) must be on the server.`];
  const versionNote =
    writtenTo && !pinned
      ? [
          `- \`${source}\` was written for ${facts.title} ${versions.server} (${versions.source} here). ` +
            'If the server runs another version, render it there instead: ' +
            `\`${render} --out ${fileName}\`.`,
        ]
      : [];
  sections.push(
    '## 1. Before you start',
    [
      ...certificate,
      ...versionNote,
      `- Every name must resolve to this server: ${options.domains.map((d) => `\`${d}\``).join(', ')}.`,
      '- The backend must answer a WebSocket handshake itself; each line should print ' +
        '`HTTP/1.1 101 Switching Protocols`:',
      '',
      block(...backendCheck(options)),
    ].join('\n'),
  );

  // `install` refuses to copy a file onto itself ("are the same file"): --out may be the place already.
  const installLine = (to: string) =>
    writtenTo === to ? `# ${to} is in place already` : `install -m 644 ${shellWord(source)} ${to}`;
  sections.push(
    '## 2. Install the file',
    [
      block(...(writtenTo ? [] : [`${render} --out ${fileName}`]), installLine(installed)),
      '',
      `RHEL/Fedora: \`${installLine(rhelInstalled)}\`.`,
    ].join('\n'),
  );

  const enable =
    server === 'nginx'
      ? [
          block(`ln -s ../sites-available/${fileName} /etc/nginx/sites-enabled/${fileName}`),
          '',
          'RHEL/Fedora: nothing to do; nginx reads `conf.d/*.conf` as it is.',
        ]
      : [
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
        ];
  sections.push('## 3. Enable it', [...enable, ...sizingSteps(server, options.maxClients)].join('\n'));

  const checkFlags = server === 'apache' ? ' --server apache' : '';
  sections.push(
    '## 4. Check',
    [
      block(`wss-conf check ${installed}${checkFlags}`, facts.configTest),
      '',
      'The first tests this file alone, isolated; the second tests the whole configuration as the ' +
        'reload will read it. Go on only when both pass.',
    ].join('\n'),
  );

  // httpd ignores a changed ServerLimit or ThreadLimit on a graceful restart (mpm_common docs,
  // ServerLimit; AH00501), so new MPM sizing needs one real restart.
  const restartOnce = server === 'apache' && options.maxClients !== undefined;
  sections.push(
    restartOnce ? '## 5. Restart, this once' : '## 5. Reload',
    restartOnce
      ? [
          block('systemctl restart apache2'),
          '',
          'A restart this once, because of the MPM settings of step 3: a reload ignores a changed ' +
            '`ServerLimit` or `ThreadLimit` (httpd logs AH00501) and would run with the old limits. A ' +
            'restart drops the sockets open now, so choose a quiet moment; later changes can reload. ' +
            'RHEL/Fedora: `systemctl restart httpd`.',
        ].join('\n')
      : [
          block(facts.reload),
          '',
          `A reload, not a restart: ${facts.reloadKeeps}.` +
            (facts.rhelReload ? ` RHEL/Fedora: \`${facts.rhelReload}\`.` : ''),
        ].join('\n'),
  );

  sections.push(
    '## 6. Probe',
    [
      block(`wss-conf probe ${url}`),
      '',
      'Every stage should pass: dns, tcp, tls, http (101) and websocket. To prove an idle socket ' +
        `survives the proxy's timeouts, add \`--idle 70s\`. If a stage fails, the report says why and ` +
        'which line to change.',
    ].join('\n'),
  );

  const apply = render.replace(`wss-conf ${server}`, `wss-conf apply ${server}`);
  // apply links the site (--enable) but leaves modules alone: a2enmod changes the whole server.
  const modulesFirst =
    server === 'apache'
      ? ` The modules of step 3 must be enabled first${restartOnce ? ', and the restart of step 5 done once after the MPM edit: apply only reloads' : ''}.`
      : '';
  sections.push(
    '## Or all at once, with a rollback',
    [
      block(`${apply} --enable --verify ${url}`),
      '',
      'This does steps 2 to 6 and puts the old file back, and reloads again, if any of them fails ' +
        `(on RHEL/Fedora leave out \`--enable\`; the file goes to \`${facts.rhelDir}/\`). ` +
        `\`wss-conf rollback --target ${installed}\` undoes the last apply.${modulesFirst}`,
      ...(options.acme
        ? [
            '',
            'With `--acme` it first gets the certificate: a plain-HTTP stand-in answers the HTTP-01 challenge from ' +
              `\`${options.acme.webroot}\`, certbot \`certonly --webroot\` writes \`${options.acme.dir}/live/\`, then the TLS site ` +
              `replaces the stand-in, and a deploy hook in \`${options.acme.dir}/renewal-hooks/deploy/\` tests, reloads and checks ` +
              'each renewal. Port 80 of every name must reach this server.',
          ]
        : []),
    ].join('\n'),
  );

  return `${sections.join('\n\n')}\n`;
}
