/**
 * What `--acme` can and cannot do, decided from the options alone (pure: no fs, no process).
 *
 * HTTP-01 proves control of one name by serving a token on port 80 of that name (RFC 8555 8.3), so
 * names it cannot prove (wildcards, IP addresses) and paths that would let certbot write outside its
 * own directory are refused before anything is touched.
 */
import { posix } from 'node:path';
import { type GenerationOptions, ipAddressPattern } from './options.js';

/**
 * Directories certbot's config, work and logs directories must never be: it writes and deletes
 * below them (accounts, archive, live, renewal, locks), so `--acme-dir /` once sent its work and logs
 * to /work and /logs. A home directory is one of them too: /root, and /home/<user>.
 */
const systemDirectories = new Set([
  '/',
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/home',
  '/lib',
  '/lib64',
  '/media',
  '/mnt',
  '/opt',
  '/proc',
  '/root',
  '/run',
  '/sbin',
  '/srv',
  '/sys',
  '/tmp',
  '/usr',
  '/usr/local',
  '/var',
  '/var/lib',
  '/var/log',
  '/var/tmp',
  '/work',
]);

/** Why `dir` cannot be certbot's directory, or undefined when it can. */
export function acmeDirProblem(dir: string): string | undefined {
  const trimmed = dir.length > 1 ? dir.replace(/\/$/, '') : dir;
  if (posix.normalize(trimmed) !== trimmed || trimmed.split('/').some((s) => s === '..' || s === '.')) {
    return `${JSON.stringify(dir)} is not a normalised path; give it without //, . or .. segments (e.g. ${posix.normalize(trimmed)})`;
  }
  if (systemDirectories.has(trimmed) || /^\/home\/[^/]+$/.test(trimmed)) {
    return `${JSON.stringify(dir)} is a system or home directory, and certbot writes and deletes below its config directory; give a directory of its own, such as /etc/letsencrypt`;
  }
  return undefined;
}

/** Every reason these options cannot get a certificate over HTTP-01, as `--option: why` lines. */
export function acmeProblems(options: GenerationOptions): string[] {
  const acme = options.acme;
  if (!acme) return [];
  const problems: string[] = [];
  for (const domain of options.domains) {
    if (domain.startsWith('*.')) {
      problems.push(
        `--domain ${domain}: a wildcard certificate needs the DNS-01 challenge (RFC 8555 8.4), which --acme ` +
          "(HTTP-01) cannot answer; get it with one of certbot's DNS plugins (python3-certbot-dns-*), e.g. " +
          `certbot certonly --dns-cloudflare -d '${domain}' or --dns-route53, and give --cert and --key instead of --acme`,
      );
    } else if (ipAddressPattern.test(domain)) {
      problems.push(
        `--domain ${domain}: an IP address cannot be validated here: certbot cannot request an IP identifier ` +
          "(RFC 8738) and Let's Encrypt issues none for it; use a domain name, or give --cert and --key",
      );
    }
  }
  const dirProblem = acmeDirProblem(acme.dir);
  if (dirProblem) problems.push(`--acme-dir: ${dirProblem}`);
  if (acme.caBundle !== undefined && posix.normalize(acme.caBundle) !== acme.caBundle) {
    problems.push(
      `--acme-ca-bundle: ${JSON.stringify(acme.caBundle)} is not a normalised path; give it without //, . or ..`,
    );
  }
  if (!options.redirectListen) {
    problems.push(
      '--no-redirect: --acme needs the plain-HTTP listener, which answers the HTTP-01 challenge; drop --no-redirect',
    );
  }
  return problems;
}

/** What may still go wrong, said before certbot runs. */
export function acmeWarnings(options: GenerationOptions): string[] {
  const listener = options.redirectListen;
  if (!options.acme || !listener || listener.port === 80) return [];
  return [
    `--redirect-listen ${listener.port}: the CA validates HTTP-01 on port 80 only (RFC 8555 8.3), so port 80 ` +
      `of every --domain must be forwarded to port ${listener.port} here`,
  ];
}

/** The lineage certbot makes: named after the first name (certbot docs, "--cert-name"). */
export const acmeLineage = (options: GenerationOptions): string => options.domains[0] as string;

/** The names in `covered` (a certificate's DNS names) miss at least one --domain. */
export const uncoveredDomains = (options: GenerationOptions, covered: readonly string[]): string[] =>
  options.domains.filter((domain) => !covered.includes(domain));

/**
 * Debian 12's certbot 2.1 on Python 3.11 dies with "AttributeError: can't set attribute" whenever the
 * ACME server answers an error document inside a `with` block (certbot#9539, fixed in certbot 2.2):
 * contextlib sets `__traceback__` on josepy's immutable acme.messages.Error. Its output then says
 * nothing of what the CA said; its debug log still has the error.
 */
export const certbotCrashedOnAcmeError = (output: string): boolean =>
  /AttributeError: can't set attribute/.test(output);

/** The last ACME error document certbot logged ("acme.messages.Error: <type> :: <detail>"), if any. */
export function lastAcmeErrorInLog(log: string): string | undefined {
  const lines = log.split('\n').filter((line) => line.startsWith('acme.messages.Error: '));
  return lines.at(-1)?.slice('acme.messages.Error: '.length).trim();
}
