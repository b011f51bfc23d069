import type { GenerationOptions } from '../core/options.js';
import { defaultVersions } from '../core/versions.js';
import { type DetectedVersions, detectNginxVersions, testNginxSite } from '../io/nginx.js';
import { renderNginxSite } from '../targets/nginx.js';
import type { TargetVersions } from '../targets/site.js';
import { type CommandResult, type OutputFlags, renderSiteCommand } from './render-site.js';

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

export function runNginx(input: Record<string, unknown>, flags: OutputFlags): Promise<CommandResult> {
  // Started before validation so that nginx runs meanwhile; not needed when both versions are given.
  const detection =
    input.serverVersion !== undefined && input.opensslVersion !== undefined
      ? Promise.resolve(undefined)
      : detectNginxVersions();
  return renderSiteCommand(
    {
      resolveVersions: async (options) => resolveNginxVersions(options, await detection),
      render: renderNginxSite,
      test: (text, path) => testNginxSite(text, path),
    },
    input,
    flags,
  );
}
