/**
 * `wss-conf haproxy`: versions from --server-version, else `haproxy -vv`, else Debian 12's 2.6.12 with
 * a warning. The config test loads only when --check asks for it.
 */
import { siteCommand } from '../../commands/render-site.js';
import { haproxy } from './index.js';
import { renderHaproxy } from './target.js';

export const { siteTarget, run } = siteCommand(haproxy, {
  detect: async () => (await import('./config-test.js')).detectHaproxyVersions(),
  render: renderHaproxy,
  test: async (text, path) => (await import('./config-test.js')).testHaproxyConfig(text, path),
});
