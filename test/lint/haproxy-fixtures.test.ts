/**
 * The HAProxy rules' fixtures are configs HAProxy itself accepts: each passes the installed
 * `haproxy -c` (certificate files replaced by a throwaway pair, as `wss-conf check` does), so a
 * finding is about behaviour, never about a file HAProxy would refuse anyway.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testHaproxyConfig } from '../../src/servers/haproxy/config-test.js';
import { repoRoot } from '../helpers/cli.js';
import { requireTool } from '../helpers/tools.js';

const tool = requireTool('haproxy');
const dir = join(repoRoot, 'fixtures', 'lint', 'rules');
const fixtures = readdirSync(dir)
  .filter((rule) => rule.startsWith('haproxy-'))
  .flatMap((rule) => readdirSync(join(dir, rule)).map((file) => join(rule, file)));

describe.skipIf(tool.skip)('HAProxy lint fixtures pass haproxy -c', () => {
  it('has fixtures for the three rules', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(7);
  });

  it.each(fixtures)('%s', async (fixture) => {
    const result = await testHaproxyConfig(readFileSync(join(dir, fixture), 'utf8'), fixture);
    expect(result.ok, result.output).toBe(true);
  });
});
