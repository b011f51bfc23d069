/**
 * The stand-in site `apply --acme` installs while it has no certificate yet (pure): the site's own
 * plain-HTTP listener and names, answering /.well-known/acme-challenge/ from certbot's webroot and
 * redirecting everything else to https. It names no certificate files, so the config test passes on
 * a server that has none; the TLS site replaces it once certbot has issued them.
 */
import type { GenerationOptions } from '../core/options.js';
import { apacheAcmeChallengeConf, nginxAcmeChallengeConf } from '../generated/templates.js';
import { apacheSiteView } from './apache.js';
import { nginxSiteView } from './nginx.js';
import type { TargetVersions } from './site.js';
import { renderTemplate } from './templates.js';

const header = (options: GenerationOptions, toolVersion: string): string[] => [
  `Stand-in for the site of ${options.domains.join(', ')}, made by wss-conf ${toolVersion} (apply --acme).`,
  'It serves only the ACME HTTP-01 challenge, so certbot can get the first certificate; apply replaces',
  'it with the TLS site as soon as the certificate is issued, or puts back what was here if that fails.',
];

/** The nginx stand-in; `options.acme` and `options.redirectListen` must be set. */
export function nginxAcmeChallengeSite(
  options: GenerationOptions,
  versions: TargetVersions,
  toolVersion: string,
): string {
  const view = nginxSiteView(options, versions, toolVersion);
  return renderTemplate(nginxAcmeChallengeConf, {
    header: header(options, toolVersion),
    listen: view.redirect?.listen ?? [],
    serverNames: view.serverNames,
    webroot: options.acme?.webroot as string,
    target: view.redirect?.target ?? '',
  });
}

/** The Apache stand-in; `options.acme` and `options.redirectListen` must be set. */
export function apacheAcmeChallengeSite(
  options: GenerationOptions,
  versions: TargetVersions,
  toolVersion: string,
): string {
  const webroot = options.acme?.webroot as string;
  const view = apacheSiteView(options, versions, toolVersion);
  return renderTemplate(apacheAcmeChallengeConf, {
    header: header(options, toolVersion),
    // Only the plain-HTTP Listen: the TLS one would open a port no VirtualHost serves yet.
    listens: view.listens.filter((listen) => !listen.directive.endsWith(' https')),
    vhostAddress: view.redirect?.vhostAddress ?? '',
    serverName: view.serverName,
    serverAliases: view.serverAliases,
    webroot,
    target: view.redirect?.target ?? '',
  });
}
