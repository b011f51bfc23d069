/**
 * Properties of the Apache generator over many generated inputs:
 *   - any valid options, for any Apache 2.4 from 2.4.5 on, render a file the real apache2 -t accepts;
 *   - any two such files pass apache2 -t together (sites made by wss-conf can be enabled side by side);
 *   - a newline in any value never reaches the output: Apache starts a directive at every newline;
 *   - any value carrying a character Apache could read as syntax is refused (exit 2, nothing on stdout).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { isUsageError, UsageError } from '../../src/core/errors.js';
import { parseGenerationOptions } from '../../src/core/options.js';
import { toolVersion } from '../../src/generated/package-info.js';
import { testApacheSite, testApacheSites } from '../../src/io/apache.js';
import { run as runApache } from '../../src/servers/apache/command.js';
import { renderApacheSite } from '../../src/targets/apache.js';
import {
  backend,
  companionFlags,
  domain,
  duration,
  flagOf,
  port,
  type StringOption,
  stringOptions,
  urlPath,
  withOneOf,
} from '../helpers/arbitraries.js';
import { runCli } from '../helpers/cli.js';
import { makeTestCa } from '../helpers/pki.js';
import { requireTool } from '../helpers/tools.js';

const listen = fc.oneof(
  port.map(String),
  port.map((p) => `127.0.0.1:${p}`),
  port.map((p) => `[::1]:${p}`),
);
// Every capability boundary of apacheSince, and releases distributions ship; none newer than the
// installed 2.4.71, whose apache2 -t must accept them all.
const apacheVersion = fc.constantFrom(
  '2.4.5',
  '2.4.7',
  '2.4.8',
  '2.4.10',
  '2.4.11',
  '2.4.17',
  '2.4.35',
  '2.4.36',
  '2.4.37',
  '2.4.41',
  '2.4.46',
  '2.4.47',
  '2.4.52',
  '2.4.58',
  '2.4.65',
  '2.4.71',
);

// Issuing a certificate per sample would be slow; one pair serves every sample.
let pair: { cert: string; key: string };
const withKey = (input: Record<string, unknown>) => ({ ...input, cert: pair.cert, key: pair.key });

function renderedOrUndefined(input: Record<string, unknown>): string | undefined {
  try {
    const options = parseGenerationOptions(withKey(input));
    const versions = {
      server: input.serverVersion as string,
      openssl: input.opensslVersion as string,
      source: 'given' as const,
    };
    return Object.values(renderApacheSite(options, versions, toolVersion).files)[0];
  } catch (error) {
    if (error instanceof UsageError) return undefined;
    throw error;
  }
}

/** Options the schema and the Apache target accept (--tls modern needs 2.4.36, for one). */
const validInput = () =>
  fc
    .record({
      domain: fc.uniqueArray(domain, { minLength: 1, maxLength: 3 }),
      backend: fc.array(backend, { minLength: 1, maxLength: 3 }),
      path: urlPath,
      listen,
      redirectListen: listen,
      redirect: fc.boolean(),
      staticDir: fc.option(fc.stringMatching(/^\/[a-z0-9/_-]{1,20}$/), { nil: undefined }),
      staticPath: fc.option(urlPath, { nil: undefined }),
      timeout: duration,
      tls: fc.constantFrom('intermediate', 'modern'),
      balance: fc.constantFrom('least-conn', 'ip-hash', 'round-robin'),
      serverVersion: apacheVersion,
      opensslVersion: fc.constantFrom('1.1.1', '3.0.0', '3.5.0'),
    })
    .map((input) => Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)))
    .filter((input) => renderedOrUndefined(input) !== undefined);

const tool = requireTool('apache');

