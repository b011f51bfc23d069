/**
 * Colour by ECMA-48 SGR codes (31 red, 32 green, 33 yellow, 36 cyan, 1 bold, 2 dim; `1;31` combines), for the few colours
 * wss-conf prints. Callers decide whether colour is on: only on a terminal, never with NO_COLOR
 * (https://no-color.org). One line instead of chalk: loading chalk (and the node:os and node:tty it
 * reads for its own detection) was the largest avoidable part of a plain render's start, whose budget
 * is 1.5x `node -e 0` (npm run bench:startup).
 */
export const sgr = (color: boolean, code: number | string, text: string): string =>
  color ? `\u001b[${code}m${text}\u001b[0m` : text;
