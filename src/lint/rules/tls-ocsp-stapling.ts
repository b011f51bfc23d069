import type { Rule } from '../rule.js';

/**
 * httpd: "Configuration of a cache is mandatory for OCSP stapling" (mod_ssl, SSLStaplingCache); without
 * one httpd refuses to start (AH01958): a warning.
 * nginx staples without a `resolver` (it resolves the responder at start-up) and, with
 * ssl_stapling_verify, verifies a response signed by the issuer against the certificate chain; only a
 * CA whose delegated responder certificate signs the answers needs ssl_trusted_certificate, and the
 * config does not say which kind of CA it is: an info (test/lint/ocsp-stapling-evidence.test.ts).
 */
export const tlsOcspStapling: Rule = {
  id: 'tls-ocsp-stapling',
  severity: 'warning',
  servers: ['nginx', 'apache'],
  why: 'OCSP stapling needs a stapling cache (httpd), and a trusted CA chain for a delegated responder (nginx).',
  fix: 'Apache: SSLStaplingCache shmcb:/run/ocsp(128000);  nginx: ssl_trusted_certificate <CA chain.pem>;',
  docs: 'https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_stapling',
  check(model, report) {
    for (const site of model.tls.sites) {
      const stapling = site.stapling;
      if (!stapling || stapling.missing.length === 0) continue;
      if (model.server === 'nginx') {
        report(
          stapling,
          `ssl_stapling_verify is on for ${site.label} without ssl_trusted_certificate: a response signed by the issuing CA itself verifies against the certificate chain and is stapled, but if the CA answers through a delegated OCSP responder certificate nginx cannot verify it and staples nothing, so each client checks revocation itself (a slower first connection) or not at all`,
          { severity: 'info', fix: 'ssl_trusted_certificate /etc/ssl/ca-chain.pem;' },
        );
        continue;
      }
      report(
        stapling,
        `OCSP stapling is on for ${site.label} without ${stapling.missing.join(' or ')}: httpd refuses to start (AH01958: SSLStapling: no stapling cache available)`,
        { fix: 'SSLStaplingCache shmcb:/run/apache2/ocsp(128000) (server-wide)' },
      );
    }
  },
};
