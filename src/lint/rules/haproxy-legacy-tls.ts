/**
 * TLS older than 1.2 on HAProxy: `ssl-min-ver SSLv3|TLSv1.0|TLSv1.1` or `force-sslv3|tlsv10|tlsv11`, on
 * a bind, server or default-server line or in `ssl-default-bind-options`/`-server-options`. Proven on
 * 2.6.12: a bind without options answers TLS 1.0 and 1.1 with a protocol_version alert, and the same
 * bind with `ssl-min-ver TLSv1.0` completes them. Before 2.2 that default was not there: HAProxy
 * accepted TLS 1.0 unless told otherwise (2.2 changelog, "use TLSv1.2 as the minimum default on bind
 * lines"), so with --server-version below 2.2 a TLS bind that sets no minimum is reported too.
 */
import { compareVersions } from '../../core/versions.js';
import type { HaproxyDirective } from '../../servers/haproxy/lint-model.js';
import type { Rule } from '../rule.js';

const legacyVersion = /^(SSLv3|TLSv1\.[01])$/;
const legacyForce = /^force-(sslv3|tlsv1[01])$/;
/** The first release whose bind lines refuse TLS 1.0 and 1.1 unless told otherwise. */
const tls12DefaultSince = '2.2.0';

/** What in the line allows TLS older than 1.2, as written, or undefined. */
function legacyIn(words: readonly string[]): string | undefined {
  const min = words.indexOf('ssl-min-ver');
  if (min >= 0 && legacyVersion.test(words[min + 1] ?? '')) return `ssl-min-ver ${words[min + 1]}`;
  return words.find((word) => legacyForce.test(word));
}

/** Whether the words set a minimum of TLS 1.2: `ssl-min-ver TLSv1.2|1.3`, or no-sslv3 no-tlsv10 no-tlsv11. */
const setsModernMinimum = (words: readonly string[]): boolean =>
  /^TLSv1\.[23]$/.test(words[words.indexOf('ssl-min-ver') + 1] ?? '') ||
  words.some((word) => /^force-tlsv1[23]$/.test(word)) ||
  ['no-tlsv10', 'no-tlsv11'].every((word) => words.includes(word));

const tlsLine = (d: HaproxyDirective) =>
  ['bind', 'server', 'default-server', 'ssl-default-bind-options', 'ssl-default-server-options'].includes(
    d.words[0] as string,
  );

export const haproxyLegacyTls: Rule = {
  id: 'haproxy-legacy-tls',
  severity: 'error',
  servers: ['haproxy'],
  why: 'TLS 1.0 and 1.1 are refused by browsers and dropped by Mozilla; HAProxy should accept 1.2 and newer.',
  fix: 'ssl-default-bind-options ssl-min-ver TLSv1.2   # in global; and no ssl-min-ver/force-tlsv1x below it',
  docs: 'https://docs.haproxy.org/2.6/configuration.html#5.1-ssl-min-ver',
  check(model, report) {
    const haproxy = model.haproxy;
    if (!haproxy) return;
    const lines = [...haproxy.global, ...haproxy.proxies.flatMap((p) => p.section.directives)].filter(
      tlsLine,
    );
    for (const directive of lines) {
      const legacy = legacyIn(directive.words);
      if (legacy) report(directive, `${legacy} allows TLS older than 1.2, which browsers refuse`);
    }
    const version = model.settings.serverVersion;
    if (version === undefined || compareVersions(version, tls12DefaultSince) >= 0) return;
    const defaults = haproxy.global.filter((d) => d.words[0] === 'ssl-default-bind-options');
    // A modern minimum there covers every bind; a legacy one is reported above already.
    if (defaults.some((d) => setsModernMinimum(d.words) || legacyIn(d.words))) return;
    for (const proxy of haproxy.proxies) {
      for (const bind of proxy.section.directives) {
        if (bind.words[0] !== 'bind' || !bind.words.includes('ssl')) continue;
        if (setsModernMinimum(bind.words) || legacyIn(bind.words)) continue;
        report(
          bind,
          `${proxy.label}: HAProxy ${version} accepts TLS 1.0 and 1.1 on this bind unless a minimum is set (the TLS 1.2 default came with 2.2)`,
        );
      }
    }
  },
};
