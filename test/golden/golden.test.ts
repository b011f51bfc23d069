import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGenerationOptions } from '../../src/core/options.js';
import { compareVersions } from '../../src/core/versions.js';
import { toolVersion } from '../../src/generated/package-info.js';
import { repoRoot } from '../helpers/cli.js';
import { requireTool } from '../helpers/tools.js';
import { goldenTargets } from './targets.js';

const casesDir = join(repoRoot, 'fixtures', 'cases');
const cases = readdirSync(casesDir).sort();
const update = process.env.UPDATE_GOLDEN === '1';

for (const target of goldenTargets) {
  const accepted = cases.filter((name) =>
    target.accepts(JSON.parse(readFileSync(join(casesDir, name, 'options.json'), 'utf8'))),
  );
  const matrix = accepted.flatMap((name) => target.versions.map((v) => [name, v.server, v.openssl] as const));

  describe(`${target.name} goldens`, () => {
    it.each(matrix)('%s for %s %s renders exactly the golden file', (name, server, openssl) => {
      const input = JSON.parse(readFileSync(join(casesDir, name, 'options.json'), 'utf8'));
      const options = parseGenerationOptions({ ...input, serverVersion: server, opensslVersion: openssl });
      const site = target.render(options, { server, openssl, source: 'given' }, toolVersion);
      const [content] = Object.values(site.files);
      const goldenPath = join(casesDir, name, 'expected', `${target.name}-${server}.conf`);
      if (update) {
        mkdirSync(join(casesDir, name, 'expected'), { recursive: true });
        writeFileSync(goldenPath, content as string);
      }
      expect(existsSync(goldenPath), `${goldenPath} is missing; run UPDATE_GOLDEN=1`).toBe(true);
      expect(content).toBe(readFileSync(goldenPath, 'utf8'));
    });
  });

  // Newer targets use directives an older binary rejects (`http2 on` before nginx 1.25.1), so only the
  // goldens written for the installed version or older can go through the installed server's test.
  const tool = requireTool(target.name);
  describe.skipIf(tool.skip)(`${target.name} goldens pass the real config test`, async () => {
    const installed = (await target.installed()) ?? '0';
    const testable = matrix.filter(([, server]) => compareVersions(server, installed) <= 0);
    it('has goldens old enough for the installed server to test', () => {
      expect(testable.length).toBeGreaterThan(0);
    });
    it.each(testable)('%s for %s passes the installed server', async (name, server) => {
      const goldenPath = join(casesDir, name, 'expected', `${target.name}-${server}.conf`);
      const result = await target.test(readFileSync(goldenPath, 'utf8'), goldenPath);
      expect(result.output).toBe('');
      expect(result.ok).toBe(true);
    });
  });
}
