import type { Rule } from '../rule.js';
import { nginxMayHoldUnread } from './unread-include.js';

/**
 * proxy_read_timeout (default 60s) is how long nginx waits between two reads from the backend; on a
 * WebSocket that is any quiet spell, so a socket with no frame for that long is closed
 * (https://nginx.org/en/docs/http/websocket.html: "By default, the connection will be closed if the
 * proxied server does not transmit any data within 60 seconds").
 *
 * In a tunnel nginx re-arms that timer on any frame either way (ngx_http_upstream_process_upgraded),
 * so a ping from the client counts as much as one from the backend; test/lint/read-timeout-evidence
 * shows both on nginx 1.22.1, and a socket quiet both ways closed.
 *
 * Whether that breaks anything depends on the app's ping interval, which the config does not say:
 * Socket.IO and Centrifugo ping every 25 s, Jitsi every 10 s, Home Assistant every 55 s, so the default
 * is harmless for them. Hence: with `--ping-interval`, a timeout at or below it is a warning (sockets
 * really die); without it, a timeout of 60 s or less is info explaining the risk, not a CI failure.
 */
export const proxyReadTimeout: Rule = {
  id: 'proxy-read-timeout',
  severity: 'warning',
  servers: ['nginx'],
  why: 'nginx closes a WebSocket quiet for proxy_read_timeout (60s unless set): apps pinging less often lose sockets.',
  fix: 'proxy_read_timeout longer than the ping interval (e.g. 1h), or ping more often than the timeout',
  docs: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout',
  check(model, report) {
    const ping = model.settings.pingInterval;
    for (const block of model.nginx?.proxyBlocks ?? []) {
      if (!block.webSocket) continue;
      const directive = block.readTimeout;
      // Without one, the 60 s default is assumed, unless an include lint could not read may set it.
      if (!directive && nginxMayHoldUnread(block.block)) continue;
      const seconds = directive ? nginxTimeSeconds(directive.args[0] ?? '') : 60;
      if (seconds === undefined) continue;
      const at = directive ?? block.block.node ?? block.proxyPass;
      const what = directive
        ? `proxy_read_timeout ${directive.args[0]}`
        : "nginx's default proxy_read_timeout of 60s";
      // A timeout set where the requests come from does not apply here: a jump (try_files or
      // error_page to @name, rewrite … last) runs the request with this location's settings only
      // (shown on nginx 1.22.1 in test/lint/read-timeout-evidence.test.ts). Say so, and move it here.
      const ignored = block.reachedFrom
        .map((jump) => ({ jump, set: jump.from.block.own.last('proxy_read_timeout') }))
        .find(({ set }) => set !== undefined && (nginxTimeSeconds(set.args[0] ?? '') ?? 0) > seconds);
      // The value moved here must pass this rule: with --ping-interval, one at or below the ping
      // brings the same warning back (sweep 10, PeerTube with a 15m ping: 15m moved to @api_websocket
      // was warned again, fix 1800s). Then the rule's own suggestion, which outlasts the ping.
      const copied = ignored?.set?.args[0];
      const copiedPasses =
        copied !== undefined && (ping === undefined || (nginxTimeSeconds(copied) ?? 0) > ping);
      const unused = ignored?.set
        ? ` (the proxy_read_timeout ${copied} of ${ignored.jump.from.label} on line ${ignored.set.line} does not apply: its requests come here by ${ignored.jump.via} and run with these settings${copiedPasses ? '' : `; moved here, ${copied} would not outlast the ping either`})`
        : '';
      const fix = copiedPasses
        ? `proxy_read_timeout ${copied};`
        : `proxy_read_timeout ${suggestedTimeout(ping)};`;
      if (ping !== undefined) {
        if (seconds > ping) continue;
        report(
          at,
          `${block.label}: with ${what}, every WebSocket that sends no frame for ${seconds}s is closed by nginx, and the app pings only every ${ping}s (--ping-interval): idle sockets drop and reconnect${unused}`,
          { fix },
        );
        continue;
      }
      if (seconds > 60) continue;
      report(
        at,
        `${block.label}: with ${what}, a WebSocket that sends no frame for ${seconds}s is closed by nginx; harmless if the app pings more often (Socket.IO: 25s), else idle sockets drop. Give --ping-interval to judge`,
        { severity: 'info', fix },
      );
    }
  },
};

/** Twice the ping interval leaves room for one lost ping; an hour when it is unknown. */
const suggestedTimeout = (ping: number | undefined): string =>
  ping === undefined ? '1h' : `${Math.max(2 * ping, 75)}s`;

const units: Readonly<Record<string, number>> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
  M: 2592000,
  y: 31536000,
};

/** nginx time syntax (https://nginx.org/en/docs/syntax.html): `90`, `90s`, `1h30m`, `500ms`. A scan
 *  rather than a global regex: it runs for every location of a large config (bench/lint.mjs), and the
 *  match objects cost more than the rest of this rule. */
export function nginxTimeSeconds(text: string): number | undefined {
  const n = text.length;
  let total = 0;
  let i = 0;
  while (i < n) {
    const start = i;
    let value = 0;
    for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i))
      value = value * 10 + c - 48;
    if (i === start) return undefined;
    // Digits alone are seconds, but only as the whole value: `1h30` is no time.
    if (i === n) return start === 0 ? value : undefined;
    const unit = text[i] === 'm' && text[i + 1] === 's' ? 'ms' : (text[i] as string);
    const factor = units[unit];
    if (factor === undefined) return undefined;
    total += value * factor;
    i += unit.length;
  }
  return n === 0 ? undefined : total;
}
