/**
 * What every render command (`wss-conf nginx`, `apache`, `haproxy`) shares: validate, resolve versions, render, check the
 * certificate, optionally run the real config test, then print or write. Nothing is written unless
 * everything before it passed.
 */
import { resolve } from 'node:path';
import { ProblemFound, UsageError } from '../core/errors.js';
import { flagsOverFile, type GenerationOptions, parseGenerationOptions } from '../core/options.js';
import { defaultVersions, unsupportedVersion } from '../core/versions.js';
import { toolVersion } from '../generated/package-info.js';
import { certificateWarnings } from '../io/certificate-files.js';
import { assertWritable, writeFileAtomic } from '../io/files.js';
import type { ConfigTestResult } from '../io/nginx.js';
import { askForMissingOptions } from '../io/prompts.js';
import type { DetectedVersions } from '../io/version-query.js';
import type { RenderCommand, RenderTarget, ServerDefinition } from '../servers/definition.js';
import type { ServerName } from '../servers/registry.js';
import type { RenderedSite, TargetVersions } from '../targets/site.js';

export interface OutputFlags {
  readonly config?: string;
  readonly out?: string;
  readonly force?: boolean;
  readonly json?: boolean;
  readonly check?: boolean;
  readonly strict?: boolean;
  readonly runbook?: boolean;
}

export interface CommandResult {
  /** Printed to stdout as is. */
  readonly stdout: string;
  /** Printed to stderr, one per line, as warnings. */
  readonly warnings: readonly string[];
  /** stdout is a human summary, not a product; `--quiet` drops it (src/print.ts). */
  readonly summary?: boolean;
}

export interface SiteTarget {
  readonly server: ServerDefinition<ServerName>;
  readonly resolveVersions: (options: GenerationOptions) => Promise<TargetVersions>;
  readonly render: RenderTarget;
  readonly test: (text: string, displayPath: string) => Promise<ConfigTestResult>;
}

/** --server-version, else the installed server, else the documented default (its definition's). */
export function resolveVersions(
  server: SiteTarget['server'],
  options: GenerationOptions,
  detected: DetectedVersions | undefined,
): TargetVersions {
  const version = options.serverVersion ?? detected?.server;
  return {
    server: version ?? server.versions.default,
    openssl: options.opensslVersion ?? detected?.openssl ?? defaultVersions.openssl,
    source: options.serverVersion ? 'given' : version ? 'detected' : 'default',
  };
}

/**
 * A SiteTarget whose detection of the installed server starts right away, so the binary runs while the
 * options are validated; it is not run at all when both versions are given.
 */
export function detectingSiteTarget(
  input: Record<string, unknown>,
  target: Omit<SiteTarget, 'resolveVersions'> & {
    readonly detect: () => Promise<DetectedVersions | undefined>;
  },
): SiteTarget {
  const detection =
    input.serverVersion !== undefined && input.opensslVersion !== undefined
      ? Promise.resolve(undefined)
      : target.detect();
  return {
    server: target.server,
    resolveVersions: async (options) => resolveVersions(target.server, options, await detection),
    render: target.render,
    test: target.test,
  };
}

/**
 * The module behind `wss-conf <server>` (src/servers/<name>/command.ts): the server's target wired to
 * its version detection and config test. Those are given, not loaded from the definition, so that the
 * render bundle of one server (scripts/bundle.mjs) holds its own target and nothing else.
 */
export function siteCommand(
  server: ServerDefinition<ServerName>,
  parts: Omit<Parameters<typeof detectingSiteTarget>[1], 'server'>,
): RenderCommand {
  const siteTarget = (input: Record<string, unknown>) => detectingSiteTarget(input, { server, ...parts });
  return {
    siteTarget,
    run: (input, flags) => renderSiteCommand(siteTarget(input), input, flags),
  };
}

export interface RenderedSiteFile {
  readonly fileName: string;
  readonly content: string;
  /** Target warnings, then certificate findings. */
  readonly warnings: readonly string[];
  readonly certificateFindings: readonly string[];
  readonly files: Readonly<Record<string, string>>;
  /** With --max-clients; `--json` prints it so scripts can read the main-context settings. */
  readonly sizing: RenderedSite['sizing'];
  /** What it was rendered from, for the runbook. */
  readonly options: GenerationOptions;
  readonly versions: TargetVersions;
}

