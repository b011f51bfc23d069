/**
 * What wss-conf knows about one server, as data: the one place a server is described. Each
 * src/servers/<name>/index.ts exports one of these, src/servers/registry.ts lists them, and everything
 * that differs between servers (the commands, apply and rollback, check, the runbook, the bundle, the
 * golden matrix) reads it from here instead of keeping a table of its own.
 *
 * Pure: only data and loaders. A loader is `() => import(...)`, so listing the servers costs nothing at
 * start-up (npm run bench:startup): a render loads its own target and nothing of the others.
 */

import type { ApplyFlags, ApplyPlan, CertificateBundle, ServerLocationFlags } from '../commands/apply.js';
import type { CommandResult, OutputFlags, SiteTarget } from '../commands/render-site.js';
import type { GenerationOptions } from '../core/options.js';
import type { ServerRecord } from '../io/backups.js';
import type { ConfigTestResult } from '../io/nginx.js';
import type { ServerControl } from '../io/server-control.js';
import type { DetectedVersions } from '../io/version-query.js';
import type { RenderedSite, TargetVersions } from '../targets/site.js';

/** Where a distribution keeps the server's sites, and how one is switched on there. */
export interface ServerLayout {
  readonly family: 'debian' | 'rhel';
  /** The directory a site file is installed in (or, for a server of one file, that file's directory). */
  readonly available: string;
  /** Debian's sites-enabled/: a site is on when a link there names it; absent when every file is read. */
  readonly enabled?: string;
  /** The server's own command that switches a site on (`a2ensite`), when there is one. */
  readonly enableCommand?: string;
  /** The systemd unit that runs the system server there. */
  readonly unit: string;
}

/** A flag of apply and rollback that names an instance other than the system server's. */
export interface InstanceFlag {
  /** The long flag without dashes, e.g. `nginx-prefix`; part of the command-line contract. */
  readonly flag: string;
  /** Its value's placeholder, e.g. `dir`. */
  readonly value: string;
  readonly help: string;
  /** Where it is kept in a backup's record (src/io/backups.ts), for rollback. */
  readonly record: Exclude<keyof ServerRecord, 'server'>;
}

/** `bin`, `prefix`, `root`, `conf`: an instance as the record keeps it and the control takes it. */
export type InstanceLocation = Partial<Record<InstanceFlag['record'], string>>;

export type RenderTarget = (
  options: GenerationOptions,
  versions: TargetVersions,
  toolVersion: string,
) => RenderedSite;

/** What a server's own answer (an error page) means, and the fix in its own directives. */
/** A server's own error page, as the probe names it: for a server that sends no Server header, the
 *  page is the evidence of who answered (HAProxy's 502, 503 and 504). */
export interface ServerErrorPage {
  readonly status: number;
  /** The page's own sentence, quoted in the diagnosis: the words people search for. */
  readonly text: string;
  /** The stage's one-line detail, after the status. */
  readonly summary: string;
  /** What the page means, in the probe's words. */
  readonly cause: string;
  /** What to change or look at, with the server's own directives. */
  readonly fix: readonly string[];
}

export type ProbeMatcher = (status: number, body: string) => ServerErrorPage | undefined;

/** What `--runbook` says that only the server knows (src/targets/runbook.ts writes the rest). */
export interface RunbookFacts {
  /** Tests the whole configuration as the reload will read it, e.g. `nginx -t`. */
  readonly configTest: string;
  /** Why a reload, not a restart, keeps open sockets, and what it does not cap. */
  readonly reloadKeeps: string;
  /** certbot's installer plugin for the server (`certbot certonly --nginx`). */
  readonly certbotPlugin: string;
  /** `wss-conf check` flags the step 4 needs, with a leading space, or ''. */
  readonly checkFlags: string;
  /** Step 3, "Enable it": the commands and notes (Debian first, then RHEL/Fedora). */
  readonly enable: (site: RunbookSite) => string[];
  /** With --max-clients: the server-wide settings N sockets need, which a site file cannot carry. */
  readonly sizing: (maxClients: number) => string[];
  /** Step 5 when a reload is not enough (new MPM limits): the restart and why; undefined to reload. */
  readonly restartOnce?: (site: RunbookSite) => string[] | undefined;
  /** What the apply of the last section does not do, said after it. */
  readonly applyNote?: (site: RunbookSite, restartOnce: boolean) => string;
}

export interface RunbookSite {
  readonly fileName: string;
  /** The file name without `.conf`, as a2ensite takes it. */
  readonly siteName: string;
  readonly options: GenerationOptions;
  readonly versions: TargetVersions;
}

/** The module behind `wss-conf <name>`: the target wired to detection and the config test. */
export interface RenderCommand {
  readonly siteTarget: (input: Record<string, unknown>) => SiteTarget;
  readonly run: (input: Record<string, unknown>, flags: OutputFlags) => Promise<CommandResult>;
}

