import type { Rule } from '../rule.js';

/**
 * nginx: "For a resolution of the OCSP responder hostname, the resolver directive should also be
 * specified", and ssl_stapling_verify needs the issuer chain in ssl_trusted_certificate
 * (https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_stapling). httpd: "Configuration of a
 * cache is mandatory for OCSP stapling" (mod_ssl, SSLStaplingCache). Without them stapling silently
 * does nothing, or fails the start.
 */
export const tlsOcspStapling: Rule = {
  id: 'tls-ocsp-stapling',
  severity: 'warning',
  servers: ['nginx', 'apache'],
  why: 'OCSP stapling needs a resolver and trusted chain (nginx) or a stapling cache (httpd), else it does nothing.',
  fix: 'nginx: resolver 127.0.0.53; ssl_trusted_certificate <chain.pem>;  Apache: SSLStaplingCache shmcb:/run/ocsp(128000)',
  docs: 'https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_stapling',
  check(model, report) {
    for (const site of model.tls.sites) {
      const stapling = site.stapling;
      if (!stapling || stapling.missing.length === 0) continue;
      report(
        stapling,
        `OCSP stapling is on for ${site.label} without ${stapling.missing.join(' or ')}: ${model.server === 'nginx' ? 'no OCSP response is stapled, so every client checks revocation itself (slower first connection) or not at all' : 'httpd refuses to start (AH01958: SSLStapling: no stapling cache available)'}`,
        {
          fix: stapling.missing
            .map((name) =>
              name === 'resolver'
                ? 'resolver 127.0.0.53;'
                : name === 'ssl_trusted_certificate'
                  ? 'ssl_trusted_certificate /etc/ssl/chain.pem;'
                  : 'SSLStaplingCache shmcb:/run/apache2/ocsp(128000) (server-wide)',
            )
            .join(' '),
        },
      );
    }
  },
};
