/**
 * What `apache2 -t` says of a name no loaded module defines: "Invalid command 'X', perhaps misspelled
 * or defined by a module not included in the server configuration" (ap_process_resource_config →
 * invoke_cmd in server/config.c), fatal at that line. The table (apache-directives.ts) is what
 * `apache2 -L` lists with every module Debian's Apache 2.4.71 ships loaded
 * (scripts/probe-apache-directives.mjs), so a name outside it is defined by no module of that
 * Apache: misspelled, or a third-party module's.
 *
 * What lint cannot know is not an error:
 *   - which modules the server loads: a directive of a shipped module that is not enabled fails the
 *     same way, but only the server's LoadModule lines say so;
 *   - third-party modules (mod_security, mod_wsgi, mod_php, Passenger, …): a name matching one is
 *     noted once per module (info);
 *   - what httpd skips: the contents of <IfModule>, <IfDefine>, <IfVersion>, <IfDirective>,
 *     <IfSection> and <IfFile> whose condition lint cannot evaluate (httpd does not look up their
 *     commands when the condition is false), and of <Macro> (read only where it is used);
 *   - any other well-formed name that is not a near-miss of a known one and does not claim a family
 *     of httpd's own modules (Proxy…, SSL…): the list of third-party modules cannot be complete, so
 *     such a name is noted (info), not an error;
 *   - with a --server-version newer than the table's, a name may be a newer directive: only a
 *     near-miss of a known one is reported.
 * Pure, and iterative: nesting thousands deep must not overflow the stack.
 */
import { compareVersions, defaultVersions } from '../core/versions.js';
import { conditionalSections } from './apache-conditional.js';
import { type ApacheArity, apacheArityRows } from './apache-directive-arity.js';
import { apacheDirectiveRows, apacheDirectiveTableVersion } from './apache-directives.js';
import { ifVersionHolds } from './apache-ifversion.js';
import { type ProxyPassPlace, proxyPassParameterProblem } from './apache-proxypass-params.js';
import { redirectLiteralVariable, redirectProblem, redirectSlash } from './apache-redirect-args.js';
import { type ParseProblem, placeOf } from './finding.js';
import { distance } from './nginx-directive-check.js';
import type { ApacheDirective } from './parse-apache.js';

/** Lower-case name (a section with its "<") → the name as httpd spells it. */
const known = new Map(apacheDirectiveRows.map(([name]) => [name.toLowerCase(), name]));

/** The modules httpd's own directives come from (`mod_ssl`, …), as the directive table names them. */
const stockModules: ReadonlySet<string> = new Set(apacheDirectiveRows.map(([, module]) => module));

/**
 * Whether lint reads an <IfModule> as holding: a module of httpd's own, not negated. httpd skips the
 * whole section when the condition fails, errors included, so `<IfModule !mod_ssl.c>` (false wherever
 * mod_ssl is loaded) and a module httpd does not ship (`mod_nothere.c`) are not judged (the session 8
 * differential run: httpd passed both with errors inside).
 */
export function ifModuleHolds(args: readonly string[]): boolean {
  const condition = args[0] ?? '';
  if (condition.startsWith('!')) return false;
  const module =
    /^mod_([a-z0-9_]+)\.c$/i.exec(condition)?.[1] ?? /^([a-z0-9_]+)_module$/i.exec(condition)?.[1];
  return module !== undefined && stockModules.has(`mod_${module.toLowerCase()}`);
}
const arityOf = new Map(apacheArityRows.map(([name, arity]) => [name.toLowerCase(), arity]));

/** httpd's words for each count (server/config.c, invoke_cmd), after the directive's name. */
const arityWords: Readonly<Record<ApacheArity, string>> = {
  none: 'takes no arguments',
  '1': 'takes one argument',
  '2': 'takes two arguments',
  '1-2': 'takes 1-2 arguments',
  '3': 'takes three arguments',
  '2-3': 'takes two or three arguments',
  '1-3': 'takes one, two or three arguments',
  '1|3': 'takes one or three arguments',
  '1+': 'requires at least one argument',
  '2+': 'requires at least two arguments',
  flag: 'must be On or Off',
};

/**
 * Whether httpd takes these arguments for a directive of this kind, as invoke_cmd counts them: an empty
 * word ("") is no word, a TAKE-n refuses anything after its last word, and a FLAG reads its first word
 * only (`ProxyPreserveHost On trailing words` passes).
 */
