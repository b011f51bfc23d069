/**
 * The docs are laid out like the code (DESIGN.md): a short README, a page per command, per server and
 * per lint rule under docs/, and CONTRIBUTING.md. These tests keep that layout whole as the code grows:
 * every relative link between those files resolves (file, and anchor by GitHub's slug rules), every
 * rule, server and command has its page, and every command's --help names its page.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rules } from '../../src/lint/rules/index.js';
import { buildProgram } from '../../src/program.js';
import { repoRoot, runCli } from '../helpers/cli.js';

/** README.md, CONTRIBUTING.md and every docs/**.md, as paths relative to the repository. */
function markdownFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(repoRoot, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return walk(path);
      return entry.name.endsWith('.md') ? [path] : [];
    });
  return ['README.md', 'CONTRIBUTING.md', ...walk('docs')];
}

/** The text outside fenced code blocks: a `# comment` or `[x](y)` in a code block is neither. */
function prose(markdown: string): string[] {
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && marker) fence = marker[0];
    else if (fence !== undefined && marker?.[0] === fence) fence = undefined;
    else if (fence === undefined) lines.push(line);
  }
  return lines;
}

/**
 * GitHub's heading anchor (github-slugger, which github.com follows): the rendered text lowercased,
 * every character that is not a letter, mark, number, connector, space or hyphen dropped, spaces turned
 * into hyphens; a repeated slug gets -1, -2, … in document order.
 */
function githubSlug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link shows its text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  return rendered
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of prose(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = githubSlug(heading);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

interface Link {
  readonly file: string;
  readonly target: string;
}

/** Inline links and images, outside code blocks and code spans; external ones are not checked. */
function relativeLinks(file: string): Link[] {
  const text = prose(readFileSync(join(repoRoot, file), 'utf8'))
    .join('\n')
    // A code span is not a link, but a link's text may be one ([`wss-conf nginx`](nginx.md)).
    .replace(/`[^`\n]*`/g, 'code');
  const links: Link[] = [];
  for (const match of text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1] as string;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    links.push({ file, target });
  }
  return links;
}

/** Why the link does not resolve, or undefined when it does. */
function brokenBecause(link: Link): string | undefined {
  const [path, anchor] = link.target.split('#') as [string, string | undefined];
  const targetFile = path === '' ? join(repoRoot, link.file) : resolve(repoRoot, dirname(link.file), path);
  if (relative(repoRoot, targetFile).startsWith('..')) return 'points outside the repository';
  if (!existsSync(targetFile)) return `${relative(repoRoot, targetFile)} does not exist`;
  if (anchor === undefined) return undefined;
  if (statSync(targetFile).isDirectory() || !targetFile.endsWith('.md'))
    return 'an anchor into a non-markdown file';
  const anchors = anchorsOf(readFileSync(targetFile, 'utf8'));
  if (!anchors.has(decodeURIComponent(anchor))) {
    return `${relative(repoRoot, targetFile)} has no heading #${anchor}`;
  }
  return undefined;
}

const program = buildProgram();
const commands = program.commands.map((command) => command.name());

