/**
 * Whether a config file is a haproxy.cfg: its sections start with these keywords alone at the start
 * of a line (HAProxy configuration manual, 2.1 "Configuration file format"), where an nginx block
 * would end the line with `{` and Apache has no such words.
 */
const sectionLine = /^(global|defaults|frontend|backend|listen|crt-store)(\s+\S+)*\s*$/;

export const isHaproxyConfig = (text: string): boolean =>
  text.split('\n').some((line) => sectionLine.test(line) && !line.includes('{') && !line.includes(';'));
