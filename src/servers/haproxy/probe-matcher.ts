/**
 * HAProxy's own answers, as the probe sees them, and the HAProxy fix for each. Pure. HAProxy sends no
 * Server header, so its built-in error pages are the evidence; their texts were captured from HAProxy
 * 2.6.12 answering a WebSocket Upgrade (no server line, a refused port, a port that answers garbage, one
 * that never answers):
 *   503 "No server is available to handle this request."  no server up, or every connect failed
 *   502 "The server returned an invalid or incomplete response."  the backend spoke no HTTP
 *   504 "The server didn't respond in time."  the backend accepted but never answered
 * The probe loads this matcher through the registry (src/servers/haproxy/index.ts, probeMatcher):
 * src/probe/handshake.ts classifyAnswer matches them; src/probe/diagnosis.ts says them.
 */

import type { ServerErrorPage } from '../definition.js';

export interface HaproxyAnswer extends ServerErrorPage {
  readonly status: 502 | 503 | 504;
}

const answers: readonly HaproxyAnswer[] = [
  {
    status: 503,
    text: 'No server is available to handle this request.',
    summary: 'HAProxy has no server for it',
    cause:
      'HAProxy found no server to send the request to: every server of the backend is down by its health checks, or each connect failed (retries and redispatch included)',
    fix: [
      'Start the backend and check that it listens where the server line points: ss -ltnp | grep <port>',
      'See which servers HAProxy holds down: journalctl -u haproxy | grep -i "is DOWN"',
      'server ws1 127.0.0.1:8282 check   # in the backend section; the address must match the backend',
    ],
  },
  {
    status: 502,
    text: 'The server returned an invalid or incomplete response.',
    summary: 'HAProxy got no HTTP answer from the backend',
    cause:
      'the backend accepted the connection but did not answer with HTTP: it is not a WebSocket server, or speaks TLS where HAProxy speaks plain HTTP',
    fix: [
      'Point the server line at the plain ws:// port of the backend: server ws1 127.0.0.1:8282 check',
      'A backend that wants TLS needs: server ws1 127.0.0.1:8443 check ssl verify required ca-file <ca.pem>',
    ],
  },
  {
    status: 504,
    text: "The server didn't respond in time.",
    summary: 'HAProxy waited for the backend in vain',
    cause:
      'the backend accepted the connection but sent no answer to the Upgrade within timeout server: it is hung or overloaded',
    fix: [
      "Look at the backend's own log; timeout server (30s in wss-conf's file) only bounds the wait for the handshake",
      'Idle sockets after the handshake are bounded by timeout tunnel, not timeout server',
    ],
  },
];

/** The HAProxy answer an HTTP status and body are, or undefined when they are not HAProxy's page. */
export function matchHaproxyAnswer(status: number, body: string): HaproxyAnswer | undefined {
  return answers.find((answer) => answer.status === status && body.includes(answer.text));
}