/**
 * Validates, resolves versions, renders and checks the certificate; writes nothing. With `configFile`,
 * its options come first and the flags in `input` override them. With `prompt`, required options still
 * missing after both are asked for, on a terminal only (src/io/prompts.ts says when).
 */
export async function renderSite(
  target: SiteTarget,
  flagInput: Record<string, unknown>,
  configFile?: string,
  prompt?: { readonly json?: boolean },
): Promise<RenderedSiteFile> {
  const merged = configFile
    ? flagsOverFile(await (await import('../io/options-file.js')).readOptionsFile(configFile), flagInput)
    : flagInput;
  const input = prompt ? await askForMissingOptions(merged, prompt) : merged;
  const options = parseGenerationOptions(input);
  const versions = await target.resolveVersions(options);
  const tooOld = [
    unsupportedVersion(target.server, versions.server, versions.source),
    unsupportedVersion('openssl', versions.openssl, options.opensslVersion ? 'given' : 'detected'),
  ].filter((problem) => problem !== undefined);
  if (tooOld.length > 0) throw new UsageError(tooOld.join('\n'));
  const site = target.render(options, versions, toolVersion);
  const [fileName, content] = Object.entries(site.files)[0] as [string, string];
  const certificateFindings = await certificateWarnings(options);
  return {
    fileName,
    content,
    warnings: [...site.warnings, ...certificateFindings],
    certificateFindings,
    files: site.files,
    sizing: site.sizing,
    options,
    versions,
  };
}

export async function renderSiteCommand(
  target: SiteTarget,
  input: Record<string, unknown>,
  flags: OutputFlags,
): Promise<CommandResult> {
  // Before rendering (and before any prompt or --check): a path that cannot be written fails at once.
  // `--out ''` is checked too, and refused, rather than taken as "no --out".
  if (flags.out !== undefined) assertWritable(flags.out, flags.force ?? false);
  const runbookFacts = target.server.load.runbook;
  if (flags.runbook && runbookFacts === undefined) {
    throw new UsageError(
      `--runbook: not available for ${target.server.name} yet; use --out and its header's steps`,
    );
  }
  const site = await renderSite(target, input, flags.config, { json: flags.json });
  const { fileName, content, certificateFindings } = site;
  const warnings = [...site.warnings];

  if (flags.strict && certificateFindings.length > 0) {
    throw new ProblemFound(
      `--strict: certificate problems, nothing written:\n${certificateFindings.join('\n')}`,
    );
  }
  if (flags.check) {
    const result = await target.test(content, flags.out ?? fileName);
    warnings.push(...result.notes);
    if (!result.ok) throw new ProblemFound(`the config test failed, nothing written:\n${result.output}`);
  }
  // --runbook replaces the config on stdout: its step 2 writes the file with the same options (or
  // installs the one --out wrote), and with --json it is one more key.
  const runbook = flags.runbook
    ? (await import('../targets/runbook.js')).renderRunbook({
        server: target.server,
        facts: await (runbookFacts as NonNullable<typeof runbookFacts>)(),
        options: site.options,
        versions: site.versions,
        writtenTo: flags.out === undefined ? undefined : resolve(flags.out),
      })
    : undefined;
  const json = (files: Readonly<Record<string, string>>) =>
    `${JSON.stringify({ files, warnings, ...(runbook === undefined ? {} : { runbook }), ...sizingOf(site) }, null, 2)}\n`;
  if (flags.out !== undefined) {
    await writeFileAtomic(flags.out, content);
    return { stdout: flags.json ? json({ [flags.out]: content }) : (runbook ?? ''), warnings };
  }
  if (flags.json) return { stdout: json(site.files), warnings };
  return { stdout: runbook ?? content, warnings };
}

/** `{ sizing }` for --json when --max-clients was given; nothing otherwise, so the shape stays the same. */
const sizingOf = (site: RenderedSiteFile) => (site.sizing ? { sizing: site.sizing } : {});
