/**
 * Pure: what the certificate a server presented means for a browser. Names are checked as browsers do
 * (RFC 6125 via node:tls checkServerIdentity), the chain through OpenSSL's verdict, dates against `now`.
 */
import { checkServerIdentity, type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import type { Failure } from './diagnosis.js';
import type { ProbeTarget } from './target.js';

const firstOf = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

/** The common name, or the whole distinguished name when there is none. */
export function displayName(name: PeerCertificate['subject'] | undefined): string {
  if (!name) return '(unnamed)';
  const cn = firstOf(name.CN as string | string[] | undefined);
  if (cn) return cn;
  const parts = Object.entries(name).map(([key, value]) => `${key}=${firstOf(value as string | string[])}`);
  return parts.length > 0 ? parts.join(', ') : '(unnamed)';
}

/** The names a certificate covers: its subjectAltName entries (DNS names and IP addresses). */
export function coveredNames(cert: PeerCertificate): string[] {
  const san = cert.subjectaltname ?? '';
  return san
    .split(',')
    .map((entry) => entry.trim())
    .map((entry) => /^(?:DNS|IP Address):(.*)$/.exec(entry)?.[1] ?? '')
    .filter((name) => name !== '');
}

/** The certificates as sent and as completed from the trust store, leaf first. */
export function chainOf(leaf: DetailedPeerCertificate): DetailedPeerCertificate[] {
  const chain: DetailedPeerCertificate[] = [leaf];
  let current = leaf;
  // node:tls links each certificate to its issuer; a root links to itself.
  while (current.issuerCertificate && current.issuerCertificate !== current && chain.length < 10) {
    current = current.issuerCertificate;
    if (chain.some((seen) => seen.fingerprint256 === current.fingerprint256)) break;
    chain.push(current);
  }
  return chain;
}

const isSelfIssued = (cert: PeerCertificate): boolean =>
  displayName(cert.subject) === displayName(cert.issuer) &&
  JSON.stringify(cert.subject) === JSON.stringify(cert.issuer);

const caIssuersUrl = (cert: PeerCertificate): string | undefined =>
  firstOf(cert.infoAccess?.['CA Issuers - URI'] as string[] | undefined);

export const formatDate = (date: Date): string => date.toISOString().slice(0, 10);

export interface TlsCheckInput {
  readonly leaf: DetailedPeerCertificate;
  /** OpenSSL's verdict on the chain (TLSSocket.authorizationError), undefined when it verified. */
  readonly chainError: string | undefined;
  readonly target: ProbeTarget;
  readonly caGiven: boolean;
  readonly now: Date;
}

/**
 * Every problem a browser would have with this certificate, the most telling first: a wrong name
 * says the client reached the wrong place, so it comes before dates and trust.
 */
export function certificateProblems(input: TlsCheckInput): Failure[] {
  const { leaf, target, now } = input;
  const problems: Failure[] = [];
  const covered = coveredNames(leaf);
  // checkServerIdentity follows RFC 6125: SAN only when present, one wildcard label, IPs against IP SANs.
  if (checkServerIdentity(target.host, leaf) !== undefined) {
    const names = covered.length > 0 ? covered : [`CN=${displayName(leaf.subject)} only, no subjectAltName`];
    problems.push(
      target.isIpAddress
        ? { kind: 'tls-ip-address', address: target.host, covered: names }
        : { kind: 'tls-name-mismatch', host: target.host, covered: names },
    );
  }
  const chain = chainOf(leaf);
  const expired = chain.find((cert) => new Date(cert.valid_to) < now);
  if (expired) {
    problems.push({
      kind: 'tls-expired',
      subject: displayName(expired.subject),
      notAfter: formatDate(new Date(expired.valid_to)),
    });
  }
  const early = chain.find((cert) => new Date(cert.valid_from) > now);
  if (early) {
    problems.push({
      kind: 'tls-not-yet-valid',
      subject: displayName(early.subject),
      notBefore: formatDate(new Date(early.valid_from)),
    });
  }
  const trust = trustProblem(input, chain);
  if (trust) problems.push(trust);
  return problems;
}

// OpenSSL's X509_V_ERR_* names, as node:tls reports them (openssl verify(1) "Diagnostics").
function trustProblem(input: TlsCheckInput, chain: readonly DetailedPeerCertificate[]): Failure | undefined {
  const { chainError, leaf, caGiven } = input;
  switch (chainError) {
    case undefined:
    // Names are checked above, as browsers check them (node:tls reports its own check here).
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      // Dates are checked above, from the certificates themselves.
      return undefined;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return { kind: 'tls-self-signed', subject: displayName(leaf.subject), caGiven };
    case 'SELF_SIGNED_CERT_IN_CHAIN': {
      const root = chain.find(isSelfIssued) ?? chain[chain.length - 1] ?? leaf;
      return { kind: 'tls-untrusted', issuer: displayName(root.subject), caGiven };
    }
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT': {
      // The last certificate that arrived names an issuer nobody has. If it also says where to download
      // that issuer (Authority Information Access, RFC 5280 §4.2.2.1), a public CA's intermediate is
      // missing from what the server sends; without it, a private CA is the likelier story.
      const top = chain[chain.length - 1] ?? leaf;
      const issuer = displayName(top.issuer);
      const aiaUrl = caIssuersUrl(top);
      return aiaUrl
        ? { kind: 'tls-incomplete-chain', issuer, aiaUrl }
        : { kind: 'tls-untrusted', issuer, caGiven };
    }
    default:
      return { kind: 'tls-unverified', code: chainError };
  }
}

/** The TLS stage's detail when the certificate is fine. */
export function certificateSummary(leaf: DetailedPeerCertificate, trustedBy: string, now: Date): string {
  const days = Math.floor(daysLeft(leaf, now));
  return `certificate for ${coveredNames(leaf).join(', ') || displayName(leaf.subject)} from "${displayName(leaf.issuer)}", ${trustedBy}, valid until ${formatDate(new Date(leaf.valid_to))} (${days} days)`;
}

export const daysLeft = (leaf: PeerCertificate, now: Date): number =>
  (new Date(leaf.valid_to).getTime() - now.getTime()) / 86_400_000;
