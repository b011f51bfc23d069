/**
 * Certificate checks, pure: PEM text in, findings out. The seeds' last surprise was IE's error 12038
 * ("the certificate's name is invalid or does not match"), so a name the certificate does not cover
 * is caught here, before any browser sees it.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { ipAddressPattern } from './options.js';

const pemBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const dayMs = 24 * 3600 * 1000;
/** certbot renews 30 days before expiry; fewer than 14 left means renewal is failing. */
export const expiryWarningDays = 14;

export interface CertificateFiles {
  readonly certPath: string;
  readonly keyPath: string;
  readonly certPem: string;
  readonly keyPem: string;
}

export function inspectCertificate(files: CertificateFiles, domains: readonly string[], now: Date): string[] {
  const blocks = files.certPem.match(pemBlock) ?? [];
  if (blocks.length === 0) return [`--cert ${files.certPath} holds no PEM certificate`];
  let chain: X509Certificate[];
  try {
    chain = blocks.map((block) => new X509Certificate(block));
  } catch (error) {
    return [`--cert ${files.certPath} cannot be parsed: ${(error as Error).message}`];
  }
  const leaf = chain[0] as X509Certificate;
  const findings: string[] = [];

  if (leaf.ca && chain.some((cert) => !cert.ca)) {
    findings.push(
      `--cert ${files.certPath}: the first certificate is a CA; the server's own certificate must come first, ` +
        'then its intermediates (nginx and Apache send them in file order)',
    );
  }
  for (let i = 1; i < chain.length; i++) {
    if (!(chain[i - 1] as X509Certificate).checkIssued(chain[i] as X509Certificate)) {
      findings.push(
        `--cert ${files.certPath}: certificate ${i + 1} did not issue certificate ${i}; the chain is out of order`,
      );
      break;
    }
  }

  try {
    if (!leaf.checkPrivateKey(createPrivateKey(files.keyPem))) {
      findings.push(`--key ${files.keyPath} does not belong to the certificate in ${files.certPath}`);
    }
  } catch (error) {
    findings.push(`--key ${files.keyPath} cannot be read as a private key: ${(error as Error).message}`);
  }

  const covered = leaf.subjectAltName ?? '(no subjectAltName)';
  for (const domain of domains) {
    if (!certificateCovers(leaf, domain)) {
      findings.push(
        `the certificate does not cover ${domain} (browsers report a name mismatch, IE error 12038); it covers: ${covered}`,
      );
    }
  }

  const expires = new Date(leaf.validTo);
  const daysLeft = Math.floor((expires.getTime() - now.getTime()) / dayMs);
  if (daysLeft < 0) findings.push(`the certificate expired on ${expires.toISOString().slice(0, 10)}`);
  else if (daysLeft < expiryWarningDays) {
    findings.push(
      `the certificate expires in ${daysLeft} day${daysLeft === 1 ? '' : 's'} (${expires.toISOString().slice(0, 10)}); renew it`,
    );
  }
  if (new Date(leaf.validFrom).getTime() > now.getTime()) {
    findings.push(`the certificate is not valid before ${new Date(leaf.validFrom).toISOString()}`);
  }
  return findings;
}

/**
 * Browser rules (RFC 6125): only subjectAltName counts, a `*` stands for exactly one label, and a
 * wildcard --domain is covered only by the same wildcard.
 */
function certificateCovers(leaf: X509Certificate, domain: string): boolean {
  if (ipAddressPattern.test(domain)) return leaf.checkIP(domain) !== undefined;
  if (domain.startsWith('*.')) {
    const names = (leaf.subjectAltName ?? '').split(/,\s*/).map((entry) => entry.toLowerCase());
    return names.includes(`dns:${domain}`);
  }
  return leaf.checkHost(domain, { subject: 'never', partialWildcards: false }) !== undefined;
}
