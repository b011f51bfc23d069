/**
 * lint scored against a held-out corpus (issue 12, "review the findings cold"): fixtures/lint/holdout/,
 * written by someone who had not seen how the rules were built, from projects that are NOT in
 * fixtures/lint/corpus/ (Odoo, Jenkins, Gotify, RStudio, Collabora, Jellyfin, MeshCentral, Netdata,
 * HedgeDoc, noVNC, Shiny Server, OpenResty, WBO, Pydio Cells, laravel-echo-server, Mosquitto). Each
 * <name>.conf reproduces in our own words how the project publishes its nginx or Apache config; the
 * sibling <name>.expected.json names its source and the truth, decided before lint was run: which
 * errors and warnings a careful ops engineer would act on (rule and line), at lint's default versions
 * ("default") and with --server-version nginx 1.26.0 / Apache 2.4.62 ("new"), and why.
 *
 * Shapes the first corpus lacks: includes of snippets (fixtures/lint/holdout/includes/), OpenResty
 * *_by_lua_block bodies, Apache sockets taken by mod_rewrite (on the Upgrade header or on Socket.IO's
 * query string), wss:// rewrites, upgrade=websocket, several servers and maps per file.
 *
 * Scored like test/lint/corpus.test.ts: errors and warnings only, precision = right / found, recall =
 * right / truths, summed over the corpus; the test prints both for both settings and fails below 0.9
 * and 0.8. The behaviour behind the truths is shown on the real servers in
 * test/lint/holdout-evidence.test.ts; each file's configTest is what nginx 1.22.1 / httpd here say.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LintFlags, lintPaths } from '../../src/commands/lint.js';
import { testApacheSite } from '../../src/io/apache.js';
import { testNginxSite } from '../../src/io/nginx.js';
import type { Finding, ServerType } from '../../src/lint/finding.js';
import { repoRoot } from '../helpers/cli.js';
import { requireTool } from '../helpers/tools.js';

interface Truth {
  readonly rule: string;
  readonly line: number;
  readonly settings: readonly ('default' | 'new')[];
  readonly why: string;
}
interface Expected {
  readonly server: ServerType;
  readonly source: string;
  readonly flags: { readonly wsPath?: readonly string[]; readonly pingInterval?: string };
  readonly configTest: 'accepts' | 'refuses' | 'snippet';
  readonly truths: readonly Truth[];
}

const dir = join(repoRoot, 'fixtures', 'lint', 'holdout');
const holdout = readdirSync(dir)
  .filter((name) => name.endsWith('.conf'))
  .sort()
  .map((name) => ({
    name,
    file: join('fixtures', 'lint', 'holdout', name),
    expected: JSON.parse(
      readFileSync(join(dir, name.replace(/\.conf$/, '.expected.json')), 'utf8'),
    ) as Expected,
  }));

const newVersions: Readonly<Record<ServerType, string>> = {
  nginx: '1.26.0',
  apache: '2.4.62',
  haproxy: '2.6.12',
};
type Setting = 'default' | 'new';

const flagsFor = (expected: Expected, setting: Setting): LintFlags => ({
  server: expected.server,
  cwd: repoRoot,
  ...(setting === 'new' ? { serverVersion: newVersions[expected.server] } : {}),
  ...(expected.flags.wsPath ? { wsPath: expected.flags.wsPath } : {}),
  ...(expected.flags.pingInterval ? { pingInterval: expected.flags.pingInterval } : {}),
});

const lintOf = (entry: (typeof holdout)[number], setting: Setting): readonly Finding[] =>
  lintPaths([entry.file], flagsFor(entry.expected, setting)).findings;

function score(setting: Setting) {
  let [tp, fp, fn] = [0, 0, 0];
  const misses: string[] = [];
  for (const entry of holdout) {
    const findings = lintOf(entry, setting).filter((f) => f.severity !== 'info');
    const found = new Set(findings.map((f) => `${f.rule}:${f.line}`));
    const truth = new Set(
      entry.expected.truths.filter((t) => t.settings.includes(setting)).map((t) => `${t.rule}:${t.line}`),
    );
    for (const finding of findings) {
      const key = `${finding.rule}:${finding.line}`;
      if (truth.has(key)) tp++;
      else {
        fp++;
        misses.push(`false positive ${entry.name} ${key}: ${finding.message}`);
      }
    }
    for (const key of truth) {
      if (!found.has(key)) {
        fn++;
        misses.push(`missed ${entry.name} ${key}`);
      }
    }
  }
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  return { tp, fp, fn, precision, recall, misses };
}

describe('lint against the held-out corpus', () => {
  it('holds at least 15 projects that the first corpus does not', () => {
    const project = (name: string) => name.replace(/-\d+\.conf$/, '');
    const projects = new Set(holdout.map((e) => project(e.name)));
    const corpusProjects = new Set(
      readdirSync(join(repoRoot, 'fixtures', 'lint', 'corpus'))
        .filter((name) => name.endsWith('.conf'))
        .map(project),
    );
    expect([...projects].filter((p) => corpusProjects.has(p))).toEqual([]);
    expect(projects.size).toBeGreaterThanOrEqual(15);
  });

  it.each(['default', 'new'] as const)('%s versions: precision >= 0.9, recall >= 0.8', (setting) => {
    const result = score(setting);
    const label = setting === 'default' ? 'default versions' : 'nginx 1.26.0 / Apache 2.4.62';
    console.log(
      `[holdout] ${label}: ${holdout.length} files, precision ${result.precision.toFixed(2)} (${result.tp}/${result.tp + result.fp}), recall ${result.recall.toFixed(2)} (${result.tp}/${result.tp + result.fn})${result.misses.length ? `\n  ${result.misses.join('\n  ')}` : ''}`,
    );
    expect(result.precision).toBeGreaterThanOrEqual(0.9);
    expect(result.recall).toBeGreaterThanOrEqual(0.8);
  });

  it('never reports a parse error on a file the server accepts', () => {
    const wrong: string[] = [];
    for (const entry of holdout) {
      if (entry.expected.configTest !== 'accepts') continue;
      for (const setting of ['default', 'new'] as const) {
        for (const finding of lintOf(entry, setting)) {
          if (finding.rule === 'parse-error') wrong.push(`${entry.name}:${finding.line} ${finding.message}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('every truth names a line that holds a directive of the file', () => {
    for (const entry of holdout) {
      const lines = readFileSync(join(repoRoot, entry.file), 'utf8').split('\n');
      for (const truth of entry.expected.truths) {
        expect(lines[truth.line - 1]?.trim(), `${entry.name}:${truth.line}`).toMatch(/^[A-Za-z<]/);
      }
    }
  });
});

/**
 * The file as the server's config test must see it: relative includes (`include includes/x;`,
 * `Include includes/x`) name files beside the fixture, which the throwaway prefix does not hold, so
 * they are made absolute; a bare `include proxy_params;` names Debian's /etc/nginx/proxy_params, as it
 * does on the servers these files are published for. The included files themselves are read unchanged.
 */
const withAbsoluteIncludes = (text: string): string =>
  text
    .replace(/^(\s*include\s+)(includes\/)/gim, `$1${dir}/$2`)
    .replace(/^(\s*include\s+)(proxy_params|snippets\/[\w.-]+)\s*;/gm, '$1/etc/nginx/$2;');

const nginx = requireTool('nginx');
const apache = requireTool('apache');
describe('the held-out corpus on the real servers (nginx -t, apache2 -t, in isolation)', () => {
  it.each(holdout.map((entry) => [entry.name, entry] as const))(
    '%s',
    async (_name, entry) => {
      const { expected } = entry;
      if (expected.configTest === 'snippet') return;
      if (expected.server === 'nginx' && nginx.skip) return;
      if (expected.server === 'apache' && apache.skip) return;
      const text = withAbsoluteIncludes(readFileSync(join(repoRoot, entry.file), 'utf8'));
      const test = expected.server === 'nginx' ? testNginxSite : testApacheSite;
      const result = await test(text, entry.file);
      expect(result.ok ? 'accepts' : 'refuses', result.output).toBe(expected.configTest);
    },
    30_000,
  );
});