function arityHolds(arity: ApacheArity, args: readonly string[]): boolean {
  const n = args.length;
  const word = (k: number) => k < n && args[k] !== '';
  switch (arity) {
    case 'none':
      return n === 0;
    case '1':
      return n === 1 && word(0);
    case '2':
      return n === 2 && word(0) && word(1);
    case '1-2':
      return n >= 1 && n <= 2 && word(0);
    case '3':
      return n === 3 && word(0) && word(1) && word(2);
    case '2-3':
      return n >= 2 && n <= 3 && word(0) && word(1);
    case '1-3':
      return n >= 1 && n <= 3 && word(0);
    case '1|3':
      return word(0) && n <= 3 && !(n === 2 && word(1));
    case '1+':
      return word(0);
    case '2+':
      return word(0) && n >= 2;
    case 'flag':
      return /^(on|off)$/i.test(args[0] ?? '');
  }
}

/** The words httpd most likely was meant to get: a ";" at the end of a word dropped (nginx's habit),
 *  and a "# …" after the arguments dropped (Apache has comments on lines of their own only). */
function mendedArgs(args: readonly string[]): readonly string[] {
  const hash = args.findIndex((arg) => arg.startsWith('#'));
  return (hash >= 0 ? args.slice(0, hash) : args).map((arg) => arg.replace(/;+$/, ''));
}

/** Sections whose contents httpd may never read as commands. */
const conditional = new Set([...conditionalSections, 'macro']);

/** Third-party modules, by the names they add (lower case), with what to install. */
const thirdParty: readonly (readonly [RegExp, string])[] = [
  [/^sec[a-z]/, 'mod_security2 (Debian: libapache2-mod-security2)'],
  [/^wsgi/, 'mod_wsgi (Debian: libapache2-mod-wsgi-py3)'],
  [/^php_(value|flag|admin_value|admin_flag)$/, 'mod_php (Debian: libapache2-mod-php)'],
  [/^oidc/, 'mod_auth_openidc (Debian: libapache2-mod-auth-openidc)'],
  [/^passenger/, 'Phusion Passenger (Debian: libapache2-mod-passenger)'],
  [/^dos[a-z]/, 'mod_evasive (Debian: libapache2-mod-evasive)'],
  [/^qs_/, 'mod_qos (Debian: libapache2-mod-qos)'],
  [/^jk[a-z]/, 'mod_jk (Debian: libapache2-mod-jk)'],
  [/^(fcgid|fcgi[a-z])/, 'mod_fcgid (Debian: libapache2-mod-fcgid)'],
  [/^fastcgi/, 'mod_fastcgi'],
  [/^perl/, 'mod_perl (Debian: libapache2-mod-perl2)'],
  [/^python/, 'mod_python'],
  [/^(rmode|ruidgid|rgroups|rdocumentchroot|rminuidgid|rdefaultuidgid|rdefaultgroups)$/, 'mod_ruid2'],
  [/^modpagespeed/, 'mod_pagespeed'],
  [/^maxminddb/, 'mod_maxminddb (Debian: libapache2-mod-maxminddb)'],
  [/^geoip/, 'mod_geoip'],
  [/^rpaf/, 'mod_rpaf (Debian: libapache2-mod-rpaf)'],
  [/^cloudflare/, 'mod_cloudflare'],
  [/^mellon/, 'mod_auth_mellon (Debian: libapache2-mod-auth-mellon)'],
  [/^(krb|gssapi)/, 'mod_auth_kerb / mod_auth_gssapi (Debian: libapache2-mod-auth-gssapi)'],
  [/^xsendfile/, 'mod_xsendfile (Debian: libapache2-mod-xsendfile)'],
  [/^shib/, 'Shibboleth (Debian: libapache2-mod-shib)'],
  [/^(svn|authzsvn)/, 'mod_dav_svn (Debian: libapache2-mod-svn)'],
  [
    /^(assignuserid|assignuseridexpr|maxclientsvhost|nicevalue|limituidrange|limitgidrange)$/,
    'mpm-itk (Debian: libapache2-mpm-itk)',
  ],
  [/^suphp_/, 'mod_suphp'],
  [/^(bandwidth|maxconnection|largefilelimit|minbandwidth)/, 'mod_bw (Debian: libapache2-mod-bw)'],
  [/^(maxconnperip|noiplimit|oniplimit)$/, 'mod_limitipconn'],
  [/^(loadtileconfigfile|modtile|addtileconfig)/, 'mod_tile (Debian: libapache2-mod-tile)'],
  [/^cas[a-z]/, 'mod_auth_cas (Debian: libapache2-mod-auth-cas)'],
  [
    /^(defineexternalauth|addexternalauth|authexternal|groupexternal|setexternal)/,
    'mod_authnz_external (Debian: libapache2-mod-authnz-external)',
  ],
  [/^authpam/, 'mod_authnz_pam (Debian: libapache2-mod-authnz-pam)'],
  [/^mono/, 'mod_mono'],
  [
    /^(trackuploads|reportuploads|uploadprogress)/,
    'mod_upload_progress (Debian: libapache2-mod-upload-progress)',
  ],
  [/^musicindex/, 'mod_musicindex (Debian: libapache2-mod-musicindex)'],
  [/^nss[a-z]/, 'mod_nss'],
  [/^gnutls/, 'mod_gnutls (Debian: libapache2-mod-gnutls)'],
  [/^(weblogic|wl[a-z])/, 'the WebLogic plug-in (mod_wl)'],
  [
    /^(managerbalancername|advertise|enablemcpmreceive|createbalancers|usealias|lbstatusrecalctime)/,
    'mod_cluster',
  ],
  [/^(authldapbind|ldapconnection)/, 'an LDAP module'],
  [/^(rivet|tcl)/, 'mod_rivet (Debian: libapache2-mod-rivet)'],
  [/^(ldapbindas|intercept)/, 'a third-party module'],
];

