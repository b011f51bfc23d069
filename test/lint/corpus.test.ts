/**
 * lint scored against a corpus of real-world patterns: fixtures/lint/corpus/<project>-<n>.conf, each
 * written anew (in our own words) after how a project publishes its nginx or Apache config for a
 * WebSocket app, with a sibling <name>.expected.json that states the truth: which errors and warnings
 * a careful ops engineer would act on (rule and line), at lint's default versions ("default") and with
 * --server-version nginx 1.26.0 / Apache 2.4.62 ("new"), and why.
 *
 * Scored: errors and warnings only (info explains, it never fails CI). Precision = right findings /
 * all findings, recall = right findings / all truths, summed over the corpus; the test fails below
 * 0.9 and 0.8. Files named issue-* reproduce patterns named in the lint issue itself (a duplicate
 * proxy_set_header, a missing `;`): scored like the rest, but not counted as projects.
 *
 * Proven on the real servers here: every file's "configTest" (accepts, refuses, or snippet, a bare
 * location meant to be included) is what Debian's nginx 1.22.1 or httpd 2.4 says of it in isolation.
 * The suggested fixes across the corpus and the rule fixtures are checked for the version lint
 * assumes and for conflicts between findings on one line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LintFlags, lintPaths } from '../../src/commands/lint.js';
import { compareVersions, defaultVersions } from '../../src/core/versions.js';
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

const dir = join(repoRoot, 'fixtures', 'lint', 'corpus');
const corpus = readdirSync(dir)
  .filter((name) => name.endsWith('.conf'))
  .sort()
  .map((name) => ({
    name,
    file: join('fixtures', 'lint', 'corpus', name),
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

const lintOf = (entry: (typeof corpus)[number], setting: Setting): readonly Finding[] =>
  lintPaths([entry.file], flagsFor(entry.expected, setting)).findings;

function score(setting: Setting) {
  let [tp, fp, fn] = [0, 0, 0];
  const misses: string[] = [];
  for (const entry of corpus) {
    const found = new Set(
      lintOf(entry, setting)
        .filter((f) => f.severity !== 'info')
        .map((f) => `${f.rule}:${f.line}`),
    );
    const truth = new Set(
      entry.expected.truths.filter((t) => t.settings.includes(setting)).map((t) => `${t.rule}:${t.line}`),
    );
    for (const key of found) {
      if (truth.has(key)) tp++;
      else {
        fp++;
        misses.push(`false positive ${entry.name} ${key}`);
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

describe('lint against the real-world corpus', () => {
  it('holds enough projects', () => {
    const projects = new Set(
      corpus.filter((e) => !e.name.startsWith('issue-')).map((e) => e.name.replace(/-\d+\.conf$/, '')),
    );
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    expect(projects.size).toBeGreaterThanOrEqual(30);
  });

  it.each(['default', 'new'] as const)('%s versions: precision >= 0.9, recall >= 0.8', (setting) => {
    const result = score(setting);
    const label = setting === 'default' ? 'default versions' : 'nginx 1.26.0 / Apache 2.4.62';
    console.log(
      `[corpus] ${label}: ${corpus.length} files, precision ${result.precision.toFixed(2)} (${result.tp}/${result.tp + result.fp}), recall ${result.recall.toFixed(2)} (${result.tp}/${result.tp + result.fn})${result.misses.length ? `\n  ${result.misses.join('\n  ')}` : ''}`,
    );
    expect(result.precision).toBeGreaterThanOrEqual(0.9);
    expect(result.recall).toBeGreaterThanOrEqual(0.8);
  });

  it('every truth names a line that holds a directive of the file', () => {
    for (const entry of corpus) {
      const lines = readFileSync(join(repoRoot, entry.file), 'utf8').split('\n');
      for (const truth of entry.expected.truths) {
        expect(lines[truth.line - 1]?.trim(), `${entry.name}:${truth.line}`).toMatch(/^[A-Za-z<]/);
      }
    }
  });
});

const nginx = requireTool('nginx');
const apache = requireTool('apache');
describe('the corpus on the real servers (nginx -t, apache2 -t, in isolation)', () => {
  it.each(corpus.map((entry) => [entry.name, entry] as const))(
    '%s',
    async (_name, entry) => {
      const { expected } = entry;
      if (expected.configTest === 'snippet') return;
      if (expected.server === 'nginx' && nginx.skip) return;
      if (expected.server === 'apache' && apache.skip) return;
      const text = readFileSync(join(repoRoot, entry.file), 'utf8');
      const test = expected.server === 'nginx' ? testNginxSite : testApacheSite;
      const result = await test(text, entry.file);
      expect(result.ok ? 'accepts' : 'refuses', result.output).toBe(expected.configTest);
    },
    30_000,
  );
});

/** Every file lint is tested on: the corpus and the rule fixtures. */
function allFixtures(): { file: string; server: ServerType | undefined }[] {
  const rulesDir = join(repoRoot, 'fixtures', 'lint', 'rules');
  const rules = readdirSync(rulesDir).flatMap((rule) =>
    readdirSync(join(rulesDir, rule))
      .filter((name) => name.endsWith('.conf'))
      .map((name) => ({ file: join('fixtures', 'lint', 'rules', rule, name), server: undefined })),
  );
  return [...corpus.map((e) => ({ file: e.file, server: e.expected.server })), ...rules];
}

/** Whether a fix asks to use upgrade=websocket (not to drop it). */
const usesUpgradeParameter = (fix: string): boolean =>
  /upgrade=websocket/.test(fix) && !/(drop|delete|remove) upgrade=websocket/.test(fix);

