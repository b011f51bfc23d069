import { detectApacheVersions, testApacheSite } from '../io/apache.js';
import { renderApacheSite } from '../targets/apache.js';
import {
  type CommandResult,
  detectingSiteTarget,
  type OutputFlags,
  renderSiteCommand,
  type SiteTarget,
} from './render-site.js';

/**
 * The Apache target for renderSite: versions from --server-version, else the installed Apache
 * (`apache2 -v` / `httpd -v`), else the documented default (defaultVersions.apache). OpenSSL:
 * --openssl-version, else this machine's `openssl version` when Apache is installed here, else the default.
 */
export const apacheSiteTarget = (input: Record<string, unknown>): SiteTarget =>
  detectingSiteTarget(input, {
    server: 'apache',
    detect: detectApacheVersions,
    render: renderApacheSite,
    test: (text, path) => testApacheSite(text, path),
  });

export function runApache(input: Record<string, unknown>, flags: OutputFlags): Promise<CommandResult> {
  return renderSiteCommand(apacheSiteTarget(input), input, flags);
}
