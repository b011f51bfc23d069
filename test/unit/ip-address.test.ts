import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIPv4Address, isIPv6Address, parseAddressBlock } from '../../src/core/ip-address.js';

// Strings built from the pieces addresses are made of, so that valid and nearly valid ones are common.
const piece = fc.constantFrom(
  '::',
  ':',
  '.',
  '0',
  '1',
  '9',
  '00',
  '01',
  'ff',
  'fFfF',
  '12345',
  '255',
  '256',
  'g',
  '1.2.3.4',
);
const addressLike = fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join(''));

describe('the IP address validators agree with node:net isIP (without zone IDs, which a config cannot hold)', () => {
  it.each([
    ['1.1.1.1', 4],
    ['999.999.999.999', 0],
    ['01.1.1.1', 0],
    ['::', 6],
    ['..', 0],
    ['1:2', 0],
    ['::ffff:1.2.3.4', 6],
    ['1:2:3:4:5:6:7::', 6],
    ['::0:0:0:0:0:0:0:0', 0],
    ['fe80::1%eth0', 0],
  ])('%s', (text, family) => {
    expect(isIPv4Address(text) ? 4 : isIPv6Address(text) ? 6 : 0).toBe(family);
  });

  it('for any address-like string', () => {
    fc.assert(
      fc.property(fc.oneof(addressLike, fc.string()), (text) => {
        const ours = isIPv4Address(text) ? 4 : isIPv6Address(text) ? 6 : 0;
        expect(ours).toBe(text.includes('%') ? 0 : isIP(text));
      }),
      { numRuns: 20000 },
    );
  });
});

describe('parseAddressBlock (--trusted-proxy)', () => {
  it.each([
    ['10.0.0.0/8', { block: '10.0.0.0/8' }],
    ['203.0.113.7', { block: '203.0.113.7' }],
    ['2001:db8::/32', { block: '2001:db8::/32' }],
    ['[2001:DB8::]/32', { block: '2001:db8::/32' }],
    ['::1', { block: '::1' }],
    ['0.0.0.0/0', { block: '0.0.0.0/0' }],
    ['10.0.0.1/8', { problem: '10.0.0.1/8 has bits set past /8; the block is 10.0.0.0/8' }],
    ['2001:db8::1/32', { problem: '2001:db8::1/32 has bits set past /32; the block is 2001:db8::/32' }],
    ['10.0.0.0/33', undefined],
    ['10.0.0.0/08', undefined],
    ['[10.0.0.0]/8', undefined],
    ['[::1', undefined],
    ['999.0.0.0/8', undefined],
    ['example.com', undefined],
    ['10.0.0.0/8;', undefined],
    ['', undefined],
  ])('%j', (text, expected) => {
    expect(parseAddressBlock(text)).toEqual(expected);
  });
});
