import { renderHaproxy } from '../servers/haproxy/target.js';
import {
  type CommandResult,
  detectingSiteTarget,
  type OutputFlags,
  renderSiteCommand,
  type SiteTarget,
} from './render-site.js';

/**
 * The HAProxy target for renderSite: versions from --server-version, else `haproxy -vv`, else
 * Debian 12's 2.6.12 with a warning. The config test loads only when --check asks for it.
 */
export const haproxySiteTarget = (input: Record<string, unknown>): SiteTarget =>
  detectingSiteTarget(input, {
    server: 'haproxy',
    detect: async () => (await import('../servers/haproxy/config-test.js')).detectHaproxyVersions(),
    render: renderHaproxy,
    test: async (text, path) =>
      (await import('../servers/haproxy/config-test.js')).testHaproxyConfig(text, path),
  });

export function runHaproxy(input: Record<string, unknown>, flags: OutputFlags): Promise<CommandResult> {
  return renderSiteCommand(haproxySiteTarget(input), input, flags);
}
