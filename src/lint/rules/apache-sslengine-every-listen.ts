import type { Rule } from '../rule.js';
import { httpsPort, isOn, listensOf, own, portOf, vhostPorts } from './apache-ports.js';

/**
 * `SSLEngine on` outside any <VirtualHost> turns TLS on for the main server, and every virtual host
 * that does not set SSLEngine itself inherits it (httpd merges the main server into each virtual host:
 * https://httpd.apache.org/docs/2.4/vhosts/details.html). So the `<VirtualHost *:80>` meant for
 * plain HTTP (often the redirect to https) speaks TLS too, and a browser's `http://` request gets
 * "400 Bad Request: You're speaking plain HTTP to an SSL-enabled server port" instead of the redirect
 * (shown on the real httpd in test/lint/rule-evidence.test.ts). A `Listen 80` no virtual host claims
 * is served by the main server, TLS as well.
 */
export const apacheSslengineEveryListen: Rule = {
  id: 'apache-sslengine-every-listen',
  severity: 'error',
  servers: ['apache'],
  why: 'SSLEngine on outside <VirtualHost> makes every port TLS: plain-HTTP requests on port 80 get 400.',
  fix: 'move SSLEngine on (and the certificate lines) into the <VirtualHost *:443>, or add SSLEngine off to the port-80 host',
  docs: 'https://httpd.apache.org/docs/2.4/mod/mod_ssl.html#sslengine',
  check(model, report) {
    const apache = model.apache;
    if (!apache) return;
    const main = apache.sites.find((site) => site.node === undefined);
    const engine = main?.setting('sslengine');
    if (!main || !engine || !isOn(engine)) return;
    const listens = listensOf(apache);
    const claimed = new Set<string>();
    for (const site of apache.sites) {
      if (site.node === undefined) continue;
      const ports = vhostPorts(site);
      for (const port of ports) claimed.add(port);
      if (own(site, 'sslengine')) continue;
      const plain = ports.filter((port) => !httpsPort(listens, port) && port !== '8443');
      if (plain.length === 0) continue;
      report(
        site,
        `${site.label} sets no SSLEngine, so it inherits "SSLEngine on" from line ${engine.line}: every plain http:// request to port ${plain.join(', ')} gets "400 Bad Request" (speaking plain HTTP to an SSL-enabled port), redirects included`,
        { fix: `add "SSLEngine off" inside ${site.label}, or move SSLEngine on into the TLS virtual host` },
      );
    }
    for (const listen of listens.lines) {
      const port = portOf(listen.args[0] ?? '');
      if (!port || claimed.has(port)) continue;
      const protocol = (listen.args[1] ?? '').toLowerCase();
      if (!(port === '80' || protocol === 'http')) continue;
      report(
        listen,
        `Listen ${listen.args.join(' ')} is served by the main server, which has "SSLEngine on" (line ${engine.line}): every plain http:// request to port ${port} gets "400 Bad Request"`,
      );
    }
  },
};
