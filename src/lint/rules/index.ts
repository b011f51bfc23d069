/** Every lint rule, in the order docs/lint.md lists them. One rule per file, named after its id. */
import type { Rule } from '../rule.js';
import { apacheForwardedProto } from './apache-forwarded-proto.js';
import { apacheProxyRequests } from './apache-proxy-requests.js';
import { apacheProxyTimeout } from './apache-proxy-timeout.js';
import { apacheProxypassSlash } from './apache-proxypass-slash.js';
import { apacheRedirectLiteral } from './apache-redirect-literal.js';
import { apacheRedirectSlash } from './apache-redirect-slash.js';
import { apacheRewriteBackreference } from './apache-rewrite-backreference.js';
import { apacheSslProxyEngine } from './apache-ssl-proxy-engine.js';
import { apacheSslengineEveryListen } from './apache-sslengine-every-listen.js';
import { apacheTlsPortPlain } from './apache-tls-port-plain.js';
import { apacheUpgradeAny } from './apache-upgrade-any.js';
import { apacheUpgradeCondition } from './apache-upgrade-condition.js';
import { apacheWsUpgrade } from './apache-ws-upgrade.js';
import { certFileMissing } from './cert-file-missing.js';
import { connectionUpgradeLiteral } from './connection-upgrade-literal.js';
import { connectionUpgradeMap } from './connection-upgrade-map.js';
import { defaultServerProxies } from './default-server-proxies.js';
import { duplicateServerName } from './duplicate-server-name.js';
import { duplicateUpstream } from './duplicate-upstream.js';
import { forwardedForAppend } from './forwarded-for-append.js';
import { haproxyLegacyTls } from './haproxy-legacy-tls.js';
import { haproxyModeTcp } from './haproxy-mode-tcp.js';
import { haproxyTimeoutTunnel } from './haproxy-timeout-tunnel.js';
import { headerCrlfVariable } from './header-crlf-variable.js';
import { hostHttpHost } from './host-http-host.js';
import { includeUnresolved } from './include-unresolved.js';
import { listenConflict } from './listen-conflict.js';
import { listenHttp2 } from './listen-http2.js';
import { maxClientsCapacity } from './max-clients-capacity.js';
import { parseError } from './parse-error.js';
import { proxyHeadersDropped } from './proxy-headers-dropped.js';
import { proxyHostTwice } from './proxy-host-twice.js';
import { proxyHttpVersion } from './proxy-http-version.js';
import { proxyPassQueryDropped } from './proxy-pass-query-dropped.js';
import { proxyPassRequestHost } from './proxy-pass-request-host.js';
import { proxyPassWsScheme } from './proxy-pass-ws-scheme.js';
import { proxyReadTimeout } from './proxy-read-timeout.js';
import { redirectFromHost } from './redirect-from-host.js';
import { sslOnRemoved } from './ssl-on-removed.js';
import { suppressionInvalid } from './suppression-invalid.js';
import { tlsCertificateMissing } from './tls-certificate-missing.js';
import { tlsHstsMissing } from './tls-hsts-missing.js';
import { tlsLegacyProtocols } from './tls-legacy-protocols.js';
import { tlsOcspStapling } from './tls-ocsp-stapling.js';
import { tlsServerCipherOrder } from './tls-server-cipher-order.js';
import { tlsWeakCiphers } from './tls-weak-ciphers.js';
import { tooNewForVersion } from './too-new-for-version.js';
import { wsLocationShadowed } from './ws-location-shadowed.js';
import { wsUpgradeHeaders } from './ws-upgrade-headers.js';

export const rules: readonly Rule[] = [
  // Reading the files
  parseError,
  includeUnresolved,
  suppressionInvalid,
  // Several sites together, both servers
  duplicateServerName,
  duplicateUpstream,
  listenConflict,
  // nginx: WebSocket proxying
  wsUpgradeHeaders,
  wsLocationShadowed,
  proxyHeadersDropped,
  proxyHttpVersion,
  connectionUpgradeMap,
  proxyPassWsScheme,
  proxyReadTimeout,
  connectionUpgradeLiteral,
  hostHttpHost,
  proxyHostTwice,
  proxyPassRequestHost,
  proxyPassQueryDropped,
  headerCrlfVariable,
  // nginx: hostile clients (Host, SNI, X-Forwarded-For)
  defaultServerProxies,
  forwardedForAppend,
  redirectFromHost,
  // nginx: version changes
  sslOnRemoved,
  listenHttp2,
  // Newer than --server-version, both servers
  tooNewForVersion,
  // TLS, both servers
  tlsLegacyProtocols,
  tlsWeakCiphers,
  tlsServerCipherOrder,
  tlsHstsMissing,
  tlsOcspStapling,
  tlsCertificateMissing,
  certFileMissing,
  // Apache
  apacheWsUpgrade,
  apacheUpgradeAny,
  apacheUpgradeCondition,
  apacheProxyTimeout,
  apacheRedirectLiteral,
  apacheRedirectSlash,
  apacheRewriteBackreference,
  apacheProxypassSlash,
  apacheSslProxyEngine,
  apacheSslengineEveryListen,
  apacheTlsPortPlain,
  apacheProxyRequests,
  apacheForwardedProto,
  // Capacity, both servers (--max-clients)
  maxClientsCapacity,
  // HAProxy (src/servers/haproxy/lint-model.ts)
  haproxyTimeoutTunnel,
  haproxyModeTcp,
  haproxyLegacyTls,
];
