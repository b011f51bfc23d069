/**
 * Every server wss-conf writes for, in the order the commands are listed. The commands, the bundle
 * (scripts/bundle.mjs), apply, check, rollback, the runbook, detection, the probe's server kind and the
 * golden matrix (test/golden/targets.ts) read this list.
 *
 * A new server is:
 *   src/servers/<name>/   index.ts (its ServerDefinition), command.ts, target.ts, versions.ts,
 *                         detect.ts, config-test.ts; control.ts, runbook.ts, lint-model.ts when it has them
 *   one line here         (and the import above it)
 *   templates/<name>/     its Handlebars templates
 *   test/                 its tests, and its line in test/helpers/tools.ts
 * and, until the docs move out of src/program.ts, its --help examples there (the `examples` object
 * fails to compile without them).
 */
import { apache } from './apache/index.js';
import type { ServerDefinition } from './definition.js';
import { haproxy } from './haproxy/index.js';
import { nginx } from './nginx/index.js';

const registered = [nginx, apache, haproxy] as const;

export type ServerName = (typeof registered)[number]['name'];

/** The definitions, each read through the one interface every server implements. */
export const servers: readonly ServerDefinition<ServerName>[] = registered;

/** The servers `wss-conf lint` reads (capabilities.lint). */
export type LintServerName = Extract<(typeof registered)[number], { capabilities: { lint: true } }>['name'];

export const serverNames: readonly ServerName[] = servers.map((server) => server.name);

export const isServerName = (name: string): name is ServerName =>
  (serverNames as readonly string[]).includes(name);

export const serverNamed = (name: ServerName): ServerDefinition<ServerName> =>
  servers.find((server) => server.name === name) as ServerDefinition<ServerName>;

/** The names of the servers lint reads, in the registry's order. */
export const lintServerNames = servers
  .filter((server) => server.capabilities.lint)
  .map((server) => server.name) as LintServerName[];

/** The servers that have a capability or loader, e.g. those apply can act on. */
export const serversWith = (has: (server: ServerDefinition<ServerName>) => boolean): ServerName[] =>
  servers.filter(has).map((server) => server.name);

/** `nginx, apache or haproxy`, for messages that list what is allowed. */
export const orList = (names: readonly string[]): string =>
  names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
