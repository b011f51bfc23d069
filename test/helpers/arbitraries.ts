/** fast-check arbitraries for option values the schema accepts, shared by the property tests. */
import fc from 'fast-check';

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
export const domain = fc
  .tuple(
    fc.boolean(),
    fc.array(label, { minLength: 1, maxLength: 3 }),
    fc.constantFrom('com', 'test', 'example'),
  )
  .map(([wildcard, labels, tld]) => `${wildcard ? '*.' : ''}${[...labels, tld].join('.')}`);
export const port = fc.integer({ min: 1, max: 65535 });
export const backend = fc.oneof(
  port.map(String),
  fc.tuple(fc.constantFrom('127.0.0.1', '10.1.2.3', 'localhost', '[::1]'), port).map(([h, p]) => `${h}:${p}`),
);
export const urlPath = fc.stringMatching(/^\/[A-Za-z0-9._~/-]{0,20}$/);
export const duration = fc
  .tuple(fc.integer({ min: 1, max: 168 }), fc.constantFrom('s', 'm', 'h'))
  .map(([n, u]) => `${n}${u}`);

/** The options whose value is a string, as the schema names them: each one a hostile value may reach. */
export const stringOptions = [
  'domain',
  'backend',
  'path',
  'cert',
  'key',
  'listen',
  'redirectListen',
  'staticDir',
  'staticPath',
  'timeout',
  'tls',
  'balance',
  'serverVersion',
  'opensslVersion',
] as const;
export type StringOption = (typeof stringOptions)[number];

/** The long flag of a schema key, as the CLI and its messages spell it: staticDir → --static-dir. */
export const flagOf = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Up to 8 characters either side of one of `characters`: a value a server's syntax could misread. */
export const withOneOf = (characters: readonly string[]) =>
  fc
    .tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...characters), fc.string({ maxLength: 8 }))
    .map(([before, character, after]) => `${before}${character}${after}`);

const companions: Partial<Record<StringOption, readonly string[]>> = {
  cert: ['--key', '/etc/ssl/k.pem'],
  key: ['--cert', '/etc/ssl/c.pem'],
  staticPath: ['--static-dir', '/srv/app'],
};
/**
 * What a CLI test adds to `--<key> <value>` so that the spoiled value is the only problem: a
 * certificate needs its key and the other way round, a static path its directory.
 */
export const companionFlags = (key: StringOption): readonly string[] => companions[key] ?? [];
