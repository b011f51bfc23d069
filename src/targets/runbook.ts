/**
 * `--runbook`: the deployment of one rendered site as markdown steps an operator can follow or paste
 * into a change ticket: before you start, install, enable, check, reload, probe, and the one-command
 * `apply` that does the same with a rollback. Pure: it says what to run, it runs nothing.
 *
 * Paths are Debian/Ubuntu's (sites-available + sites-enabled), with RHEL/Fedora's conf.d noted at each
 * step, as in the file's own header; both come from the server's definition, and what only the server
 * knows (how a site is enabled, sized and reloaded) from its src/servers/<name>/runbook.ts.
 */
import type { GenerationOptions } from '../core/options.js';
import type { RunbookFacts, RunbookSite, ServerDefinition } from '../servers/definition.js';
import { runbookBlock as block } from './runbook-text.js';
import {
  clientUrl,
  formatEndpoint,
  regenerateCommand,
  shellWord,
  siteFileName,
  type TargetName,
  type TargetVersions,
} from './site.js';

export interface RunbookInput {
  /** The server's definition (src/servers/<name>/index.ts): its title, layouts and units. */
  readonly server: ServerDefinition<TargetName>;
  /** Its part of the runbook (src/servers/<name>/runbook.ts), loaded by the caller. */
  readonly facts: RunbookFacts;
  readonly options: GenerationOptions;
  readonly versions: TargetVersions;
  /**
   * Where the rendered file is now: --out as an absolute path, or absent when it went to stdout (then
   * the runbook's step 2 renders it).
   */
  readonly writtenTo?: string;
}

/** Debian's layout and RHEL's, from the definition: where the file goes and which unit reloads. */
function layoutsOf(server: ServerDefinition<TargetName>) {
  const debian = server.layouts.find((layout) => layout.family === 'debian') ?? server.layouts[0];
  const rhel = server.layouts.find((layout) => layout.family === 'rhel') ?? debian;
  if (!debian || !rhel) throw new Error(`${server.name}: its definition lists no layout`);
  return { debian, rhel };
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

export function renderRunbook({ server, facts, options, versions, writtenTo }: RunbookInput): string {
  const { debian, rhel } = layoutsOf(server);
  const fileName = siteFileName(options);
  const source = writtenTo ?? fileName;
  const installed = `${debian.available}/${fileName}`;
  const rhelInstalled = `${rhel.available}/${fileName}`;
  const url = clientUrl(options);
  // A version given with --server-version is a decision and stays; a detected or default one is a
  // guess about this machine, so the commands meant for the server let it detect its own.
  const pinned = versions.source === 'given';
  const render = regenerateCommand(server.name, options, versions, { pinVersions: pinned });
  const siteName = fileName.replace(/\.conf$/, '');
  const site: RunbookSite = { fileName, siteName, options, versions };
  const sections: string[] = [];

  sections.push(
    `# Deploy ${url} on ${server.title}`,
    `\`${fileName}\` puts ${server.title} ${versions.server} (${versions.source}) with TLS in front of ` +
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
          `- \`${source}\` was written for ${server.title} ${versions.server} (${versions.source} here). ` +
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

  const sizing = options.maxClients === undefined ? [] : facts.sizing(options.maxClients);
  sections.push('## 3. Enable it', [...facts.enable(site), ...sizing].join('\n'));

  sections.push(
    '## 4. Check',
    [
      block(`wss-conf check ${installed}${facts.checkFlags}`, facts.configTest),
      '',
      'The first tests this file alone, isolated; the second tests the whole configuration as the ' +
        'reload will read it. Go on only when both pass.',
    ].join('\n'),
  );

  const restart = facts.restartOnce?.(site);
  const restartOnce = restart !== undefined;
  sections.push(
    restartOnce ? '## 5. Restart, this once' : '## 5. Reload',
    restartOnce
      ? restart.join('\n')
      : [
          block(`systemctl reload ${debian.unit}`),
          '',
          `A reload, not a restart: ${facts.reloadKeeps}.` +
            (rhel.unit !== debian.unit ? ` RHEL/Fedora: \`systemctl reload ${rhel.unit}\`.` : ''),
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

  const apply = render.replace(`wss-conf ${server.name}`, `wss-conf apply ${server.name}`);
  const modulesFirst = facts.applyNote?.(site, restartOnce) ?? '';
  sections.push(
    '## Or all at once, with a rollback',
    [
      block(`${apply} --enable --verify ${url}`),
      '',
      'This does steps 2 to 6 and puts the old file back, and reloads again, if any of them fails ' +
        `(on RHEL/Fedora leave out \`--enable\`; the file goes to \`${rhel.available}/\`). ` +
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