export interface ServerDefinition<Name extends string = string> {
  /** The command and the value of --server; part of the command-line contract. */
  readonly name: Name;
  /** As the project spells it in prose: nginx, Apache, HAProxy. */
  readonly title: string;
  /** The render command's one-line description in --help. */
  readonly description: string;
  /** What --max-clients sizes, in its --help: `nginx.conf`, `MPM`, `global maxconn`. */
  readonly sizingSettings: string;
  readonly versions: {
    /** Written for when --server-version is not given and no binary is found. */
    readonly default: string;
    /** The oldest release wss-conf writes for; older ones are refused with exit 2. */
    readonly oldest: string;
    /** The releases the golden matrix renders, each with the OpenSSL its distribution pairs it with. */
    readonly golden: readonly { readonly server: string; readonly openssl: string }[];
  };
  readonly capabilities: {
    /** `wss-conf lint` reads its configs (src/lint/). */
    readonly lint: boolean;
    /** --static-dir can be served. */
    readonly staticFiles: boolean;
    /** The output is one site among others (true), or the server's whole configuration (false). */
    readonly siteFile: boolean;
  };
  /** Debian's layout first, then RHEL's; apply installs in the first that exists here. */
  readonly layouts: readonly ServerLayout[];
  /**
   * How its config files look, for check, lint and rollback when --server is not given: a score, the
   * higher the likelier (src/core/detect-server.ts picks the highest), from the first 400 lines.
   */
  readonly looksLike: (text: string) => number;
  /**
   * What makes a file one of its sites, for apply --from: neither nginx -t nor apache2 -t refuses an
   * empty or site-less included file, and the reload then drops the site that was there.
   */
  readonly site?: { readonly holds: (text: string) => boolean; readonly what: string };
  /** The probe's matcher: a Server header this server sends (HAProxy sends none). */
  readonly serverHeader?: RegExp;
  /** apply's and rollback's --<name>-* flags; empty until apply supports the server. */
  readonly instanceFlags: readonly InstanceFlag[];
  readonly load: {
    readonly command: () => Promise<RenderCommand>;
    readonly target: () => Promise<RenderTarget>;
    readonly detectVersions: () => Promise<() => Promise<DetectedVersions | undefined>>;
    /** The isolated config test (check, render --check, the goldens). */
    readonly configTest: () => Promise<(text: string, displayPath: string) => Promise<ConfigTestResult>>;
    /** apply and rollback: test, reload and start the running server. Absent: apply refuses it. */
    readonly control?: () => Promise<(location: InstanceLocation) => ServerControl>;
    /** `--runbook`'s server-specific steps. Absent: --runbook is refused for the server. */
    readonly runbook?: () => Promise<RunbookFacts>;
    /** apply --acme's stand-in site, which serves only the HTTP-01 challenge (src/targets/acme-challenge.ts). */
    readonly acmeChallenge?: () => Promise<
      (options: GenerationOptions, versions: TargetVersions, toolVersion: string) => string
    >;
    /** apply's steps for a server that is not a site among others (ApplyHooks). Absent: the usual ones. */
    readonly applyHooks?: () => Promise<ApplyHooks>;
    /** The probe's matcher for the server's own error pages, when they say more than its status. */
    readonly probeMatcher?: () => Promise<ProbeMatcher>;
  };
}

/**
 * What apply does differently for a server whose file is its whole configuration (HAProxy): a server
 * without them is applied as a site among others. Each step runs where apply's sequence says.
 */
export interface ApplyHooks {
  /** Refuses what apply cannot do for the server (UsageError, exit 2) and fills flags from each other. */
  readonly flags: (
    input: Record<string, unknown>,
    flags: ApplyFlags & ServerLocationFlags,
  ) => ApplyFlags & ServerLocationFlags;
  /** Plans the apply around the usual plan, e.g. with a certificate bundle in place of --cert/--key. */
  readonly plan: (
    input: Record<string, unknown>,
    flags: ApplyFlags & ServerLocationFlags,
    usual: (input: Record<string, unknown>) => Promise<ApplyPlan>,
  ) => Promise<ApplyPlan>;
  /** Why the running instance cannot be applied to, said before the lock is taken or a file touched. */
  readonly preflight: (location: InstanceLocation) => string | undefined;
  /**
   * Writes the plan's certificate bundle: what it did, and how to put the old one back, which a failed
   * apply does before its reload (the old file names the same bundle).
   */
  readonly writeBundle: (
    bundle: CertificateBundle,
  ) => Promise<{ readonly detail: string; readonly undo: () => Promise<string> }>;
}

/**
 * Checks a definition's shape while keeping its literal types: ServerName is derived from the names,
 * and the lint's servers from `capabilities.lint` (src/servers/registry.ts).
 */
export const defineServer = <const Definition extends ServerDefinition>(definition: Definition): Definition =>
  definition;