describe.skipIf(tool.skip)('any valid options', () => {
  beforeAll(() => {
    pair = makeTestCa().issue('example.com');
  });

  it('render a site the real apache2 -t accepts', async () => {
    await fc.assert(
      fc.asyncProperty(validInput(), async (input) => {
        const result = await testApacheSite(renderedOrUndefined(input) as string, 'generated.conf');
        expect(result.output).toBe('');
        expect(result.ok).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('render sites that the real apache2 -t accepts together, two at a time', async () => {
    await fc.assert(
      fc.asyncProperty(validInput(), validInput(), async (first, second) => {
        const result = await testApacheSites([
          { text: renderedOrUndefined(first) as string, displayPath: 'first.conf' },
          { text: renderedOrUndefined(second) as string, displayPath: 'second.conf' },
        ]);
        expect(result.output).toBe('');
        expect(result.ok).toBe(true);
      }),
      { numRuns: 25 },
    );
  });
});

/** A valid input for every option, so that the one being spoiled is the only problem. */
const validValues: Record<StringOption, string> = {
  domain: 'example.com',
  backend: '8282',
  path: '/wss',
  cert: '/etc/ssl/server.pem',
  key: '/etc/ssl/server.key',
  listen: '8443',
  redirectListen: '8080',
  staticDir: '/srv/app',
  staticPath: '/assets/',
  timeout: '10m',
  tls: 'intermediate',
  balance: 'round-robin',
  serverVersion: '2.4.46',
  opensslVersion: '3.0.0',
};
const inputWith = (key: StringOption, value: string): Record<string, unknown> => {
  const input: Record<string, unknown> = { ...validValues, domain: [validValues.domain] };
  input.backend = [validValues.backend, '8283'];
  input[key] = key === 'domain' || key === 'backend' ? [value] : value;
  return input;
};

describe('a newline in any value', () => {
  const lineBreak = fc.constantFrom('\n', '\r', '\r\n');
  const injection = fc.constantFrom('Include /etc/shadow', 'ProxyPass / http://evil.test/', '</VirtualHost>');

  it('never reaches the output: the command refuses it with a UsageError naming the option', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...stringOptions),
        fc.nat(),
        lineBreak,
        injection,
        async (key, at, newline, directive) => {
          const valid = validValues[key];
          const position = at % (valid.length + 1);
          const value = `${valid.slice(0, position)}${newline}${directive}${valid.slice(position)}`;
          let stdout = '';
          try {
            stdout = (await runApache(inputWith(key, value), {})).stdout;
          } catch (error) {
            expect(isUsageError(error)).toBe(true);
            expect((error as Error).message).toContain(
              `${flagOf(key)}: ${JSON.stringify(value)} is not allowed`,
            );
          }
          expect(stdout).toBe('');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is refused by the CLI with exit 2 and nothing on stdout', () => {
    fc.assert(
      fc.property(fc.constantFrom(...stringOptions), lineBreak, injection, (key, newline, directive) => {
        const value = `${validValues[key]}${newline}${directive}`;
        const args = ['apache', '--domain', 'example.com', '--backend', '8282', '--server-version', '2.4.58'];
        args.push(flagOf(key), value);
        const result = runCli(args);
        expect(result.status).toBe(2);
        expect(result.stdout).toBe('');
        expect(result.stderr).toContain(`${flagOf(key)}: `);
      }),
      { numRuns: 15 },
    );
  });
});

// Characters with a meaning in Apache syntax (or that end a line), never allowed in any value.
const hostileCharacters = ['$', '"', "'", ' ', '\n', '\r', '\t', '\\', '#', '<', '>', '\u0000', '`'];
const hostile = withOneOf(hostileCharacters);

describe('hostile values', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'wss-conf-apache-hostile-'));
  let written = 0;

  it('make `wss-conf apache` exit 2 with nothing on stdout and nothing written', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...stringOptions),
        hostile.filter((v) => !v.includes('\u0000')),
        (key, value) => {
          const out = join(outDir, `site-${written++}.conf`);
          const result = runCli([
            ...['apache', '--domain', 'example.com', '--backend', '8282', '--out', out],
            ...[flagOf(key), value, ...companionFlags(key)],
          ]);
          expect(result.status).toBe(2);
          expect(result.stdout).toBe('');
          expect(result.stderr).toContain(`${flagOf(key)}: ${JSON.stringify(value)} is not allowed`);
          expect(existsSync(out)).toBe(false);
        },
      ),
      { numRuns: 30 },
    );
  });
});
