/**
 * certbot's deploy hook for one site (pure): a POSIX sh script certbot runs after each renewal from
 * <acme-dir>/renewal-hooks/deploy/ (certbot docs, "Renewing certificates", deploy hooks). certbot runs
 * every hook in that directory for every lineage it renews and sets RENEWED_LINEAGE to the live
 * directory of the one renewed, so the hook ignores the others.
 *
 * It tests the configuration, reloads gracefully (old workers finish their sockets), and checks that
 * the renewed certificate is the one served. On any failure it points the live links back at the
 * previous archive files (the certificate that was served), logs, and exits 1, so certbot reports the
 * renewal as failed.
 */
import { shellWord } from './site.js';

export interface AcmeHookInput {
  readonly domain: string;
  /** <acme-dir>/live/<domain> */
  readonly lineage: string;
  /** The commands apply itself ran, as argument lists. */
  readonly testCommand: readonly string[];
  readonly reloadCommand: readonly string[];
  /** Where the site's TLS listener is reached, and the name sent as SNI. */
  readonly connect: string;
  readonly toolVersion: string;
}

export const acmeHookFileName = (domain: string): string => `wss-conf-${domain}.sh`;

const command = (words: readonly string[]): string => words.map(shellWord).join(' ');

export function renderAcmeHook(input: AcmeHookInput): string {
  const lineage = shellWord(input.lineage);
  return `#!/bin/sh
# certbot deploy hook for ${input.domain}, installed by wss-conf ${input.toolVersion} (apply --acme).
# After a renewal of ${input.lineage}: config test, graceful reload, then check that the renewed
# certificate is served on ${input.connect}. On failure the previous certificate is put back live
# and the hook exits 1, so certbot reports the renewal as failed. apply --acme writes it again.
set -u
lineage=${lineage}
[ "\${RENEWED_LINEAGE:-}" = "$lineage" ] || exit 0

log() { echo "wss-conf deploy hook (${input.domain}): $*" >&2; logger -t wss-conf "${input.domain}: $*" 2>/dev/null || true; }

fingerprint() { openssl x509 -noout -fingerprint -sha256 2>/dev/null; }

# certbot keeps every version in ../../archive/<name>/<file>N.pem; live/ links to the newest.
put_back_previous() {
  for file in cert chain fullchain privkey; do
    current=$(readlink "$lineage/$file.pem") || return 1
    n=$(printf '%s' "$current" | sed -n 's/.*[^0-9]\\([0-9][0-9]*\\)\\.pem$/\\1/p')
    [ -n "$n" ] && [ "$n" -gt 1 ] || return 1
    ln -sfn "$(printf '%s' "$current" | sed "s/$n\\.pem$/$((n - 1)).pem/")" "$lineage/$file.pem" || return 1
  done
}

fail() {
  log "$1; putting the previous certificate back live"
  if put_back_previous; then
    ${command(input.reloadCommand)} >/dev/null 2>&1 || log "the reload after putting it back failed too"
  else
    log "could not put the previous certificate back (no earlier version in the archive)"
  fi
  exit 1
}

if ! output=$(${command(input.testCommand)} 2>&1); then
  fail "the config test failed with the renewed certificate: $output"
fi
if ! output=$(${command(input.reloadCommand)} 2>&1); then
  fail "the reload failed: $output"
fi

expected=$(fingerprint < "$lineage/cert.pem")
tries=0
while [ "$tries" -lt 10 ]; do
  served=$(openssl s_client -connect ${shellWord(input.connect)} -servername ${shellWord(input.domain)} </dev/null 2>/dev/null | fingerprint)
  [ "$served" = "$expected" ] && exit 0
  tries=$((tries + 1))
  sleep 1
done
fail "${input.connect} still serves another certificate ten seconds after the reload"
`;
}
