/**
 * The flags of the render commands (`wss-conf nginx`, `apache`, `haproxy`), as data. commander is built from this table
 * (src/program.ts), and so is the fast path in src/cli.ts, which parses a plain render with
 * node:util's parseArgs and never loads commander: loading it costs more than a whole render, and the
 * render must start within 1.5x of `node -e 0` (npm run bench:startup).
 *
 * Keys of the parsed result are the camelCase of the long flags, as commander makes them and as the
 * zod schema (src/core/options.ts) expects; `--no-redirect` gives `redirect: false`.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './core/errors.js';
import { optionHelp, type SiteOption, siteOptions } from './core/site-options.js';
import type { ServerName } from './servers/registry.js';

export type { ServerName };

export interface FlagSpec {
  /** The long flag without dashes, e.g. `static-dir`. */
  readonly flag: string;
  /** The placeholder of its value, e.g. `dir`; absent for a switch. */
  readonly value?: string;
  /** `the server` for `apply`, whose flags serve both servers. */
  readonly describe: (server: ServerName | 'the server') => string;
  /** May be given several times; the values are collected in order. A flag with a value that is not
   *  repeatable is refused when given twice (`singleValue`), rather than the last one silently winning. */
  readonly repeatable?: boolean;
  /** A one-letter alias, e.g. `q` for `-q`. */
  readonly short?: string;
}

/**
 * The generation options of DESIGN.md, shared by the render commands and `apply`: one per site option
 * of src/core/site-options.ts, where each flag's help, default and prompt are written once.
 */
export const siteFlags: readonly FlagSpec[] = Object.values(siteOptions).map((option: SiteOption) => ({
  flag: option.flag,
  ...(option.value ? { value: option.value } : {}),
  ...(option.repeatable ? { repeatable: true } : {}),
  describe: (server: ServerName | 'the server') => optionHelp(option, server),
}));

/** apply's and rollback's own defaults, written once: --help says them and the commands apply them. */
export const applyDefaults = { keep: '5', lockTimeout: '60s' } as const;

/** Every command has it; src/print.ts drops warnings and summaries, never the product or an error. */
export const quietFlag: FlagSpec = {
  flag: 'quiet',
  short: 'q',
  describe: () => 'print only the result itself (the config, the JSON) and errors; no warnings',
};

/** Where and how `nginx`/`apache` write the file. */
export const renderFlags: readonly FlagSpec[] = [
  {
    flag: 'config',
    value: 'file',
    describe: () => 'read options from a JSON or YAML file (keys: the long flags); flags override it',
  },
  {
    flag: 'out',
    value: 'file',
    describe: () => 'write atomically to <file>, in a directory that exists, instead of stdout',
  },
  { flag: 'force', describe: () => 'with --out, replace an existing file' },
  {
    flag: 'check',
    describe: (server) => `after rendering, run the real ${server} config test on it in isolation`,
  },
  { flag: 'strict', describe: () => 'certificate problems are errors (exit 1), not warnings' },
  { flag: 'json', describe: () => 'print { files, warnings } instead of the config' },
  {
    flag: 'runbook',
    describe: (server) =>
      `print the deployment steps as markdown instead (install, enable, check, reload, probe) for ${server}`,
  },
  quietFlag,
];

export const commanderFlags = (spec: FlagSpec): string =>
  `${spec.short ? `-${spec.short}, ` : ''}--${spec.flag}${spec.value ? ` <${spec.value}>` : ''}`;

/**
 * commander's argument parser for a flag that takes one value: a second value is an error, where
 * commander would keep the last. `previous` is undefined the first time (these flags have no default).
 */
export const singleValue =
  (spec: FlagSpec) =>
  (value: string, previous: string | undefined): string => {
    if (previous === undefined) return value;
    throw new UsageError(
      `--${spec.flag}: given more than once (${JSON.stringify(previous)}, then ${JSON.stringify(value)}); give it once`,
    );
  };

const camel = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The schema's keys among the parsed flags: one per site option, `--no-redirect` setting `redirect`.
 * Taken from src/core/site-options.ts rather than from the schema, which would put zod into the entry
 * bundle (scripts/bundle.mjs); test/unit/site-flags.test.ts holds the two to the same keys.
 */
export const generationKeys: readonly string[] = Object.keys(siteOptions);

/**
 * commander sets `redirect: true` unless --no-redirect is given; true is the schema's default anyway,
 * so only an explicit --no-redirect counts as given (apply --from refuses generation options).
 */
export const pickGenerationInput = (flags: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(
    generationKeys
      .filter((key) => flags[key] !== undefined && !(key === 'redirect' && flags[key] === true))
      .map((key) => [key, flags[key]]),
  );

/**
 * Parses `args` of a render command the way commander would, or returns undefined when anything is
 * unusual (help, an unknown flag, a stray argument, a missing value, a one-value flag given twice), so
 * commander can say so.
 */
export function parseRenderFlags(args: readonly string[]): Record<string, unknown> | undefined {
  const specs = [...siteFlags, ...renderFlags];
  try {
    const { values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: Object.fromEntries(
        specs.map((spec) => [
          spec.flag,
          {
            type: spec.value ? 'string' : 'boolean',
            // Every flag with a value is collected, so one that takes a single value can be seen twice.
            multiple: spec.value !== undefined,
            ...(spec.short ? { short: spec.short } : {}),
          },
        ]),
      ) as Parameters<typeof parseArgs>[0] extends infer C
        ? C extends { options?: infer O }
          ? NonNullable<O>
          : never
        : never,
    });
    const flags: Record<string, unknown> = {};
    for (const spec of specs) {
      const value = values[spec.flag];
      if (value === undefined) continue;
      if (spec.flag === 'no-redirect') flags.redirect = !value;
      else if (!Array.isArray(value) || spec.repeatable) flags[camel(spec.flag)] = value;
      else if (value.length === 1) flags[camel(spec.flag)] = value[0];
      else return undefined;
    }
    return flags;
  } catch {
    return undefined;
  }
}