/** The servers: a folder under src/servers/, or a choice of `check --server` (nginx and Apache have no folder yet). */
function servers(): string[] {
  const folders = readdirSync(join(repoRoot, 'src', 'servers'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  const check = program.commands.find((command) => command.name() === 'check');
  const choices = check?.options.find((option) => option.long === '--server')?.argChoices ?? [];
  return [...new Set([...folders, ...choices])].sort();
}

describe('GitHub heading slugs', () => {
  it.each([
    ['Options of `wss-conf nginx`', 'options-of-wss-conf-nginx'],
    ['Many clients: `--max-clients`', 'many-clients---max-clients'],
    [
      '`wss-conf apache`: the same wss:// proxy for Apache httpd 2.4',
      'wss-conf-apache-the-same-wss-proxy-for-apache-httpd-24',
    ],
    ['From certbot and `wss-conf apply --acme`', 'from-certbot-and-wss-conf-apply---acme'],
    ["From the servers' config tests and error logs", 'from-the-servers-config-tests-and-error-logs'],
    ['`proxy_read_timeout` and [nginx](https://nginx.org)', 'proxy_read_timeout-and-nginx'],
    [
      'IE: `Network Error 12038` (证书中的主名称无效或不相符)',
      'ie-network-error-12038-证书中的主名称无效或不相符',
    ],
  ])('%s → #%s', (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug);
  });

  it('numbers a repeated heading as GitHub does, and ignores headings in code blocks', () => {
    const anchors = anchorsOf('# A\n\n## Many clients\n\n```sh\n# Not a heading\n```\n\n## Many clients\n');
    expect([...anchors]).toEqual(['a', 'many-clients', 'many-clients-1']);
  });
});

describe('the docs', () => {
  const files = markdownFiles();

  it('finds the pages and their links (the check below is not vacuous)', () => {
    expect(files).toEqual(
      expect.arrayContaining(['README.md', 'CONTRIBUTING.md', 'docs/troubleshooting.md']),
    );
    expect(files.flatMap(relativeLinks).length).toBeGreaterThan(100);
  });

  it('has no relative link that does not resolve, file and #anchor', () => {
    const broken = files
      .flatMap(relativeLinks)
      .map((link) => ({ link, why: brokenBecause(link) }))
      .filter(({ why }) => why !== undefined)
      .map(({ link, why }) => `${link.file}: (${link.target}): ${why}`);
    expect(broken).toEqual([]);
  });

  it('keeps the README to at most 300 lines, with the test command .ci/run runs', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    expect(readme.split('\n').length).toBeLessThanOrEqual(300);
    const ci = readFileSync(join(repoRoot, '.ci', 'run'), 'utf8');
    const ciTest = ci
      .split('\n')
      .filter((line) => /^npm (run )?test\b/.test(line))
      .at(-1);
    expect(ciTest).toBe('npm test');
    expect(readme).toContain(`\`\`\`sh\n${ciTest}\n\`\`\``);
    expect(readme).toContain('npm install && npx wss-conf nginx --domain example.com --backend 8282');
  });

  it('gives every lint rule its page, and no page to a rule that does not exist', () => {
    for (const rule of rules) {
      expect(existsSync(join(repoRoot, 'docs', 'rules', `${rule.id}.md`)), `docs/rules/${rule.id}.md`).toBe(
        true,
      );
    }
    const pages = readdirSync(join(repoRoot, 'docs', 'rules')).map((name) => name.replace(/\.md$/, ''));
    expect(pages.sort()).toEqual(rules.map((rule) => rule.id).sort());
  });

  it.each(servers())('gives the server %s its page, linked from the README', (server) => {
    expect(existsSync(join(repoRoot, 'docs', 'servers', `${server}.md`))).toBe(true);
    expect(readFileSync(join(repoRoot, 'README.md'), 'utf8')).toContain(`](docs/servers/${server}.md)`);
  });

  it('knows the commands (nine today)', () => {
    expect(commands).toEqual(
      expect.arrayContaining([
        'nginx',
        'apache',
        'haproxy',
        'check',
        'lint',
        'apply',
        'rollback',
        'probe',
        'cert',
      ]),
    );
  });

  it.each(
    commands,
  )('gives the command %s its page, linked from the README and named by --help', (command) => {
    const page = `docs/${command}.md`;
    expect(existsSync(join(repoRoot, page)), page).toBe(true);
    expect(readFileSync(join(repoRoot, 'README.md'), 'utf8')).toContain(`](${page})`);
    const help = runCli([command, '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain(`Docs: ${page}`);
  });

  it('keeps in docs/apply.md the fault tables the fault-injection suite prints', () => {
    const apply = readFileSync(join(repoRoot, 'docs', 'apply.md'), 'utf8');
    for (const title of [
      'Faults injected into apply/rollback on nginx:',
      'Faults injected into apply/rollback on Apache:',
      'Full disk, read-only, symlinked and 0640 targets (nginx):',
    ]) {
      expect(apply).toContain(`${title}\n\n| step`);
    }
  });

  it('ships docs/ in the package, so the page --help names is in an installed copy', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('docs/');
  });
});
