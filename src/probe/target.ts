/**
 * Pure: what `wss-conf probe` connects to. The URL, curl-style `--resolve` entries and the Origin a
 * browser would send, each checked before anything touches the network.
 */
import { isIP } from 'node:net';

export interface ProbeTarget {
  /** The URL as given, normalised by the WHATWG URL parser (what a browser's `new WebSocket()` sees). */
  readonly url: string;
  /** wss:// (TLS) or ws://. */
  readonly secure: boolean;
  /** Lower-case host name or IP address, without the brackets of an IPv6 literal. */
  readonly host: string;
  readonly port: number;
  /** The request-target of the Upgrade request: path and query (RFC 6455 §4.1 "resource name"). */
  readonly resource: string;
  /** The Host header: the port only when it is not the scheme's default (RFC 6455 §4.1, item 4). */
  readonly hostHeader: string;
  readonly isIpAddress: boolean;
}

export interface ResolveEntry {
  readonly host: string;
  /** `undefined` for curl's `*`: every port. */
  readonly port: number | undefined;
  readonly addresses: readonly string[];
}

export type Parsed<T> = { readonly value: T } | { readonly problem: string };

const defaultPorts = { 'ws:': 80, 'wss:': 443 } as const;

/** Parses `ws://…` or `wss://…` the way a browser's WebSocket constructor does, with plainer errors. */
export function parseProbeUrl(text: string): Parsed<ProbeTarget> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: `${JSON.stringify(text)} is not a URL; give one such as wss://example.com/wss` };
  }
  if (url.protocol === 'https:' || url.protocol === 'http:') {
    const scheme = url.protocol === 'https:' ? 'wss' : 'ws';
    return {
      problem: `${url.protocol}// is the page's scheme; the WebSocket URL is ${scheme}://${url.host}${url.pathname}${url.search}`,
    };
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    return { problem: `${JSON.stringify(text)} must start with wss:// (or ws://)` };
  }
  // RFC 6455 §3: fragment identifiers are meaningless in WebSocket URIs and must not be used.
  if (url.hash !== '')
    return { problem: `${JSON.stringify(text)}: a WebSocket URL has no #fragment (RFC 6455 §3)` };
  if (url.hostname === '') return { problem: `${JSON.stringify(text)} has no host` };
  const secure = url.protocol === 'wss:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const port = url.port === '' ? defaultPorts[url.protocol] : Number(url.port);
  return {
    value: {
      url: url.href,
      secure,
      host,
      port,
      resource: `${url.pathname}${url.search}`,
      // url.host already leaves out the default port and keeps IPv6 brackets.
      hostHeader: url.host,
      isIpAddress: isIP(host) !== 0,
    },
  };
}

const hostPattern =
  /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * One `--resolve HOST:PORT:ADDR[,ADDR…]`, as curl takes it: PORT may be `*`, an IPv6 ADDR is written in
 * brackets (`[::1]`). Like curl, ADDR must be a numeric address, not a name.
 */
export function parseResolveEntry(text: string): Parsed<ResolveEntry> {
  const shape = `${JSON.stringify(text)} is not HOST:PORT:ADDR (for example wss.example.com:443:127.0.0.1)`;
  const firstColon = text.indexOf(':');
  const secondColon = firstColon < 0 ? -1 : text.indexOf(':', firstColon + 1);
  if (secondColon < 0) return { problem: shape };
  const host = text.slice(0, firstColon).toLowerCase();
  const portText = text.slice(firstColon + 1, secondColon);
  const addressText = text.slice(secondColon + 1);
  if (!hostPattern.test(host)) return { problem: `${shape}: ${JSON.stringify(host)} is not a host name` };
  let port: number | undefined;
  if (portText !== '*') {
    port = /^[0-9]{1,5}$/.test(portText) ? Number(portText) : 0;
    if (port < 1 || port > 65535) return { problem: `${shape}: the port must be 1-65535 or *` };
  }
  const addresses = addressText.split(',').map((part) => part.replace(/^\[(.*)\]$/, '$1'));
  const bad = addresses.find((address) => isIP(address) === 0);
  if (bad !== undefined) {
    return { problem: `${shape}: ${JSON.stringify(bad)} is not an IPv4 or [IPv6] address` };
  }
  return { value: { host, port, addresses } };
}

/** The first `--resolve` entry for this host and port, as curl picks it. */
export const resolveEntryFor = (
  entries: readonly ResolveEntry[],
  target: ProbeTarget,
): ResolveEntry | undefined =>
  entries.find(
    (entry) => entry.host === target.host && (entry.port === undefined || entry.port === target.port),
  );

/**
 * The Origin a browser sends from a page on the same site: https:// for wss://, http:// for ws://
 * (RFC 6455 §4.1 item 8 and §10.2; browsers always send it).
 */
export function defaultOrigin(target: ProbeTarget): string {
  const pagePort = target.port === defaultPorts[target.secure ? 'wss:' : 'ws:'] ? '' : `:${target.port}`;
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `${target.secure ? 'https' : 'http'}://${host}${pagePort}`;
}

/** `--origin`: a page URL; only its origin (scheme://host[:port]) is sent, as a browser does. */
export function parseOrigin(text: string): Parsed<string> {
  try {
    const url = new URL(text);
    if ((url.protocol === 'https:' || url.protocol === 'http:') && url.origin !== 'null') {
      return { value: url.origin };
    }
  } catch {
    // falls through to the problem below
  }
  return { problem: `${JSON.stringify(text)} is not a page origin such as https://example.com` };
}
