import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { detectServer } from '../core/detect-server.js';
import { ProblemFound, UsageError } from '../core/errors.js';
import { isServerName, orList, type ServerName, serverNamed, serverNames } from '../servers/registry.js';
import type { CommandResult } from './render-site.js';

export interface CheckFlags {
  readonly server?: string;
  readonly json?: boolean;
}

type Server = ServerName;

/** `wss-conf check <file>`: the real config test on one site file, in a throwaway prefix or ServerRoot. */
export async function runCheck(file: string, flags: CheckFlags): Promise<CommandResult> {
  if (flags.server !== undefined && !isServerName(flags.server))
    throw new UsageError(
      `--server: ${JSON.stringify(flags.server)} is not supported; use ${orList(serverNames)}`,
    );
  const path = resolve(file);
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`<file>: cannot read ${file} (${error.code ?? error.message})`);
  });
  const server = (flags.server as Server | undefined) ?? detectServer(text);
  // A file with no directives (empty, blank, or only comments: a truncated copy, a `>` that clobbered
  // it, the wrong path) passes both nginx -t and apache2 -t, since there is nothing to refuse. Calling
  // that "passed" would be a false green in a deploy script, so check fails it (exit 1) without running
  // the server: check answers "will this site work", not "does the server accept this text".
  if (!hasDirectives(text)) {
    const message = `${file}: no directives (the file is empty or only comments), so there is nothing for the ${server} config test to check`;
    const json = flags.json
      ? `${JSON.stringify({ ok: false, file, server, output: '', notes: [message] }, null, 2)}\n`
      : '';
    throw new ProblemFound(message, json);
  }
  const tested = await (await serverNamed(server).load.configTest())(text, path);
  const causes = tested.ok ? [] : failureCauses(text, server);
  const result = { ...tested, notes: [...tested.notes, ...causes] };
  // The JSON shape (docs/json.md, "check"): output is the server's own words, notes what check
  // substituted (throwaway certificates for missing files) so the test could run at all, and what
  // check knows about a failure that the server's words hide.
  const json = flags.json
    ? `${JSON.stringify({ ok: result.ok, file, server, output: result.output, notes: result.notes }, null, 2)}\n`
    : undefined;
  if (!result.ok) {
    const explained = causes.map((cause) => `\n${cause}`).join('');
    throw new ProblemFound(
      `${file}: the ${server} config test failed:\n${result.output}${explained}`,
      json ?? '',
    );
  }
  if (json) return { stdout: json, warnings: result.notes };
  return { stdout: `${file}: ${server} config test passed\n`, warnings: result.notes, summary: true };
}

/**
 * What check can say about a failed test that the server's message hides. A UTF-8 byte order mark
 * (Windows Notepad saves one) is invisible, and both servers read it as part of the first directive:
 * nginx 1.22.1 says `unknown directive "<BOM>#"` on the line where that misread directive ends (often
 * far below line 1), httpd 2.4.71 `Invalid command '\\xef\\xbb\\xbf#'`. lint reports it as a
 * parse-error at 1:1 (src/lint/parse-nginx.ts, parse-apache.ts).
 */
function failureCauses(text: string, server: Server): string[] {
  if (!text.startsWith('\uFEFF')) return [];
  return [
    `the file starts with a UTF-8 byte order mark (BOM, U+FEFF, invisible in most editors); ${server} reads it as part of the first directive, which is what the error above is about: save the file as UTF-8 without BOM`,
  ];
}

/** Whether any line holds more than blanks or a comment; `#` starts a comment line in nginx and httpd
 *  alike. The blanks are spelled out, since JavaScript's \s would also skip a byte order mark. */
const hasDirectives = (text: string): boolean => /^[ \t\r]*[^ \t\r\n#]/m.test(text);
