/**
 * What httpd does to a line before it reads the directive on it: variables defined with `Define` and
 * written `${name}` are filled in (ap_resolve_env, called on every line by ap_build_config_sub in
 * server/config.c, read at 2.4.62). The value is not read again for variables. A name Define did not
 * give a value stays as written: httpd would take it from its own environment (`${APACHE_LOG_DIR}` from
 * Debian's envvars), which lint cannot see, so nothing is guessed. Places stay those of the line as
 * written: each filled-in value gets anchors at its start and end.
 */
export function resolveDefines(line: LogicalLine, defines: ReadonlyMap<string, string>): LogicalLine {
  if (defines.size === 0 || !line.text.includes('${')) return line;
  const original = line.text;
  let text = '';
  let last = 0;
  /** [offset in the new text, offset in the original] at each edge of a filled-in value. */
  const anchors: [number, number][] = [];
  // `${` up to the next `}`, then on after it (ap_resolve_env); with no `}` left, nothing more matches.
  for (let at = original.indexOf('${'); at >= 0; ) {
    const close = original.indexOf('}', at + 2);
    if (close < 0) break;
    const value = defines.get(original.slice(at + 2, close));
    if (value !== undefined) {
      text += original.slice(last, at);
      anchors.push([text.length, at]);
      text += value;
      last = close + 1;
      anchors.push([text.length, last]);
    }
    at = original.indexOf('${', close + 1);
  }
  if (anchors.length === 0) return line;
  text += original.slice(last);
  // Both lists are in order of the original text: one pass over each places every piece and anchor
  // (a line of 40,000 continued `${A}` words took lint 53 s when each looked through all the others).
  const pieces: [number, number, number][] = [];
  let k = 0;
  let shift = 0;
  line.pieces.forEach(([offset, row, column], index) => {
    pieces.push([offset + shift, row, column]);
    const next = line.pieces[index + 1]?.[0] ?? Number.POSITIVE_INFINITY;
    // The values that start on this physical line, placed by it.
    for (; k < anchors.length && (anchors[k] as [number, number])[1] < next; k += 2) {
      const [newStart, oldStart] = anchors[k] as [number, number];
      const [newEnd, oldEnd] = anchors[k + 1] as [number, number];
      pieces.push([newStart, row, column + oldStart - offset]);
      pieces.push([newEnd, row, column + oldEnd - offset]);
      shift = newEnd - oldEnd;
    }
  });
  pieces.sort((a, b) => a[0] - b[0]);
  return { ...line, text, pieces };
}

/**
 * mod_macro, read as httpd 2.4 reads it (modules/core/mod_macro.c, read at 2.4.62):
 *   - `<Macro name $a $b>` … `</Macro>` stores the body's lines as text, unparsed: its sections may
 *     open in one macro and close in another, and `$a` may stand anywhere, even in a section's name;
 *   - `Use name v1 v2` puts the body, with each parameter replaced, into the stream of lines being read,
 *     where the `Use` stands (make_array_config), so it is read as if written there;
 *   - `UndefMacro name` forgets it. Names are compared in lower case.
 * Pure: the parser (parse-apache.ts) feeds the lines and reads the expansion.
 */

/** A logical line (continuations joined) and where each of its physical pieces starts. */
export interface LogicalLine {
  readonly text: string;
  /** [offset in `text`, line, column of that offset] for each physical line joined. */
  readonly pieces: readonly (readonly [number, number, number])[];
  /** The file it was written in, when not the file being read: a line of a macro's body. */
  readonly file?: string;
}

export interface ApacheMacro {
  /** In lower case, as mod_macro keeps it. */
  readonly name: string;
  /** As httpd names it in its messages: `defined on line 3 of "site.conf"`. */
  readonly location: string;
  readonly parameters: readonly string[];
  /** The body's lines, comments left out (get_lines_till_end_token skips them). */
  readonly body: readonly LogicalLine[];
}

/** ap_getword_conf's words: blanks separate them, `"…"` and `'…'` group them (`\"` is a quote and
 *  `\\\\` a backslash in them: substring_conf). */
