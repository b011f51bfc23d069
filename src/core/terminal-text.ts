/**
 * Text that came from outside (a server's headers, a close reason, a config file) shown on a terminal.
 * A control character there is an instruction to the terminal, not text: ESC starts sequences that move
 * the cursor, hide text or retitle the window, and OSC 52 writes the clipboard. C1 controls (U+0080 to
 * U+009F) are the same sequences in one character (U+009B is CSI), and the bidirectional overrides
 * reorder what is shown. Each one is written as a visible escape instead, as --json already does.
 */

// C0 except the newline, DEL, C1, and the bidirectional embeddings, overrides and isolates.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const hiddenOrControl = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const visible = (character: string): string => {
  const code = character.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** Every control character as a visible escape; newlines kept only with `keepNewlines` (a fix's lines). */
export function terminalSafe(
  text: string,
  { keepNewlines = false }: { keepNewlines?: boolean } = {},
): string {
  const escaped = text.replace(hiddenOrControl, visible);
  return keepNewlines ? escaped : escaped.replaceAll('\n', '\\n');
}
