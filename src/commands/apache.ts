import type { GenerationOptions } from '../core/options.js';
import { defaultVersions } from '../core/versions.js';
import { type DetectedApacheVersions, detectApacheVersions, testApacheSite } from '../io/apache.js';
import { renderApacheSite } from '../targets/apache.js';
import type { TargetVersions } from '../targets/site.js';
import { type CommandResult, type OutputFlags, renderSiteCommand, type SiteTarget } from './render-site.js';

/**
 * --server-version, else the installed Apache (`apache2 -v` / `httpd -v`), else the documented default
 * (defaultVersions.apache). OpenSSL: --openssl-version, else this machine's `openssl version` when Apache
 * is installed here, else the default.
 */
export function resolveApacheVersions(
  options: GenerationOptions,
  detected: DetectedApacheVersions | undefined,
): TargetVersions {
  const server = options.serverVersion ?? detected?.server;
  return {
    server: server ?? defaultVersions.apache,
    openssl: options.opensslVersion ?? detected?.openssl ?? defaultVersions.openssl,
    source: options.serverVersion ? 'given' : server ? 'detected' : 'default',
  };
}

/** The Apache target for renderSite; detection of the installed Apache starts right away, in parallel. */
export function apacheSiteTarget(input: Record<string, unknown>): SiteTarget {
  // Not needed when both versions are given; otherwise Apache runs while the options are validated.
  const detection =
    input.serverVersion !== undefined && input.opensslVersion !== undefined
      ? Promise.resolve(undefined)
      : detectApacheVersions();
  return {
    server: 'apache',
    resolveVersions: async (options) => resolveApacheVersions(options, await detection),
    render: renderApacheSite,
    test: (text, path) => testApacheSite(text, path),
  };
}

export function runApache(input: Record<string, unknown>, flags: OutputFlags): Promise<CommandResult> {
  return renderSiteCommand(apacheSiteTarget(input), input, flags);
}
