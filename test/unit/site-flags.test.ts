/** The fast path of a plain render parses flags exactly as commander does: both come from one table. */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { generationOptionsSchema } from '../../src/core/options.js';
import { addGenerationOptions } from '../../src/program.js';
import {
  generationKeys,
  parseRenderFlags,
  pickGenerationInput,
  renderFlags,
  siteFlags,
} from '../../src/site-flags.js';

const withCommander = (args: string[]): Record<string, unknown> => {
  let parsed: Record<string, unknown> = {};
  const program = new Command('wss-conf').exitOverride();
  addGenerationOptions(program.command('nginx'), 'nginx').action((flags: Record<string, unknown>) => {
    parsed = flags;
  });
  program.parse(['nginx', ...args], { from: 'user' });
  return parsed;
};

describe('parseRenderFlags', () => {
  it.each([
    [['--domain', 'example.com', '--backend', '8282']],
    [
      [
        '--domain',
        'a.example',
        '--domain',
        'b.example',
        '--backend',
        '1',
        '--backend',
        'h:2',
        '--no-redirect',
      ],
    ],
    [
      [
        '--domain=example.com',
        '--backend=8282',
        '--timeout',
        '10m',
        '--static-dir',
        '/srv',
        '--static-path',
        '/s/',
      ],
    ],
    [['--domain', 'x.test', '--backend', '1', '--check', '--strict', '--json', '--out', '/tmp/x', '--force']],
    [
      [
        '--domain',
        'x.test',
        '--backend',
        '1',
        '--tls',
        'modern',
        '--balance',
        'ip-hash',
        '--server-version',
        '1.2.3',
      ],
    ],
    [
      [
        '--domain',
        'x.test',
        '--backend',
        '1',
        '--redirect-listen',
        '8080',
        '--listen',
        '127.0.0.1:8443',
        '--config',
        'c.yaml',
      ],
    ],
  ])('%j gives what commander gives', (args) => {
    const fast = parseRenderFlags(args);
    const { redirect, ...commander } = withCommander(args);
    // commander also sets redirect: true when --no-redirect is absent; the fast path leaves it out.
    expect({ ...fast, redirect: fast?.redirect ?? true }).toEqual({ ...commander, redirect });
  });

  it.each([
    [['--help']],
    [['--domain']],
    [['--bogus']],
    [['stray']],
    [['--domain', 'a', '--force=yes']],
  ])('leaves %j to commander, which explains it', (args) => {
    expect(parseRenderFlags(args)).toBeUndefined();
  });
});

describe('a flag that takes one value, given twice', () => {
  // Every flag of the table, not a chosen few: a flag added later is covered without a test of its own.
  const single = [...siteFlags, ...renderFlags].filter((spec) => spec.value && !spec.repeatable);

  it.each(
    single.map((spec) => [spec.flag]),
  )('--%s is refused by commander, not silently narrowed', (flag) => {
    const args = ['--domain', 'x.test', '--backend', '1', `--${flag}`, '/a', `--${flag}`, '/b'];
    expect(parseRenderFlags(args)).toBeUndefined();
    expect(() => withCommander(args)).toThrow(
      `--${flag}: given more than once ("/a", then "/b"); give it once`,
    );
  });

  it('still collects the repeatable ones', () => {
    expect(withCommander(['--domain', 'a.test', '--domain', 'b.test', '--backend', '1'])).toMatchObject({
      domain: ['a.test', 'b.test'],
    });
  });
});

describe('generationKeys', () => {
  it('are the keys of the schema, each once: a flag added to one and not the other fails here', () => {
    expect([...generationKeys].sort()).toEqual(Object.keys(generationOptionsSchema.shape).sort());
  });

  it('pick every site flag and no output flag from what commander parsed', () => {
    const flags = withCommander([
      '--domain',
      'x.test',
      '--backend',
      '1',
      '--static-dir',
      '/srv',
      '--max-clients',
      '500',
      '--no-redirect',
      '--out',
      '/tmp/x',
      '--json',
    ]);
    expect(pickGenerationInput(flags)).toEqual({
      domain: ['x.test'],
      backend: ['1'],
      staticDir: '/srv',
      maxClients: '500',
      redirect: false,
    });
  });
});
