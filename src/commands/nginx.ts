import type { GenerationOptions } from '../core/options.js';
import { defaultVersions } from '../core/versions.js';
import { type DetectedVersions, detectNginxVersions, testNginxSite } from '../io/nginx.js';
import { renderNginxSite } from '../targets/nginx.js';
import type { TargetVersions } from '../targets/site.js';
import { type CommandResult, type OutputFlags, renderSiteCommand, type SiteTarget } from './render-site.js';

/** --server-version, else the installed nginx (`nginx -V`), else the documented default. */
export function resolveNginxVersions(
  options: GenerationOptions,
  detected: DetectedVersions | undefined,
): TargetVersions {
  const server = options.serverVersion ?? detected?.server;
  return {
    server: server ?? defaultVersions.nginx,
    openssl: options.opensslVersion ?? detected?.openssl ?? defaultVersions.openssl,
    source: options.serverVersion ? 'given' : server ? 'detected' : 'default',
  };
}

/** The nginx target for renderSite; detection of the installed nginx starts right away, in parallel. */
export function nginxSiteTarget(input: Record<string, unknown>): SiteTarget {
  // Not needed when both versions are given; otherwise nginx runs while the options are validated.
  const detection =
    input.serverVersion !== undefined && input.opensslVersion !== undefined
      ? Promise.resolve(undefined)
      : detectNginxVersions();
  return {
    server: 'nginx',
    resolveVersions: async (options) => resolveNginxVersions(options, await detection),
    render: renderNginxSite,
    test: (text, path) => testNginxSite(text, path),
  };
}

export function runNginx(input: Record<string, unknown>, flags: OutputFlags): Promise<CommandResult> {
  return renderSiteCommand(nginxSiteTarget(input), input, flags);
}