/** The text of the block that opens on `line` (1-based), braces counted; the line alone when none opens. */
function blockAt(text: string, line: number): string {
  const lines = text.split('\n').slice(line - 1);
  let depth = 0;
  const taken: string[] = [];
  for (const current of lines) {
    taken.push(current);
    for (const char of current.replace(/#.*$/, '')) {
      if (char === '{') depth++;
      if (char === '}') depth--;
    }
    if (depth <= 0) break;
  }
  return taken.join('\n');
}

/** `proxy_set_header Name value;` lines a fix asks to add (not to change). */
const addedHeaders = (fix: string): [string, string][] =>
  fix.startsWith('change ')
    ? []
    : [...fix.matchAll(/proxy_set_header (\S+) ([^;]+);/g)].map((m) => [m[1] ?? '', m[2] ?? '']);

describe('suggested fixes across the corpus and the rule fixtures', () => {
  const runs = allFixtures().flatMap(({ file, server }) =>
    [undefined, '2.4.46', '1.22.1', '1.26.0', '2.4.62'].flatMap((version) => {
      const detected = server ?? (file.endsWith('.apache.conf') || /apache/.test(file) ? 'apache' : 'nginx');
      const fitsServer = version === undefined || (detected === 'apache') === version.startsWith('2.');
      if (!fitsServer) return [];
      try {
        const findings = lintPaths([file], {
          cwd: repoRoot,
          ...(version ? { serverVersion: version } : {}),
        }).findings;
        return [{ file, version, findings }];
      } catch {
        return []; // a fixture for the other server given a version of this one
      }
    }),
  );

  it('are right for the version lint assumes', () => {
    const wrong: string[] = [];
    for (const { file, version, findings } of runs) {
      for (const finding of findings) {
        const apacheVersion = version?.startsWith('2.') ? version : defaultVersions.apache;
        const nginxVersion = version && !version.startsWith('2.') ? version : defaultVersions.nginx;
        // upgrade=websocket on an http:// route needs httpd 2.4.47 (mod_proxy docs).
        if (
          usesUpgradeParameter(finding.fix) &&
          !/2\.4\.47/.test(finding.fix) &&
          compareVersions(apacheVersion, '2.4.47') < 0
        )
          wrong.push(`${file} (${version ?? 'default'}) ${finding.rule}: ${finding.fix}`);
        // `http2 on;` needs nginx 1.25.1.
        if (
          /(^|[^"])http2 on;/.test(finding.fix) &&
          !/1\.25\.1/.test(finding.fix) &&
          compareVersions(nginxVersion, '1.25.1') < 0
        )
          wrong.push(`${file} (${version ?? 'default'}) ${finding.rule}: ${finding.fix}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('never ask to add a proxy_set_header line the file already has', () => {
    const repeated: string[] = [];
    for (const { file, findings } of runs) {
      const text = readFileSync(join(repoRoot, file), 'utf8');
      for (const finding of findings) {
        // Added where the finding points: the block that opens there must not have the line already.
        const block = blockAt(text, finding.line);
        for (const [name, value] of addedHeaders(finding.fix)) {
          const line = new RegExp(
            `^\\s*proxy_set_header\\s+${name}\\s+${value.replace(/[$.*+?^(){}[\]|\\]/g, '\\$&')}\\s*;`,
            'mi',
          );
          if (line.test(block)) repeated.push(`${file}:${finding.line} ${finding.rule}: ${finding.fix}`);
        }
      }
    }
    expect(repeated).toEqual([]);
  });

  it('use only variables the file defines, or say to define them', () => {
    // $connection_upgrade exists only where a map makes it: a fix that adds it to a file without
    // that map makes nginx refuse to start ("unknown "connection_upgrade" variable", nginx 1.22.1).
    const undefinedUse: string[] = [];
    for (const { file, version, findings } of runs) {
      const text = readFileSync(join(repoRoot, file), 'utf8');
      const mapped = /^\s*map\s+\S+\s+\$connection_upgrade\s*\{/m.test(text);
      for (const finding of findings) {
        if (!/\$connection_upgrade\b/.test(finding.fix) || mapped) continue;
        if (/map \$http_upgrade \$connection_upgrade/.test(finding.fix)) continue;
        undefinedUse.push(
          `${file}:${finding.line} (${version ?? 'default'}) ${finding.rule}: ${finding.fix}`,
        );
      }
    }
    expect(undefinedUse).toEqual([]);
  });

  it('do not contradict each other on one line', () => {
    const conflicts: string[] = [];
    for (const { file, version, findings } of runs) {
      const byLine = new Map<number, Finding[]>();
      for (const finding of findings)
        byLine.set(finding.line, [...(byLine.get(finding.line) ?? []), finding]);
      for (const [line, group] of byLine) {
        const values = new Map<string, Set<string>>();
        for (const finding of group) {
          for (const [name, value] of addedHeaders(finding.fix)) {
            values.set(name.toLowerCase(), new Set([...(values.get(name.toLowerCase()) ?? []), value]));
          }
        }
        for (const [name, set] of values) {
          if (set.size > 1)
            conflicts.push(`${file}:${line} (${version ?? 'default'}) ${name}: ${[...set].join(' vs ')}`);
        }
        const upgradeFixes = group.filter((f) => /upgrade=|ws:\/\//.test(f.fix));
        if (
          upgradeFixes.some((f) => /upgrade=websocket/.test(f.fix)) &&
          upgradeFixes.some((f) => /ws:\/\//.test(f.fix) && !/upgrade=websocket/.test(f.fix))
        )
          conflicts.push(
            `${file}:${line} (${version ?? 'default'}): upgrade=websocket and ws:// both suggested`,
          );
      }
    }
    expect(conflicts).toEqual([]);
  });
});
