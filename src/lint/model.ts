/**
 * The resolved model every rule reads. The linter builds it once from the parsed files (model-nginx.ts,
 * model-apache.ts): effective values after each server's inheritance rules, which locations carry
 * WebSocket traffic, what each TLS directive enables. Rules never walk raw tokens themselves.
 */

import type { HaproxyModel } from '../servers/haproxy/lint-model.js';
import type { Located, ParseProblem, ServerType, Suppression } from './finding.js';
import type { ApacheModel } from './model-apache.js';
import type { NginxModel } from './model-nginx.js';

/** What the user told lint about the servers the files are for. */
export interface LintSettings {
  /** `--server-version`; undefined when not given, and rules then say what they assumed. */
  readonly serverVersion: string | undefined;
  /** `--ws-path`: URL prefixes that carry WebSocket traffic whatever their name. */
  readonly wsPaths: readonly string[];
  /** `--check-files`: whether certificate files must exist, checked through this callback, which
   *  resolves a relative path the way the server does (against the main file's directory). */
  readonly fileExists: ((path: string, mainFile: string) => boolean) | undefined;
  /** `--max-clients`: the concurrent sockets the main config must hold (src/core/capacity.ts). */
  readonly maxClients?: number;
  /** `--ping-interval`, in seconds: how often the app sends a frame on an idle socket, either way. */
  readonly pingInterval?: number;
  /** The real `openssl ciphers` of this machine (src/io/openssl-ciphers.ts); undefined when there is
   *  none, and tls-weak-ciphers uses its model (src/lint/cipher-suites.ts) alone. */
  readonly opensslCiphers?: OpensslCiphers;
}

export interface OpensslCiphers {
  /** Every TLS 1.2-and-below suite the local library builds. */
  readonly known: ReadonlySet<string>;
  /** The suites a cipher string enables; undefined when openssl could not say. */
  enabled(cipherString: string): readonly string[] | undefined;
}

/** A TLS directive and what it turns on. `directive` is the name as the server spells it. */
export interface TlsSetting extends Located {
  readonly directive: string;
}

export interface TlsFacts {
  /** Every directive that chooses TLS protocols, resolved to the protocols it leaves enabled. */
  readonly protocols: readonly (TlsSetting & { readonly enabled: readonly string[] })[];
  /** Every OpenSSL cipher string (TLS 1.2 and below), as written. */
  readonly ciphers: readonly (TlsSetting & { readonly cipherString: string })[];
  /** Every directive that says whether the server's cipher order wins. */
  readonly serverCipherOrder: readonly (TlsSetting & { readonly on: boolean })[];
  /** Each server block or virtual host that speaks TLS. */
  readonly sites: readonly TlsSite[];
  /** Certificate and key files the config names, for `--check-files`. */
  readonly certificateFiles: readonly (TlsSetting & { readonly path: string; readonly mainFile: string })[];
}

export interface TlsSite extends Located {
  /** How to name it in a message: `server example.com`, `<VirtualHost *:443>`. */
  readonly label: string;
  /** Whether a Strict-Transport-Security header is sent for the site as a whole. */
  readonly hsts: boolean;
  /** Inner blocks that set headers of their own and so drop the site's Strict-Transport-Security
   *  (nginx's add_header is inherited only by levels that set none). */
  readonly hstsDroppedAt: readonly (Located & { readonly label: string })[];
  /** OCSP stapling, when turned on: where, and which of the directives it needs are missing. */
  readonly stapling: (Located & { readonly missing: readonly string[] }) | undefined;
}

export interface LintModel {
  readonly server: ServerType;
  readonly settings: LintSettings;
  /** Set when `server` is nginx. */
  readonly nginx: NginxModel | undefined;
  /** Set when `server` is apache. */
  readonly apache: ApacheModel | undefined;
  /** Set when `server` is haproxy (src/servers/haproxy/lint-model.ts). */
  readonly haproxy?: HaproxyModel | undefined;
  readonly tls: TlsFacts;
  readonly problems: readonly ParseProblem[];
  readonly suppressions: readonly Suppression[];
  /** Every rule id, so a suppression naming an unknown rule can be reported. */
  readonly ruleIds: ReadonlySet<string>;
}

/** The path segments that name a socket endpoint: `/ws`, `/wss/`, `/websocket`, `/socket.io/`,
 *  `/cable` (Rails Action Cable), also deeper (`/api/ws`). Works on regex locations too. */
const socketNames = new Set(['ws', 'wss', 'websocket', 'socket.io', 'cable']);
export function namesSocket(path: string): boolean {
  const words = path
    .replace(/\\\./g, '.')
    .toLowerCase()
    .split(/[^a-z0-9._-]+/);
  return words.some((word) => socketNames.has(word));
}

/** `/ws/` and `/ws` name the same prefix for matching purposes. */
export const withoutTrailingSlash = (path: string): string =>
  path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
