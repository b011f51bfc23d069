import type { Rule } from '../rule.js';

/**
 * A certificate or key file that does not exist stops nginx ("cannot load certificate") and httpd
 * (SSLCertificateFile "does not exist or is empty") at start. Lint usually runs in CI, away from the
 * server, so this is only checked with --check-files.
 */
export const certFileMissing: Rule = {
  id: 'cert-file-missing',
  severity: 'error',
  servers: ['nginx', 'apache'],
  why: 'The server will not start with a certificate or key file that does not exist (checked with --check-files).',
  fix: 'correct the path, or create the certificate (certbot, or `wss-conf cert` for a test one)',
  docs: 'https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_certificate',
  check(model, report) {
    const exists = model.settings.fileExists;
    if (!exists) return;
    for (const file of model.tls.certificateFiles) {
      if (!exists(file.path, file.mainFile))
        report(file, `${file.directive} ${file.path}: no such file here`);
    }
  },
};
