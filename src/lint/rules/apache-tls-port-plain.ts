import type { Rule } from '../rule.js';
import { httpsPort, isOff, isOn, listensOf, own, vhostPorts } from './apache-ports.js';
import { apacheMayHoldUnread } from './unread-include.js';

/**
 * A <VirtualHost> meant for TLS that mod_ssl never turns TLS on for serves plain HTTP on that port:
 * browsers get ERR_SSL_PROTOCOL_ERROR ("wss://… failed") and `http://host:443/` works. mod_ssl enables
 * a virtual host with `SSLEngine on` (its own or the main server's); with SSLEngine unset, only when
 * the port's protocol is `https` (port 443, or `Listen <port> https`) and a certificate is configured.
 * So these are plain HTTP: `<VirtualHost *:443>` without SSLEngine and without a certificate, any
 * virtual host with `SSLEngine off` on 443, and a certificate on a port that is not `https` (8443)
 * without SSLEngine on (each shown on the real httpd 2.4 in test/lint/rule-evidence.test.ts).
 */
export const apacheTlsPortPlain: Rule = {
  id: 'apache-tls-port-plain',
  severity: 'error',
  servers: ['apache'],
  why: 'A <VirtualHost> on the TLS port without SSLEngine on serves plain HTTP there: wss:// clients fail.',
  fix: 'SSLEngine on, with SSLCertificateFile and SSLCertificateKeyFile, inside the <VirtualHost>',
  docs: 'https://httpd.apache.org/docs/2.4/mod/mod_ssl.html#sslengine',
  check(model, report) {
    const apache = model.apache;
    if (!apache) return;
    const listens = listensOf(apache);
    for (const site of apache.sites) {
      if (site.node === undefined) continue;
      // SSLEngine may come from an Include lint could not read (certbot's options-ssl-apache.conf).
      if (apacheMayHoldUnread(site, 'tls')) continue;
      const engine = site.setting('sslengine');
      if (isOn(engine)) continue;
      const ownEngine = own(site, 'sslengine');
      const certificate = site.setting('sslcertificatefile');
      for (const port of vhostPorts(site)) {
        const https = httpsPort(listens, port);
        const meantForTls = https || certificate !== undefined;
        if (!meantForTls) continue;
        // SSLEngine unset on an https port with a certificate: mod_ssl turns TLS on by itself.
        if (engine === undefined && https && certificate !== undefined) continue;
        // An explicit SSLEngine off on a non-https port is a choice (a plain twin of the TLS host).
        if (isOff(ownEngine) && !https) continue;
        const why =
          engine !== undefined
            ? `SSLEngine ${engine.args[0]} (line ${engine.line})`
            : https
              ? 'no SSLEngine and no SSLCertificateFile'
              : `a certificate but no SSLEngine on, and port ${port} is not an https Listen`;
        report(
          site,
          `${site.label} has ${why}: it serves plain HTTP on port ${port}, so every https:// and wss:// client to that port fails its handshake (ERR_SSL_PROTOCOL_ERROR)`,
        );
      }
    }
  },
};
