/**
 * What CI users adopt: every rule's docs page, the composite GitHub Action (action.yml) and the
 * pre-commit hooks (.pre-commit-hooks.yaml), run here as far as this machine allows:
 * - the action's script runs under bash with its inputs as the runner passes them (environment
 *   variables), `npx` being a shim for this checkout's bin (no network);
 * - Debian's pre-commit runs the `language: system` hook with `try-repo` on a temporary git
 *   repository. The `language: node` hook is not run: pre-commit would `npm install` this package,
 *   which needs the network.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { rules } from '../../src/lint/rules/index.js';
import { repoRoot } from '../helpers/cli.js';

const bin = join(repoRoot, 'bin', 'wss-conf.js');

describe('docs/rules', () => {
  const pages = readdirSync(join(repoRoot, 'docs', 'rules')).filter((name) => name.endsWith('.md'));

  it.each(rules.map((rule) => rule.id))('%s has a page: what breaks, the fix, the evidence', (id) => {
    const page = readFileSync(join(repoRoot, 'docs', 'rules', `${id}.md`), 'utf8');
    expect(page.startsWith(`# \`${id}\`\n`)).toBe(true);
    for (const heading of ['## What breaks, and for which requests', '## Fix', '## Evidence']) {
      expect(page).toContain(heading);
    }
    const severity = rules.find((rule) => rule.id === id)?.severity ?? '';
    expect(page).toMatch(new RegExp(`^Severity: \\*\\*${severity}\\b`, 'm'));
  });

  it('has no page for a rule that does not exist', () => {
    expect(pages.map((name) => name.slice(0, -3)).sort()).toEqual(rules.map((rule) => rule.id).sort());
  });

  it('ships with the package', () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    // "files" ships docs/ whole since every command's --help names its page; docs/rules/ is in it.
    expect((manifest.files as string[]).some((entry) => 'docs/rules/'.startsWith(entry))).toBe(true);
  });
});

/** A directory with executables that stand in for what CI would download. Each `npx` and `npm` call
 *  is written, a line each, to `calls` in it. */
function shims(npm = 'exit 1'): string {
  const dir = mkdtempSync(join(tmpdir(), 'wss-conf-shims-'));
  const calls = join(dir, 'calls');
  // npx --yes wss-conf@<version> <args>: runs this checkout with <args>.
  writeFileSync(
    join(dir, 'npx'),
    `#!/bin/sh\necho "npx $*" >> "${calls}"\n[ "$1" = --yes ] && shift\ncase "$1" in wss-conf@*) shift ;; *) echo "unexpected: $1" >&2; exit 99 ;; esac\nexec "${process.execPath}" "${bin}" "$@"\n`,
  );
  // npm ci --prefix <action path>: no network here, so it only says it was asked, then runs `npm`
  // (by default: fails).
  writeFileSync(join(dir, 'npm'), `#!/bin/sh\necho "npm $*" >> "${calls}"\n${npm}\n`);
  writeFileSync(join(dir, 'wss-conf'), `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n`);
  for (const name of ['npx', 'npm', 'wss-conf']) chmodSync(join(dir, name), 0o755);
  return dir;
}

