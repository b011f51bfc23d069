/**
 * `wss-conf apache`: versions from --server-version, else the installed Apache (`apache2 -v` /
 * `httpd -v`), else the documented default. OpenSSL: --openssl-version, else this machine's
 * `openssl version` when Apache is installed here, else the default.
 */
import { siteCommand } from '../../commands/render-site.js';
import { detectApacheVersions, testApacheSite } from '../../io/apache.js';
import { renderApacheSite } from '../../targets/apache.js';
import { apache } from './index.js';

export const { siteTarget, run } = siteCommand(apache, {
  detect: detectApacheVersions,
  render: renderApacheSite,
  test: (text, path) => testApacheSite(text, path),
});
