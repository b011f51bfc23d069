/**
 * Whether a config file is a haproxy.cfg: its sections start with these keywords alone at the start
 * of a line (HAProxy configuration manual, 2.1 "Configuration file format"), where an nginx block
 * would end the line with `{` and Apache has no such words.
 */
const sectionLine = /^(global|defaults|frontend|backend|listen|crt-store)(\s+\S+)*\s*$/;

export const isHaproxyConfig = (text: string): boolean =>
  text.split('\n').some((line) => sectionLine.test(line) && !line.includes('{') && !line.includes(';'));

/** A section keyword alone on a line is decisive: neither nginx nor Apache has such a line. */
export const haproxyScore = (text: string): number => (isHaproxyConfig(text) ? Number.MAX_SAFE_INTEGER : 0);
