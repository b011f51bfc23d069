import { detectNginxVersions, testNginxSite } from '../io/nginx.js';
import { renderNginxSite } from '../targets/nginx.js';
import {
  type CommandResult,
  detectingSiteTarget,
  type OutputFlags,
  renderSiteCommand,
  type SiteTarget,
} from './render-site.js';

/** The nginx target for renderSite: versions from --server-version, else `nginx -V`, else the default. */
export const nginxSiteTarget = (input: Record<string, unknown>): SiteTarget =>
  detectingSiteTarget(input, {
    server: 'nginx',
    detect: () => detectNginxVersions(),
    render: renderNginxSite,
    test: (text, path) => testNginxSite(text, path),
  });

export function runNginx(input: Record<string, unknown>, flags: OutputFlags): Promise<CommandResult> {
  return renderSiteCommand(nginxSiteTarget(input), input, flags);
}
