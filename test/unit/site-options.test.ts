/**
 * Each site option's default, help and prompt are written once (src/core/site-options.ts), and the
 * schema, schema.json, --help and the "render it again" command all say the same thing because they
 * read it there. These tests fail when one of them keeps a copy of its own.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  durationToSeconds,
  generationOptionsSchema,
  optionsFileJsonSchema,
  parseGenerationOptions,
} from '../../src/core/options.js';
import { optionHelp, type SiteOption, siteOptions } from '../../src/core/site-options.js';
import { siteFlags } from '../../src/site-flags.js';
import { regenerateCommand } from '../../src/targets/site.js';

const required = { domain: ['example.com'], backend: ['8282'] };
const versions = { server: '1.22.1', openssl: '3.0.0', source: 'given' } as const;
const options = Object.entries(siteOptions) as [keyof typeof siteOptions, SiteOption][];

describe('site options', () => {
  it('are the schema keys, in both directions', () => {
    expect(Object.keys(siteOptions).sort()).toEqual(Object.keys(generationOptionsSchema.shape).sort());
  });

  // --static-path and the --acme-* options only mean something with --static-dir or --acme, so their
  // defaults are filled in where those are (parseGenerationOptions), below.
  const appliedLater = ['staticPath', 'acmeServer', 'acmeDir'];
  it.each(
    options.filter(([key, option]) => option.default !== undefined && !appliedLater.includes(key)),
  )("%s: the schema fills in the option's default", (key, option) => {
    const parsed = z.parse(generationOptionsSchema, required) as Record<string, unknown>;
    expect(parsed[key]).toBe(option.default);
  });

  it('--static-path, --acme-server and --acme-dir default to their options', () => {
    const parsed = parseGenerationOptions({ ...required, staticDir: '/srv/www', acme: true });
    expect(parsed.static?.path).toBe(siteOptions.staticPath.default);
    expect(parsed.acme?.server).toBe(siteOptions.acmeServer.default);
    expect(parsed.acme?.dir).toBe(siteOptions.acmeDir.default);
  });

  it.each(options)('%s: --help and schema.json give the same text', (key, option) => {
    const flag = siteFlags.find((spec) => spec.flag === option.flag);
    expect(flag?.describe('nginx')).toBe(optionHelp(option, 'nginx'));
    const property = (optionsFileJsonSchema().properties as Record<string, Record<string, unknown>>)[
      option.flag === 'no-redirect' ? 'redirect' : option.flag
    ];
    const description = JSON.stringify(property).match(/"description":"((?:[^"\\]|\\.)*)"/)?.[1];
    expect(JSON.parse(`"${description}"`)).toBe(option.fileHelp ?? optionHelp(option, 'the server'));
    expect(key).toBeTruthy();
  });

  it('the render-it-again command leaves out every option at its default, however it was written', () => {
    const atDefaults = parseGenerationOptions({
      ...required,
      path: '/',
      listen: '443',
      redirectListen: '80',
      timeout: '60m',
      tls: 'intermediate',
      balance: 'least-conn',
    });
    expect(regenerateCommand('nginx', atDefaults, versions, { pinVersions: false })).toBe(
      'wss-conf nginx --domain example.com --backend 8282',
    );
    expect(durationToSeconds(siteOptions.timeout.default)).toBe(3600);
  });

  it('the render-it-again command names every option away from its default', () => {
    const changed = parseGenerationOptions({
      ...required,
      backend: ['8282', '8283'],
      path: '/ws',
      listen: '8443',
      redirectListen: '8080',
      staticDir: '/srv/www',
      staticPath: '/assets/',
      timeout: '90s',
      tls: 'modern',
      balance: 'ip-hash',
    });
    expect(regenerateCommand('nginx', changed, versions, { pinVersions: false })).toBe(
      'wss-conf nginx --domain example.com --backend 8282 --backend 8283 --path /ws --listen 8443 ' +
        '--redirect-listen 8080 --static-dir /srv/www/ --static-path /assets/ --timeout 90s --tls modern ' +
        '--balance ip-hash',
    );
  });
});
