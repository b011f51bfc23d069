/**
 * `wss-conf nginx`: versions from --server-version, else `nginx -V`, else the default. Imported
 * statically here, not through the definition's loaders, so the render bundle holds the target itself.
 */
import { siteCommand } from '../../commands/render-site.js';
import { detectNginxVersions, testNginxSite } from '../../io/nginx.js';
import { renderNginxSite } from '../../targets/nginx.js';
import { nginx } from './index.js';

export const { siteTarget, run } = siteCommand(nginx, {
  detect: () => detectNginxVersions(),
  render: renderNginxSite,
  test: (text, path) => testNginxSite(text, path),
});
