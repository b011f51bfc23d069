/**
 * Which server a config file is for, from its content, when --server is not given. Each server's
 * definition scores the text (src/servers/<name>/detect.ts); the file is for the highest score, and a
 * tie goes to the server listed first (nginx). Used by lint, check, apply --from and rollback alike.
 */
import { type ServerName, servers } from '../servers/registry.js';

/** The server among `among` (default: every server) whose configs `text` looks most like. */
export function detectServer<Name extends ServerName = ServerName>(
  text: string,
  among: readonly Name[] = servers.map((server) => server.name) as Name[],
): Name {
  let best = among[0] as Name;
  let bestScore = -1;
  for (const server of servers) {
    if (!among.includes(server.name as Name)) continue;
    const score = server.looksLike(text);
    if (score > bestScore) {
      best = server.name as Name;
      bestScore = score;
    }
  }
  return best;
}
