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

/** The address as a number, for masks: 32 bits for IPv4, 128 for IPv6 (no brackets). */
export function addressBits(text: string): { value: bigint; width: 32 | 128 } | undefined {
  if (isIPv4Address(text)) {
    return { value: text.split('.').reduce((sum, part) => (sum << 8n) | BigInt(part), 0n), width: 32 };
  }
  if (!isIPv6Address(text)) return undefined;
  const groupsOf = (half: string): number[] =>
    half === ''
      ? []
      : half.split(':').flatMap((group) => {
          if (!group.includes('.')) return [Number.parseInt(group, 16)];
          const [a, b, c, d] = group.split('.').map(Number) as [number, number, number, number];
          return [(a << 8) | b, (c << 8) | d];
        });
  const [head = '', tail] = text.split('::');
  const left = groupsOf(head);
  const right = tail === undefined ? [] : groupsOf(tail);
  const groups = [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
  return { value: groups.reduce((sum, group) => (sum << 16n) | BigInt(group), 0n), width: 128 };
}

/**
 * `address` or `address/length`, IPv6 with or without brackets: the block as nginx's set_real_ip_from
 * and Apache's RemoteIPTrustedProxy take it, or undefined. A block with bits set past its length is
 * refused (nginx warns "low address bits … are meaningless"), naming the block meant.
 */
export function parseAddressBlock(text: string): { block: string } | { problem: string } | undefined {
  const match = /^\[?([0-9A-Fa-f:.]+)\]?(?:\/([0-9]{1,3}))?$/.exec(text);
  if (!match || text.startsWith('[') !== /\](?:\/|$)/.test(text)) return undefined;
  const address = (match[1] as string).toLowerCase();
  const bits = addressBits(address);
  if (!bits || (bits.width === 32 && text.startsWith('['))) return undefined;
  if (match[2] === undefined) return { block: address };
  const length = Number(match[2]);
  if (length > bits.width || (match[2].length > 1 && match[2].startsWith('0'))) return undefined;
  const hostBits = BigInt(bits.width - length);
  const network = (bits.value >> hostBits) << hostBits;
  if (network !== bits.value) {
    return {
      problem: `${text} has bits set past /${length}; the block is ${formatAddress(network, bits.width)}/${length}`,
    };
  }
  return { block: `${address}/${length}` };
}

function formatAddress(value: bigint, width: 32 | 128): string {
  if (width === 32) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) =>
    ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16),
  );
  return groups.join(':').replace(/(?:^|:)0(?::0)+(?::|$)/, '::');
}