/**
 * Families of httpd's own modules, all of them in the table: an unknown name in one of them is a
 * misspelling, not a third-party module's (mod_proxy_html, mod_proxy_*, mod_ssl, mod_rewrite,
 * mod_headers, mod_http2 ship with httpd).
 */
const coreFamily = /^(proxy|ssl|rewrite|requestheader|header|h2)/;

function moduleOf(key: string): string | undefined {
  for (const [pattern, module] of thirdParty) if (pattern.test(key)) return module;
  return undefined;
}

/** The known directive (as httpd spells it) `key` is most likely a misspelling of. */
function nearestKnown(key: string): string | undefined {
  if (key.replace(/^</, '').length < 5) return undefined;
  let best: string | undefined;
  let bestDistance = 3;
  for (const [candidate, name] of known) {
    if (candidate.startsWith('<') !== key.startsWith('<')) continue;
    const d = distance(key, candidate, 2);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

function proxySectionWorkers(directives: readonly ApacheDirective[]): string[] {
  const urls: string[] = [];
  const pending = [...directives];
  for (let node = pending.pop(); node; node = pending.pop()) {
    if (!node.section) continue;
    const url = node.args[0] ?? '';
    if (node.key === 'proxy' && /^[a-z][a-z0-9+.-]*:\/\/[^*]+$/i.test(url) && !/^balancer:/i.test(url)) {
      urls.push(url.toLowerCase());
    }
    for (const inner of node.section) pending.push(inner);
  }
  return urls;
}

export function checkApacheDirectives(
  directives: readonly ApacheDirective[],
  serverVersion: string | undefined,
): ParseProblem[] {
  const problems: ParseProblem[] = [];
  const newerThanTable =
    serverVersion !== undefined && compareVersions(serverVersion, apacheDirectiveTableVersion) > 0;
  const noted = new Set<string>();
  const version = serverVersion ?? defaultVersions.apache;
  /** The worker URLs ProxyPass lines defined so far (see apache-proxypass-params.ts), and those of
   *  every <Proxy URL> section: httpd defines a worker for one too, and a ProxyPass to it shares it
   *  (httpd 2.4.71 ignores an unknown key there; the cold attack). Taken from anywhere in the files,
   *  which can only make lint report less. */
  const workers: string[] = proxySectionWorkers(directives);
  // `place`: where a ProxyPass in the list stands; undefined in sections where lint does not judge one
  // (<Proxy>, <Directory>, <Files>: httpd gives it the section's path too, or refuses it).
  // `inConditional`: inside an <IfModule> of a stock module (ifModuleHolds) or a true <IfVersion>.
  // httpd reads a known directive there
  // as anywhere else when the condition holds, as lint assumes it does (certbot wraps every TLS vhost
  // it writes in <IfModule mod_ssl.c>), so counts, ProxyPass words and Redirect forms are checked; a
  // name lint does not know is not, since the module the condition names may be what defines it.
  // Other conditions (<IfDefine>, <IfFile>, …) and <Macro> are not entered.
  const stack: {
    readonly list: readonly ApacheDirective[];
    index: number;
    readonly place: ProxyPassPlace | undefined;
    readonly inConditional: boolean;
  }[] = [{ list: directives, index: 0, place: 'server', inConditional: false }];
  for (let frame = stack.at(-1); frame; frame = stack.at(-1)) {
    const node = frame.list[frame.index++];
    if (!node) {
      stack.pop();
      continue;
    }
    const key = node.section ? `<${node.key}` : node.key;
    if (known.has(key)) {
      if (node.section && !conditional.has(node.key)) {
        const place =
          node.key === 'location' || node.key === 'locationmatch'
            ? 'location'
            : node.key === 'virtualhost'
              ? 'server'
              : undefined;
        stack.push({ list: node.section, index: 0, place, inConditional: frame.inConditional });
      } else if (
        node.section &&
        ((node.key === 'ifmodule' && ifModuleHolds(node.args)) ||
          // A regex form (`~ re`, `/re/`) is not evaluated here: not entered.
          (node.key === 'ifversion' &&
            !node.args.some((arg) => arg.includes('~') || arg.startsWith('/')) &&
            ifVersionHolds(node.args, version)))
      ) {
        stack.push({ list: node.section, index: 0, place: frame.place, inConditional: true });
      }
      if ((node.key === 'proxypass' || node.key === 'proxypassmatch') && frame.place !== undefined) {
        const problem = proxyPassParameterProblem(
          node,
          frame.place,
          version,
          serverVersion === undefined,
          workers,
        );
        if (problem) problems.push(problem);
      }
      if (/^redirect(match|permanent|temp)?$/.test(node.key)) {
        const problem =
          redirectProblem(node, frame.place !== 'server') ??
          redirectLiteralVariable(node, frame.place !== 'server');
        if (problem) problems.push(problem);
        const slash = redirectSlash(node, frame.place !== 'server');
        if (slash) problems.push(slash);
      }
      if (node.key === 'sslprotocol' || node.key === 'sslproxyprotocol') {
        const problem = sslProtocolProblem(node);
        if (problem) problems.push(problem);
      }
      // A ${VAR} (Define, or the environment) is replaced before httpd counts the words, and may hold
      // several or none: the count is not the written one.
      const arity =
        node.section || node.args.some((arg) => arg.includes('${')) ? undefined : arityOf.get(node.key);
      if (arity !== undefined && !arityHolds(arity, node.args)) {
        const mended = mendedArgs(node.args);
        const hint = node.args.some((arg) => arg.startsWith('#'))
          ? ': a # starts a comment only at the start of a line in Apache, so the rest of this line is arguments'
          : node.args.some((arg) => arg.endsWith(';'))
            ? ': Apache directives do not end with ";" (the ";" is part of the argument)'
            : '';
        problems.push({
          kind: 'parse-error',
          file: node.file,
          line: node.line,
          column: node.column,
          message: `${node.name} ${arityWords[arity]} (${node.args.length === 0 ? 'none given' : `given: ${node.args.map((arg) => JSON.stringify(arg)).join(' ')}`}); apache2 -t stops here${hint}`,
          fix: arityHolds(arity, mended)
            ? `${node.name} ${mended.map((arg) => (/[\s"]/.test(arg) || arg === '' ? JSON.stringify(arg) : arg)).join(' ')}`
            : `give ${node.name} what it takes: it ${arityWords[arity]}`,
        });
      }
      continue;
    }
    if (frame.inConditional) continue;
    const module = moduleOf(node.key);
    if (module !== undefined) {
      if (noted.has(module)) continue;
      noted.add(module);
      problems.push({
        kind: 'parse-error',
        severity: 'info',
        file: node.file,
        line: node.line,
        column: node.column,
        message: `${node.section ? '<' : ''}${node.name} needs ${module}: httpd accepts it only with that module loaded (LoadModule), and stops with Invalid command '${node.section ? '<' : ''}${node.name}' otherwise; its settings are not linted`,
        fix: 'make sure the server loads the module (Debian: install the package and a2enmod it), or wrap it in <IfModule>, or silence this note with # wss-conf-ignore parse-error <reason>',
      });
      continue;
    }
    const nearest = nearestKnown(key);
    if (nearest === undefined && /^<?[a-z][a-z0-9_]*$/.test(key) && !coreFamily.test(node.key)) {
      // A well-formed name far from every known one: most likely a directive of a module lint has
      // no list entry for (mod_auth_tkt, mod_apparmor, …); an error would be wrong wherever it is
      // loaded. Noted once per name.
      if (newerThanTable || noted.has(key)) continue;
      noted.add(key);
      const written = `${node.section ? '<' : ''}${node.name}`;
      problems.push({
        kind: 'parse-error',
        severity: 'info',
        file: node.file,
        line: node.line,
        column: node.column,
        message: `${written} is no directive of Apache ${apacheDirectiveTableVersion} or of a module lint knows: httpd accepts it only with a module that defines it loaded (LoadModule), and stops with Invalid command '${written}' otherwise; its settings are not linted`,
        fix: `make sure the server loads the module that defines ${written}, or wrap it in <IfModule>, or delete the line; silence this note with # wss-conf-ignore parse-error <reason>`,
      });
      continue;
    }
    if (newerThanTable && nearest === undefined) continue;
    const written = `${node.section ? '<' : ''}${node.name}`;
    problems.push({
      kind: 'parse-error',
      file: node.file,
      line: node.line,
      column: node.column,
      message: `Invalid command '${written}', perhaps misspelled or defined by a module not included in the server configuration; apache2 -t stops here (no module of Apache ${apacheDirectiveTableVersion} defines it${newerThanTable ? ', and it is two edits from one that exists' : ''})${nearest === undefined ? '' : `; did you mean '${nearest}'?`}`,
      fix:
        nearest === undefined
          ? `delete the line, or load the module that defines ${written} (LoadModule), or wrap it in <IfModule>`
          : `write ${nearest}${node.section ? ' … >' : ''} in place of ${written}`,
    });
  }
  return problems;
}

const sslProtocols = new Set(['sslv3', 'tlsv1', 'tlsv1.1', 'tlsv1.2', 'tlsv1.3', 'all']);

/**
 * SSLProtocol and SSLProxyProtocol words as mod_ssl reads them (ssl_cmd_protocol_parse in
 * modules/ssl/ssl_engine_config.c, 2.4.62; names compare case-insensitively): `TLSv1.0` is no protocol
 * name (TLS 1.0 is `TLSv1`), and SSLv2, gone from 2.4, may only be removed (`-SSLv2`). httpd stops at
 * either (shown on httpd 2.4.71 in test/lint/agrees-with-servers.test.ts); lint used to read on and
 * report the protocols the line would have enabled. SSLv3 depends on how OpenSSL was built, and is
 * tls-legacy-protocols' to report.
 */
function sslProtocolProblem(node: ApacheDirective): ParseProblem | undefined {
  for (const arg of node.args) {
    if (arg.includes('${')) return undefined;
    const action = arg.startsWith('+') || arg.startsWith('-') ? arg.slice(0, 1) : '';
    const word = arg.slice(action.length);
    const lower = word.toLowerCase();
    if (lower === 'sslv2') {
      if (action === '-') continue;
      return {
        kind: 'parse-error',
        ...placeOf(node),
        message: `${node.name}: SSLv2 is no longer supported; apache2 -t stops here`,
        fix: `${node.name} -all +TLSv1.2 +TLSv1.3`,
      };
    }
    if (sslProtocols.has(lower)) continue;
    const meant = lower === 'tlsv1.0' ? 'TLSv1' : undefined;
    return {
      kind: 'parse-error',
      ...placeOf(node),
      message: `${node.name}: Illegal protocol '${word}'${meant ? ` (TLS 1.0 is written ${meant})` : ''}; apache2 -t stops here (protocols: all, SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3, each with + or - before it)`,
      // The line tls-legacy-protocols proposes too: one fix per line, and a modern one.
      fix: `${node.name} -all +TLSv1.2 +TLSv1.3`,
    };
  }
  return undefined;
}
