/**
 * Whether a config file reads like nginx's: its statements end in `;`, `{` or `}` (nginx docs,
 * beginners_guide, "Configuration File's Structure"). A line that starts like an Apache directive is
 * Apache's even when it ends so (src/servers/apache/detect.ts), as detectServer has always counted.
 */

import { apacheLine } from '../apache/detect.js';
import { configLines } from '../config-lines.js';

const nginxLine = /[;{}]\s*(#.*)?$/;

export const nginxScore = (text: string): number =>
  configLines(text).filter((line) => !apacheLine.test(line) && nginxLine.test(line)).length;

/**
 * Whether the text holds a site: a `server { … }` block. nginx's tokenizer takes any whitespace,
 * newlines too, between `server` and `{`, and `#` starts a comment anywhere outside quotes
 * (nginx.org/en/docs/beginners_guide.html, "Configuration File's Structure"). `server` must start a
 * statement: `location server {` is a location, and an upstream's `server 127.0.0.1:8282;` has no block.
 */
export function hasNginxServerBlock(text: string): boolean {
  const code = text.replace(/(^|[\s;{}])#.*$/gm, '$1');
  return /(?:^|[;{}])\s*server\s*\{/m.test(code);
}