export function confWords(text: string): string[] {
  const found: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (i >= text.length) break;
    const quote = text[i];
    if (quote === '"' || quote === "'") {
      let j = i + 1;
      let word = '';
      while (j < text.length && text[j] !== quote) {
        if (text[j] === '\\' && (text[j + 1] === quote || text[j + 1] === '\\')) j++;
        word += text[j];
        j++;
      }
      found.push(word);
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && text[j] !== ' ' && text[j] !== '\t') j++;
      found.push(text.slice(i, j));
      i = j;
    }
  }
  return found;
}

/** What `<Macro …>`'s line defines, or httpd's refusal (macro_section, check_macro_arguments). */
export function macroHeader(
  argumentsText: string,
  location: string,
): { readonly name: string; readonly parameters: string[] } | { readonly refused: string } {
  const [name, ...parameters] = confWords(argumentsText);
  if (!name) return { refused: '<Macro macro definition: empty name' };
  const lower = name.toLowerCase();
  for (let i = 0; i < parameters.length; i++) {
    if (parameters[i] === '')
      return { refused: `macro '${lower}' (${location}): empty argument #${i + 1} name` };
    const again = parameters.indexOf(parameters[i] as string, i + 1);
    if (again >= 0) {
      return {
        refused: `argument name conflict in macro '${lower}' (${location}): argument '${parameters[i]}': #${i + 1} and #${again + 1}, change argument names!`,
      };
    }
  }
  return { name: lower, parameters };
}

/**
 * Reads a macro's body from `next` up to its `</Macro>` (get_lines_till_end_token): a line whose first
 * word is `<Macro` opens a nested definition, one whose first word is `</Macro>` closes one. Returns
 * the lines, or undefined when the input ends first ("expected token not found: </Macro>").
 */
export function readMacroBody(next: () => LogicalLine | undefined): LogicalLine[] | undefined {
  const body: LogicalLine[] = [];
  let depth = 1;
  for (let line = next(); line !== undefined; line = next()) {
    const text = line.text.trimStart();
    if (text.startsWith('#')) continue;
    const first = (confWords(text)[0] ?? '').toLowerCase();
    if (first === '</macro>' && --depth === 0) return body;
    if (first === '<macro') depth++;
    body.push(line);
  }
  return undefined;
}

/**
 * The body with every parameter replaced by its value (substitute_macro_args): at each step the
 * parameter found first in the rest of the line is replaced, the longer one where two start at the same
 * place, and reading goes on after the value. A parameter named `@…` gets its value in double quotes,
 * with `"` and `\` escaped. The lines keep the places they were written at.
 */
export function expandMacro(
  macro: ApacheMacro,
  values: readonly string[],
): LogicalLine[] | { readonly refused: string } {
  const expanded: LogicalLine[] = [];
  for (const line of macro.body) {
    let text = line.text;
    let from = 0;
    for (;;) {
      let chosen = -1;
      let which = -1;
      macro.parameters.forEach((parameter, index) => {
        const found = text.indexOf(parameter, from);
        if (
          found >= 0 &&
          (chosen < 0 ||
            found < chosen ||
            (found === chosen && parameter.length > (macro.parameters[which]?.length ?? 0)))
        ) {
          chosen = found;
          which = index;
        }
      });
      if (chosen < 0) break;
      const parameter = macro.parameters[which] as string;
      const value = values[which] as string;
      const replacement = parameter.startsWith('@') ? `"${value.replace(/["\\]/g, '\\$&')}"` : value;
      text = text.slice(0, chosen) + replacement + text.slice(chosen + parameter.length);
      // mod_macro's line buffer is MAX_STRING_LEN (8,192 bytes): a longer line is refused. It also ends
      // a value that puts its parameter back (`Use M \\@a` for `@a`), which would grow for ever.
      // httpd measures the line as stored: blanks trimmed at both ends, a newline added.
      if (text.trim().length + 1 >= maxLineLength)
        return { refused: 'cannot substitute, buffer size too small' };
      // mod_macro steps over the value's own length, not the quotes and escapes it added.
      from = chosen + value.length;
    }
    expanded.push({ ...line, text });
  }
  return expanded;
}

const maxLineLength = 8192;
