/**
 * IP address syntax, as node:net's isIPv4/isIPv6 accept it (test/unit/ip-address.test.ts compares them
 * on many strings), minus IPv6 zone IDs (`fe80::1%eth0`), which neither nginx's listen nor a URL in a
 * config takes. Written out here because core/ stays free of I/O modules.
 */

/** Dotted decimal, four parts 0-255, no leading zeros (`01.1.1.1` is octal to some parsers). */
export function isIPv4Address(text: string): boolean {
  const parts = text.split('.');
  return (
    parts.length === 4 && parts.every((part) => /^(?:0|[1-9][0-9]{0,2})$/.test(part) && Number(part) <= 255)
  );
}

/**
 * Eight groups of 1-4 hex digits, the last two of which may be written as an IPv4 address; `::` once,
 * standing for one or more zero groups.
 */
export function isIPv6Address(text: string): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groupsOf = (half: string): string[] => (half === '' ? [] : half.split(':'));
  const head = groupsOf(halves[0] as string);
  const tail = halves.length === 2 ? groupsOf(halves[1] as string) : [];
  const all = [...head, ...tail];
  let count = 0;
  for (const [index, group] of all.entries()) {
    if (/^[0-9A-Fa-f]{1,4}$/.test(group)) count += 1;
    else if (index === all.length - 1 && isIPv4Address(group)) count += 2;
    else return false;
  }
  // An embedded IPv4 address is only allowed last: in `head` it must not be followed by `::`.
  if (halves.length === 2 && head.length > 0 && !/^[0-9A-Fa-f]{1,4}$/.test(head[head.length - 1] as string)) {
    return false;
  }
  return halves.length === 2 ? count <= 7 : count === 8;
}
