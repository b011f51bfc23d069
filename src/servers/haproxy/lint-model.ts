/**
 * A haproxy.cfg read for the WebSocket pitfalls, pure: sections with their directives and line numbers,
 * each proxy's effective settings (its own, else those of the `defaults` section above it), and the
 * findings. Not wired into `wss-conf lint` yet: lint is being changed on another branch, and the server
 * registry (issue 15, part A) will connect it.
 */

export interface HaproxyDirective {
  readonly line: number;
  readonly words: readonly string[];
}

export interface HaproxySection {
  readonly kind: string;
  readonly name: string;
  readonly line: number;
  readonly directives: readonly HaproxyDirective[];
}

export interface HaproxyFinding {
  readonly rule: 'haproxy-timeout-tunnel' | 'haproxy-mode-tcp' | 'haproxy-legacy-tls';
  readonly severity: 'error' | 'warning' | 'info';
  readonly line: number;
  readonly message: string;
}

const sectionKinds = new Set(['global', 'defaults', 'frontend', 'backend', 'listen', 'crt-store']);

export function parseHaproxyConfig(text: string): HaproxySection[] {
  const sections: { kind: string; name: string; line: number; directives: HaproxyDirective[] }[] = [];
  text.split('\n').forEach((raw, index) => {
    const words = raw
      .replace(/(^|\s)#.*$/, '')
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    if (words.length === 0) return;
    if (sectionKinds.has(words[0] as string)) {
      sections.push({ kind: words[0] as string, name: words[1] ?? '', line: index + 1, directives: [] });
    } else {
      sections.at(-1)?.directives.push({ line: index + 1, words });
    }
  });
  return sections;
}

/** HAProxy's time format: a number of milliseconds, or with us, ms, s, m, h or d. */
export function haproxySeconds(text: string): number | undefined {
  const match = /^(\d+)(us|ms|s|m|h|d)?$/.exec(text);
  if (!match) return undefined;
  const factor = { us: 1e-6, ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[match[2] ?? 'ms'] as number;
  return Number(match[1]) * factor;
}

const find = (section: HaproxySection | undefined, ...words: string[]) =>
  section?.directives.findLast((d) => words.every((word, i) => d.words[i] === word));

/** Quiet sockets live this long at least in wss-conf's view; below it `timeout client`/`server` is short. */
const shortSeconds = 3600;

export function haproxyFindings(text: string): HaproxyFinding[] {
  const sections = parseHaproxyConfig(text);
  const findings: HaproxyFinding[] = [];
  let defaults: HaproxySection | undefined;
  for (const section of sections) {
    if (section.kind === 'defaults') {
      defaults = section;
      continue;
    }
    if (section.kind === 'global') {
      for (const d of section.directives) legacyTls(d, findings);
      continue;
    }
    if (!['frontend', 'backend', 'listen'].includes(section.kind)) continue;
    for (const d of section.directives) legacyTls(d, findings);
    const setting = (...words: string[]) => find(section, ...words) ?? find(defaults, ...words);
    const mode = setting('mode')?.words[1] ?? 'tcp';
    if (mode === 'tcp' && section.kind !== 'backend') {
      findings.push({
        rule: 'haproxy-mode-tcp',
        severity: 'info',
        line: setting('mode')?.line ?? section.line,
        message:
          `${section.kind} ${section.name}: mode tcp passes WebSockets as raw bytes, but cannot check Host, set ` +
          'X-Forwarded-For/-Proto or HSTS: the backend sees HAProxy as the client; use mode http',
      });
    }
    if (section.kind === 'frontend') continue; // the tunnel timeout that counts is the backend's
    const tunnel = setting('timeout', 'tunnel');
    const short = ['client', 'server']
      .map((side) => ({ side, directive: setting('timeout', side) }))
      .filter(({ directive }) => {
        const seconds = haproxySeconds(directive?.words[2] ?? '');
        return seconds !== undefined && seconds < shortSeconds;
      });
    if (mode === 'http' && !tunnel && short.length > 0) {
      const first = short[0] as { side: string; directive: HaproxyDirective };
      findings.push({
        rule: 'haproxy-timeout-tunnel',
        severity: 'error',
        line: first.directive.line,
        message:
          `${section.kind} ${section.name}: no timeout tunnel, so after the Upgrade timeout ${first.side} ` +
          `${first.directive.words[2]} closes every quiet WebSocket; add: timeout tunnel 1h`,
      });
    }
  }
  return findings;
}

/** `ssl-min-ver TLSv1.0`/`TLSv1.1` (bind, server or ssl-default-*-options) and `force-tlsv10`/`11`. */
function legacyTls(directive: HaproxyDirective, findings: HaproxyFinding[]): void {
  const words = directive.words;
  const minIndex = words.indexOf('ssl-min-ver');
  const legacyMin = minIndex >= 0 && /^(SSLv3|TLSv1\.[01])$/.test(words[minIndex + 1] ?? '');
  const forced = words.find((word) => /^force-(sslv3|tlsv1[01])$/.test(word));
  if (legacyMin || forced) {
    findings.push({
      rule: 'haproxy-legacy-tls',
      severity: 'error',
      line: directive.line,
      message: `${legacyMin ? `ssl-min-ver ${words[minIndex + 1]}` : forced} allows TLS older than 1.2, which browsers refuse and Mozilla's profiles drop; use ssl-min-ver TLSv1.2`,
    });
  }
}
