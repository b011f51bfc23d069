import { describe, expect, it } from 'vitest';
import { parseGenerationOptions } from '../../src/core/options.js';
import { siteIdentifier } from '../../src/targets/site.js';

const idOf = (domain: string, listen = '443') =>
  siteIdentifier(parseGenerationOptions({ domain: [domain], backend: ['8282'], listen }));

describe('siteIdentifier (upstream, balancer and cookie names)', () => {
  it.each([
    ['a-b.example.com', 'a.b.example.com'],
    ['a--b.example.com', 'a.b.example.com'],
    ['a--b.example.com', 'a-b.example.com'],
    ['*.example.com', 'wildcard.example.com'],
    ['*.example.com', 'example.com'],
  ])('tells %s and %s apart, on one port', (one, other) => {
    expect(idOf(one)).not.toBe(idOf(other));
  });

  it.each([
    ['example.com', 'example_com_443'],
    ['a-b.example.com', 'a__b_example_com_443'],
    ['*.example.com', '_wildcard_example_com_443'],
  ])('names %s %s, of [a-z0-9_] only', (domain, id) => {
    expect(idOf(domain)).toBe(id);
  });
});