describe('action.yml', () => {
  const action = parse(readFileSync(join(repoRoot, 'action.yml'), 'utf8'));
  const step = action.runs.steps[0];

  it('is a composite action with the documented inputs, passed as environment variables', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual([
      'files',
      'format',
      'fail-on',
      'server-version',
      'ping-interval',
      'version',
    ]);
    expect(action.inputs.files.required).toBe(true);
    expect(action.inputs.format.default).toBe('github');
    // No ${{ }} inside the script itself: an input cannot become shell code.
    expect(step.run).not.toContain('${{');
  });

  /** Runs the step as the runner would, with the action checked out at `actionPath` (this built
   *  checkout by default), `npm` the npm shim's script after it logs the call, and `extraEnv` what
   *  the workflow sets around the step. `calls`: the npx and npm commands it ran. */
  const run = (
    inputs: Record<string, string>,
    cwd: string,
    actionPath = repoRoot,
    { npm, extraEnv = {} }: { npm?: string; extraEnv?: NodeJS.ProcessEnv } = {},
  ) => {
    const shimDir = shims(npm);
    const env: NodeJS.ProcessEnv = {
      PATH: `${shimDir}:${process.env.PATH}`,
      HOME: process.env.HOME,
      ...extraEnv,
    };
    for (const [name, value] of Object.entries(step.env as Record<string, string>)) {
      if (/github\.action_path/.test(value)) {
        env[name] = actionPath;
        continue;
      }
      const input = /inputs\.([a-z-]+)/.exec(value)?.[1] ?? '';
      env[name] = inputs[input] ?? action.inputs[input]?.default ?? '';
    }
    const result = spawnSync('bash', ['-e', '-c', step.run], { cwd, env, encoding: 'utf8' });
    const callsFile = join(shimDir, 'calls');
    const calls = existsSync(callsFile) ? readFileSync(callsFile, 'utf8').trim().split('\n') : [];
    return { ...result, calls };
  };
  const workspace = () => {
    const dir = mkdtempSync(join(tmpdir(), 'wss-conf-action-'));
    mkdirSync(join(dir, 'deploy', 'nginx'), { recursive: true });
    const rules = join(repoRoot, 'fixtures', 'lint', 'rules');
    // Linted together, so each under its own name (one name twice is duplicate-server-name's).
    const copy = (from: string, to: string, name: string) =>
      writeFileSync(join(dir, to), readFileSync(join(rules, from), 'utf8').replace(/example\.com/g, name));
    copy('ws-upgrade-headers/bad.conf', 'deploy/nginx/bad.conf', 'bad.test');
    copy('ws-upgrade-headers/good.conf', 'deploy/nginx/good.conf', 'good.test');
    copy('proxy-read-timeout/bad.conf', 'timeout.conf', 'timeout.test');
    return dir;
  };

  it('annotates, and fails the step on an error', () => {
    const result = run({ files: 'deploy/**/*.conf' }, workspace());
    expect(result.status).toBe(1);
    // By default the action's own checkout runs: the package is not on the npm registry yet.
    expect(result.calls).toEqual([]);
    expect(result.stdout).toMatch(
      /^::error file=deploy\/nginx\/bad\.conf,line=6,col=5,title=wss-conf ws-upgrade-headers::/m,
    );
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('passes inputs through: fail-on, ping-interval, several patterns on lines', () => {
    const dir = workspace();
    expect(run({ files: 'timeout.conf\ndeploy/nginx/good.conf', 'fail-on': 'warning' }, dir).status).toBe(0);
    const failing = run({ files: 'timeout.conf', 'fail-on': 'warning', 'ping-interval': '2m' }, dir);
    expect(failing.status).toBe(1);
    expect(failing.stdout).toMatch(
      /^::warning file=timeout\.conf,line=11,col=5,title=wss-conf proxy-read-timeout::/,
    );
  });

  it('runs a release from npm when the version input names one', () => {
    const result = run({ files: 'deploy/nginx/good.conf', version: '0.1.0' }, workspace());
    expect(result.status).toBe(0);
    expect(result.calls).toEqual([
      'npx --yes wss-conf@0.1.0 lint --format github --fail-on error -- deploy/nginx/good.conf',
    ]);
  });

  it('builds its checkout with npm ci on first use, and fails the step when that fails', () => {
    const unbuilt = mkdtempSync(join(tmpdir(), 'wss-conf-action-path-'));
    const result = run({ files: 'deploy/nginx/good.conf' }, workspace(), unbuilt);
    expect(result.calls).toEqual([
      `npm ci --prefix ${unbuilt} --include=dev --no-audit --no-fund --loglevel=error`,
    ]);
    expect(result.status).toBe(1);
  });

  // npm ci leaves out devDependencies when NODE_ENV=production (or omit=dev) is set for the job, and
  // the build needs them: tried, npm ci --prefix fails "sh: 1: tsc: not found". --include=dev wins.
  it('installs the devDependencies its build needs, even when the job sets NODE_ENV=production', () => {
    const unbuilt = mkdtempSync(join(tmpdir(), 'wss-conf-action-path-'));
    const result = run({ files: 'deploy/nginx/good.conf' }, workspace(), unbuilt, {
      extraEnv: { NODE_ENV: 'production', npm_config_omit: 'dev' },
    });
    expect(result.calls[0]).toContain('--include=dev');
  });

  // With ignore-scripts (a hardened runner's npmrc) npm ci runs no prepare, so dist/ never appears
  // and the step would die on "Cannot find module '../dist/cli.cjs'"; npm run build still runs.
  it('builds by name when npm ci ran no prepare script (ignore-scripts)', () => {
    const unbuilt = mkdtempSync(join(tmpdir(), 'wss-conf-action-path-'));
    // bin/wss-conf.js, run through a link, loads this checkout's dist/ (Node follows the link).
    symlinkSync(join(repoRoot, 'bin'), join(unbuilt, 'bin'));
    const npm = 'if [ "$1" = run ]; then mkdir -p "$4/dist" && touch "$4/dist/lint.cjs"; fi';
    const result = run({ files: 'deploy/nginx/good.conf' }, workspace(), unbuilt, { npm });
    expect(result.calls).toEqual([
      `npm ci --prefix ${unbuilt} --include=dev --no-audit --no-fund --loglevel=error`,
      `npm run build --prefix ${unbuilt} --loglevel=error`,
    ]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('bad input ends the step with exit 2 and names it', () => {
    const dir = workspace();
    const bad = run({ files: 'deploy/nginx/good.conf', 'ping-interval': '$(touch pwned)' }, dir);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--ping-interval');
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(run({ files: 'nothing/*.conf' }, dir).status).toBe(2);
    expect(run({ files: ' ' }, dir).status).toBe(2);
  });
});

const preCommit = spawnSync('pre-commit', ['--version'], { encoding: 'utf8' });
// With CI=true a missing pre-commit is a failure, as for the servers (.ci/run installs it).
describe.skipIf(preCommit.error !== undefined && process.env.CI !== 'true')('.pre-commit-hooks.yaml', () => {
  const hooks = parse(readFileSync(join(repoRoot, '.pre-commit-hooks.yaml'), 'utf8')) as {
    id: string;
    language: string;
    entry: string;
  }[];

  it('offers the node hook and a system one', () => {
    expect(hooks.map((hook) => [hook.id, hook.language, hook.entry])).toEqual([
      ['wss-conf-lint', 'node', 'wss-conf lint'],
      ['wss-conf-lint-system', 'system', 'wss-conf lint'],
    ]);
  });

  it('pre-commit try-repo runs the system hook on the matching files: fails on an error, passes clean', () => {
    const git = (cwd: string, ...args: string[]) =>
      spawnSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd, encoding: 'utf8' });
    // The hooks repository: this manifest, committed (try-repo reads committed files).
    const hooksRepo = mkdtempSync(join(tmpdir(), 'wss-conf-hooks-'));
    git(hooksRepo, 'init', '-q');
    cpSync(join(repoRoot, '.pre-commit-hooks.yaml'), join(hooksRepo, '.pre-commit-hooks.yaml'));
    git(hooksRepo, 'add', '.');
    git(hooksRepo, 'commit', '-qm', 'hooks');
    // A project with one bad nginx file and an unrelated file the hook must not read.
    const project = mkdtempSync(join(tmpdir(), 'wss-conf-project-'));
    git(project, 'init', '-q');
    cpSync(
      join(repoRoot, 'fixtures', 'lint', 'rules', 'ws-upgrade-headers', 'bad.conf'),
      join(project, 'site.conf'),
    );
    writeFileSync(join(project, 'README.md'), 'not a config\n');
    git(project, 'add', '.');
    git(project, 'commit', '-qm', 'x');
    const env = {
      ...process.env,
      PATH: `${shims()}:${process.env.PATH}`,
      HOME: project,
      PRE_COMMIT_HOME: join(project, '.cache'),
    };
    const tryRepo = () =>
      spawnSync('pre-commit', ['try-repo', hooksRepo, 'wss-conf-lint-system', '--all-files'], {
        cwd: project,
        env,
        encoding: 'utf8',
        timeout: 120_000,
      });
    const failing = tryRepo();
    expect(failing.status).toBe(1);
    expect(failing.stdout).toContain('site.conf:6:5  error  ws-upgrade-headers');
    expect(failing.stdout).not.toContain('README.md');

    cpSync(
      join(repoRoot, 'fixtures', 'lint', 'rules', 'ws-upgrade-headers', 'good.conf'),
      join(project, 'site.conf'),
    );
    git(project, 'commit', '-qam', 'fixed');
    const passing = tryRepo();
    expect(passing.stdout).toMatch(/wss-conf lint \(installed wss-conf\)\.+Passed/);
    expect(passing.status).toBe(0);
  }, 120_000);
});
