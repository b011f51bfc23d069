/**
 * `wss-conf apply nginx|apache --acme`: from no certificate to a served, renewing one.
 *
 * When live/<first domain>/cert.pem already covers every --domain, the TLS site is applied with its
 * paths directly. Otherwise: a plain-HTTP stand-in answering /.well-known/acme-challenge/ is applied
 * (the TLS site cannot be: nginx -t fails on certificate files that do not exist yet), a test file in
 * the webroot is fetched over http, certbot certonly --webroot gets the certificate, and the TLS site
 * replaces the stand-in through the same apply sequence. Every failure after the stand-in went live,
 * a crash included, puts back what was there before it (try/catch below), reloads, and says so.
 * Either way the served certificate is compared with live/<name>/cert.pem, and certbot's deploy hook
 * for renewals is installed (src/targets/acme-hook.ts).
 */
import { existsSync, lstatSync } from 'node:fs';
import { chmod, mkdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { acmeLineage, acmeProblems, acmeWarnings, uncoveredDomains } from '../core/acme.js';
import { isProblemFound, ProblemFound, UsageError } from '../core/errors.js';
import type { AcmeOptions, Endpoint, GenerationOptions } from '../core/options.js';
import { toolVersion } from '../generated/package-info.js';
import {
  caBundleProblem,
  certificateNames,
  checkWebroot,
  liveDir,
  prepareWebroot,
  runCertbot,
  servedMatches,
} from '../io/acme.js';
import { writeFileAtomic } from '../io/files.js';
import type { ServerControl } from '../io/server-control.js';
import { serverNamed } from '../servers/registry.js';
import { acmeHookFileName, renderAcmeHook } from '../targets/acme-hook.js';
import {
  type ApplyFlags,
  type ApplyOutput,
  type ApplyPlan,
  type ApplySettings,
  Checklist,
  defaultTarget,
  enabledLink,
  runApplySequence,
  type ServerName,
  type Step,
} from './apply.js';
import { type CommandResult, renderSite, type SiteTarget } from './render-site.js';

export interface AcmeApply {
  readonly server: ServerName;
  readonly input: Record<string, unknown>;
  readonly flags: ApplyFlags;
  readonly settings: ApplySettings;
  readonly output: ApplyOutput;
  readonly siteTarget: (input: Record<string, unknown>) => SiteTarget;
  readonly control: ServerControl;
}

/** What the target and its sites-enabled link were before the stand-in, to put back on failure. */
interface Before {
  readonly content: string | undefined;
  readonly link: string | undefined;
  readonly linkExisted: boolean;
}

export async function runApplyAcme(run: AcmeApply): Promise<CommandResult> {
  const { server, input, flags, settings, control } = run;
  // Before anything is written: a server without a stand-in site cannot take the first certificate.
  const challengeSite = serverNamed(server).load.acmeChallenge;
  if (!challengeSite)
    throw new UsageError(`--acme: not available for ${server} yet; get the certificate first`);
  const site = await renderSite(run.siteTarget(input), input, undefined, { json: flags.json });
  const options = site.options;
  const acme = options.acme as AcmeOptions;
  const problems = acmeProblems(options);
  if (acme.caBundle !== undefined) {
    const problem = await caBundleProblem(acme.caBundle);
    if (problem) problems.push(`--acme-ca-bundle: ${acme.caBundle} ${problem}`);
  }
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  const target = resolve(flags.target ?? defaultTarget(server, site.fileName));
  const certFile = join(liveDir(acme, acmeLineage(options)), 'cert.pem');
  const covered = certificateNames(certFile);
  const missing = covered === undefined ? options.domains : uncoveredDomains(options, covered);
  // Findings about certificate files that certbot is about to make are not news.
  const warnings = [
    ...site.warnings.filter((w) => missing.length === 0 || !site.certificateFindings.includes(w)),
    ...acmeWarnings(options),
  ];
  const checklist = new Checklist(run.output.live);
  const tlsPlan: ApplyPlan = { server, content: site.content, target, control, warnings };
  const before = await snapshot(target, flags);

  if (missing.length === 0) {
    await runApplySequence(tlsPlan, flags, settings, checklist);
    return finish(run, options, checklist, target, certFile, before, warnings);
  }

  await prepareWebroot(acme);
  const standIn = (await challengeSite())(options, site.versions, toolVersion);
  // The stand-in is applied with every guarantee of apply; its own failures roll it back there.
  await runApplySequence(
    { ...tlsPlan, content: standIn },
    { ...flags, verify: undefined },
    settings,
    checklist,
  );
  try {
    checklist.begin('webroot', `a test file in ${acme.webroot}, fetched over http`);
    const webroot = await checkWebroot(options);
    checklist.record('webroot', webroot.ok, webroot.detail);
    if (!webroot.ok) throw new ProblemFound(`the stand-in does not serve ${acme.webroot}: ${webroot.detail}`);

    checklist.begin(
      'certbot',
      `certbot certonly --webroot for ${options.domains.join(', ')} (${acme.server})`,
    );
    const certbot = await runCertbot(options);
    checklist.record(
      'certbot',
      certbot.ok,
      certbot.ok
        ? `${covered === undefined ? 'issued' : `expanded to ${missing.join(', ')} too:`} ${liveDir(acme, acmeLineage(options))}/`
        : certbot.output,
    );
    if (!certbot.ok) throw new ProblemFound(certbotFailure(certbot.output, options, certbot.acmeError));

    await runApplySequence(tlsPlan, flags, settings, checklist);
    return await finish(run, options, checklist, target, certFile, before, warnings);
  } catch (error) {
    throw await undo(run, before, target, checklist, error);
  }
}

/** The served check and the deploy hook, after the TLS site is live. */
async function finish(
  run: AcmeApply,
  options: GenerationOptions,
  checklist: Checklist,
  target: string,
  certFile: string,
  before: Before,
  warnings: readonly string[],
): Promise<CommandResult> {
  const { flags } = run;
  const acme = options.acme as AcmeOptions;
  try {
    checklist.begin('served', `the certificate on ${formatListen(options.listen)}`);
    const served = await servedMatches(options, certFile);
    checklist.record('served', served.ok, served.detail);
    if (!served.ok) throw new ProblemFound(`the TLS site does not serve ${certFile}: ${served.detail}`);

    const hookDir = join(acme.dir, 'renewal-hooks', 'deploy');
    const hookFile = join(hookDir, acmeHookFileName(acmeLineage(options)));
    // The commands apply itself just ran, as its checklist recorded them (Step.command). Paths in
    // them hold no whitespace (the schema), so the words are the command's arguments.
    const commandOf = (step: Step['step']) =>
      (checklist.steps.findLast((s) => s.step === step && s.command !== undefined)?.command ?? '').split(' ');
    const hook = renderAcmeHook({
      domain: acmeLineage(options),
      lineage: liveDir(acme, acmeLineage(options)),
      testCommand: commandOf('test'),
      reloadCommand: commandOf('reload'),
      connect: formatListen(options.listen),
      toolVersion,
    });
    const current = existsSync(hookFile) ? await readFile(hookFile, 'utf8') : undefined;
    if (current !== hook) {
      await mkdir(hookDir, { recursive: true });
      await writeFileAtomic(hookFile, hook);
    }
    await chmod(hookFile, 0o755);
    checklist.record('hook', true, `${hookFile}${current === hook ? ' (unchanged)' : ''}`);
  } catch (error) {
    throw await undo(run, before, target, checklist, error);
  }
  return { stdout: checklist.report(flags.json, true, target), warnings, summary: !flags.json };
}

async function snapshot(target: string, flags: ApplyFlags): Promise<Before> {
  const link = flags.enable ? enabledLink(target) : undefined;
  return {
    content: existsSync(target) ? await readFile(target, 'utf8') : undefined,
    link,
    linkExisted: link !== undefined && (existsSync(link) || isSymlink(link)),
  };
}

/**
 * Puts the target (and the sites-enabled link) back as they were before the stand-in, reloads, and
 * returns the error to throw: a ProblemFound that says what was rolled back, or the crash itself.
 */
async function undo(
  run: AcmeApply,
  before: Before,
  target: string,
  checklist: Checklist,
  error: unknown,
): Promise<unknown> {
  checklist.interrupt();
  if (before.content === undefined) await rm(target, { force: true });
  else await writeFileAtomic(target, before.content);
  if (before.link && !before.linkExisted) await rm(before.link, { force: true });
  const reload = await run.control.reload();
  const done =
    before.content === undefined
      ? `removed ${target}, which did not exist before${before.link && !before.linkExisted ? `, and ${before.link}` : ''}`
      : `put back the ${target} that was there before`;
  const detail = `${done}${reload.ok ? `, reloaded (${reload.command})` : `, but the reload failed: ${reload.output}`}`;
  checklist.record('restore', reload.ok, detail);
  if (!isProblemFound(error)) return error;
  return new ProblemFound(
    `${error.message}\napply --acme rolled back: ${detail}`,
    checklist.report(run.flags.json, false, target),
  );
}

/**
 * certbot's failure, said as what happened and what to do. `acmeError` is the CA's error read from
 * certbot's log when certbot 2.1 crashed instead of printing it (certbot#9539): it is judged like
 * certbot's own words, and the crash is named so that nobody chases the AttributeError.
 */
export function certbotFailure(output: string, options: GenerationOptions, acmeError?: string): string {
  if (acmeError !== undefined) {
    return (
      `${certbotFailure(`${output}\nError returned by the ACME server: ${acmeError}`, options)}\n` +
      `(the ACME server answered: ${acmeError}. certbot 2.1 crashes on Python 3.11 with "AttributeError: ` +
      `can't set attribute" instead of printing such an answer (certbot#9539, fixed in certbot 2.2); ` +
      `the answer above is from its debug log${/:badNonce\b/.test(acmeError) ? '; a badNonce is transient: run apply again' : ''})`
    );
  }
  const acme = options.acme as AcmeOptions;
  const first = options.domains[0] as string;
  const tail = output.split('\n').slice(-12).join('\n');
  if (/Another instance of Certbot is already running/i.test(output)) {
    return (
      `certbot: another certbot holds the lock on ${acme.dir} (certbot.timer's renewal, or one run by hand); ` +
      'wait for it to finish (systemctl status certbot.service) and run apply again'
    );
  }
  if (/rateLimited|too many (certificates|failed authorizations|requests)/i.test(output)) {
    const retry = /retry after (\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d)?(?: UTC|Z)?)/i.exec(output)?.[1];
    return (
      `the ACME server ${acme.server} refused: rate limit reached (urn:ietf:params:acme:error:rateLimited); ` +
      `${retry ? `retry after ${retry}` : "retry when the limit resets (Let's Encrypt: see letsencrypt.org/docs/rate-limits; try --acme-server with the staging directory meanwhile)"}`
    );
  }
  if (
    /Some challenges have failed|acme:error:(connection|unauthorized|dns)|Invalid response from/i.test(output)
  ) {
    return (
      `the CA could not fetch http://${first}/.well-known/acme-challenge/… (HTTP-01 validation failed). ` +
      `Port 80 of ${options.domains.join(', ')} must reach this server from the internet: check that DNS names ` +
      'this server, that no firewall or security group closes port 80, and that a NAT or load balancer ' +
      "forwards it (certbot's own words are in the certbot step above)"
    );
  }
  if (
    /Max retries exceeded|Connection refused|Failed to establish|timed out|SSLError|CERTIFICATE_VERIFY_FAILED|Name or service not known/i.test(
      output,
    )
  ) {
    return (
      `the ACME server ${acme.server} could not be reached: the connection was refused, timed out, or its TLS ` +
      `certificate is not trusted${acme.caBundle ? ` by ${acme.caBundle}` : ' (give --acme-ca-bundle for a private CA)'}`
    );
  }
  return `certbot failed:\n${tail}`;
}

const formatListen = (endpoint: Endpoint): string =>
  `${endpoint.host === undefined || endpoint.host === '0.0.0.0' ? '127.0.0.1' : endpoint.host}:${endpoint.port}`;

const isSymlink = (path: string): boolean => {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
};
