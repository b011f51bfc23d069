/**
 * A haproxy.cfg read for `wss-conf lint`, pure: sections with their directives and places, and each
 * proxy's effective settings (its own, else those of the last `defaults` section above it, as HAProxy
 * reads them: configuration manual 2.6, 4 "Proxies"). The rules in src/lint/rules/haproxy-*.ts read
 * this model; none walks the text itself.
 */
import type { Located, SourceFile, Suppression } from '../../lint/finding.js';
import { parseSuppression } from '../../lint/suppression.js';

export interface HaproxyDirective extends Located {
  /** The words of the line, comments dropped: `timeout`, `tunnel`, `1h`. */
  readonly words: readonly string[];
}

export interface HaproxySection extends Located {
  readonly kind: string;
  readonly name: string;
  readonly directives: readonly HaproxyDirective[];
}

export interface HaproxyProxy {
  readonly section: HaproxySection;
  /** `frontend`, `backend` or `listen`. */
  readonly kind: string;
  /** How to name it in a message: `backend wss_servers`. */
  readonly label: string;
  /** The `defaults` section it takes what it does not set from. */
  readonly defaults: HaproxySection | undefined;
  /** The last directive starting with `words`, its own, else its defaults'. */
  setting(...words: string[]): HaproxyDirective | undefined;
  /** `http` or `tcp`: the effective `mode`, `tcp` when none is set (HAProxy's default). */
  readonly mode: string;
}

export interface HaproxyModel {
  readonly sections: readonly HaproxySection[];
  readonly proxies: readonly HaproxyProxy[];
  /** Every `global` section's directives. */
  readonly global: readonly HaproxyDirective[];
}

const sectionKinds = new Set([
  'global',
  'defaults',
  'frontend',
  'backend',
  'listen',
  'crt-store',
  'peers',
  'resolvers',
  'userlist',
  'program',
  'cache',
  'ring',
  'mailers',
  'http-errors',
]);

/** The words of a line without its comment; `#` inside quotes is not one (manual 2.2, "Quoting"). */
function wordsOf(line: string): { words: string[]; column: number; comment: string | undefined } {
  let code = line;
  let comment: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '\\') {
      i++;
    } else if (c === '#') {
      code = line.slice(0, i);
      comment = line.slice(i + 1);
      break;
    }
  }
  const words = code.trim().split(/\s+/).filter(Boolean);
  return { words, column: code.length - code.trimStart().length + 1, comment };
}

export function parseHaproxyConfig(text: string, file = 'haproxy.cfg'): HaproxySection[] {
  return parseHaproxyFile({ name: file, text }).sections;
}

function parseHaproxyFile(source: SourceFile): {
  sections: HaproxySection[];
  suppressions: Suppression[];
} {
  const sections: {
    kind: string;
    name: string;
    file: string;
    line: number;
    column: number;
    directives: HaproxyDirective[];
  }[] = [];
  const suppressions: Suppression[] = [];
  source.text.split('\n').forEach((raw, index) => {
    const { words, column, comment } = wordsOf(raw);
    const at = { file: source.name, line: index + 1, column };
    if (comment !== undefined) {
      const suppression = parseSuppression(comment, { ...at, column: raw.indexOf('#') + 1 });
      if (suppression) suppressions.push(suppression);
    }
    if (words.length === 0) return;
    if (sectionKinds.has(words[0] as string)) {
      sections.push({ kind: words[0] as string, name: words[1] ?? '', ...at, directives: [] });
    } else {
      sections.at(-1)?.directives.push({ ...at, words });
    }
  });
  return { sections, suppressions };
}

const lastOf = (section: HaproxySection | undefined, words: readonly string[]) =>
  section?.directives.findLast((d) => words.every((word, i) => d.words[i] === word));

export function buildHaproxyModel(files: readonly SourceFile[]): {
  haproxy: HaproxyModel;
  suppressions: Suppression[];
} {
  const sections: HaproxySection[] = [];
  const suppressions: Suppression[] = [];
  for (const file of files) {
    const parsed = parseHaproxyFile(file);
    sections.push(...parsed.sections);
    suppressions.push(...parsed.suppressions);
  }
  const proxies: HaproxyProxy[] = [];
  let defaults: HaproxySection | undefined;
  for (const section of sections) {
    if (section.kind === 'defaults') defaults = section;
    if (!['frontend', 'backend', 'listen'].includes(section.kind)) continue;
    const inherited = defaults;
    const setting = (...words: string[]) => lastOf(section, words) ?? lastOf(inherited, words);
    proxies.push({
      section,
      kind: section.kind,
      label: `${section.kind} ${section.name}`,
      defaults: inherited,
      setting,
      mode: setting('mode')?.words[1] ?? 'tcp',
    });
  }
  return {
    haproxy: {
      sections,
      proxies,
      global: sections.filter((s) => s.kind === 'global').flatMap((s) => s.directives),
    },
    suppressions,
  };
}

/** HAProxy's time format: a number of milliseconds, or with us, ms, s, m, h or d (manual 2.5). */
export function haproxySeconds(text: string): number | undefined {
  const match = /^(\d+)(us|ms|s|m|h|d)?$/.exec(text);
  if (!match) return undefined;
  const factor = { us: 1e-6, ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[match[2] ?? 'ms'] as number;
  return Number(match[1]) * factor;
}
