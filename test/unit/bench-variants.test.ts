/**
 * The bench's config variants (bench/lib/variants.mjs) edit the rendered site; they must apply to what
 * the tool writes for every nginx it may find, and say what they measure: below 1.23.2 the file has
 * `ssl_session_tickets off;`, from 1.23.2 it has no such line and nginx's default (on) applies.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers/cli.js';

interface Variant {
  readonly key: string;
  readonly server: 'nginx' | 'apache';
}
const { variants, applyEdits } = (await import(join(repoRoot, 'bench', 'lib', 'variants.mjs'))) as {
  variants: readonly Variant[];
  applyEdits: (variant: Variant, text: string) => string;
};
const render = (server: string, version: string) => {
  const result = runCli([
    server,
    '--domain',
    'bench.test',
    '--backend',
    '8282',
    '--server-version',
    version,
    '--openssl-version',
    '3.0.0',
  ]);
  // An empty stdout would have no tickets line either, and pass for a newer nginx.
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
};
const tickets = (text: string) => /^\s*ssl_session_tickets (on|off);$/m.exec(text)?.[1];

describe('bench variants', () => {
  it.each([
    '1.22.1',
    '1.26.3',
  ])('apply to the site written for nginx %s, and set tickets as their labels say', (version) => {
    const site = render('nginx', version);
    expect(tickets(site)).toBe(version === '1.22.1' ? 'off' : undefined);
    const edited = Object.fromEntries(
      variants.filter((v) => v.server === 'nginx').map((v) => [v.key, applyEdits(v, site)]),
    );
    expect(tickets(edited['nginx-tickets'] as string)).toBe('on');
    expect(tickets(edited['nginx-tickets-only'] as string)).toBe('on');
    expect(edited['nginx-tickets-only']).toContain('ssl_session_cache off;');
    expect(edited['nginx-tickets']).toMatch(/ssl_session_cache shared:/);
    expect(tickets(edited['nginx-no-resumption'] as string)).toBe('off');
    expect(edited['nginx-no-resumption']).toContain('ssl_session_cache off;');
    expect(edited['nginx-ssl-buffer-4k']).toContain('ssl_buffer_size 4k;');
  });

  it('apply to the Apache site', () => {
    const site = render('apache', '2.4.58');
    for (const variant of variants.filter((v) => v.server === 'apache')) {
      expect(() => applyEdits(variant, site)).not.toThrow();
    }
    expect(applyEdits(variants.find((v) => v.key === 'apache-tickets') as Variant, site)).toContain(
      'SSLSessionTickets on',
    );
  });
});
