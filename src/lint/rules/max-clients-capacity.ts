import {
  type ApacheMpm,
  type ApacheMpmAdjustment,
  type ApacheMpmDirectives,
  apacheDefaults,
  apacheMpmDefaults,
  apacheSizing,
  type EffectiveMaxRequestWorkers,
  effectiveMaxRequestWorkers,
  nginxDefaults,
  nginxSizing,
  socketsPerNginxWorker,
} from '../../core/capacity.js';
import type { Located } from '../finding.js';
import type { LintModel } from '../model.js';
import type { MpmSizingKey } from '../model-apache.js';
import type { ApacheDirective } from '../parse-apache.js';
import type { Report, Rule } from '../rule.js';

/**
 * With `--max-clients N`, the main config must hold N sockets at once: what `wss-conf nginx|apache
 * --max-clients N` prints, computed by src/core/capacity.ts (which says why each number is what it is).
 *
 * nginx: every proxied socket takes two of a worker's `worker_connections` (default 512, ngx_core_module
 * docs; Debian ships 768), after the worker's channel to its master and its listening sockets have one
 * each (socketsPerNginxWorker), and nginx does not spread connections evenly over `worker_processes`, so one
 * worker must be able to hold them all; `worker_rlimit_nofile` must give it the descriptors. When a
 * worker runs out, nginx logs "worker_connections are not enough" and drops the connection.
 *
 * Apache: every tunnelled socket keeps a worker thread (or, with prefork, a process) until it closes,
 * so `MaxRequestWorkers` bounds the sockets open at once (mpm_common docs, MaxRequestWorkers), as httpd
 * corrects it: rounded down to whole processes and capped by ServerLimit (see checkApache).
 */
export const maxClientsCapacity: Rule = {
  id: 'max-clients-capacity',
  severity: 'warning',
  servers: ['nginx', 'apache'],
  why: 'With --max-clients: a main config that cannot hold that many sockets at once refuses or stalls the rest.',
  fix: 'the main-context settings that wss-conf nginx|apache --max-clients <n> prints',
  docs: 'https://nginx.org/en/docs/ngx_core_module.html#worker_connections',
  check(model, report) {
    const maxClients = model.settings.maxClients;
    if (maxClients === undefined) return;
    if (model.nginx) checkNginx(model, maxClients, report);
    if (model.apache) checkApache(model, maxClients, report);
  },
};

const numberIn = (args: readonly string[] | undefined): number | undefined =>
  args?.[0] !== undefined && /^[0-9]+$/.test(args[0]) ? Number(args[0]) : undefined;

function checkNginx(model: LintModel, maxClients: number, report: Report): void {
  const nginx = model.nginx;
  if (!nginx) return;
  const main = nginx.main;
  if (!main) {
    const first = nginx.servers[0];
    if (first) {
      report(
        first,
        `--max-clients ${maxClients}: no main context (events, worker_processes) in the files given, so the capacity was not checked`,
        {
          severity: 'info',
          fix: 'lint the main config too: wss-conf lint /etc/nginx/nginx.conf --max-clients <n>',
        },
      );
    }
    return;
  }
  const sizing = nginxSizing(maxClients);
  const top: Located = { file: main.file, line: 1, column: 1 };

  const processes = main.workerProcesses?.args[0] ?? String(nginxDefaults.workerProcesses);
  const connections = main.workerConnections
    ? numberIn(main.workerConnections.args)
    : nginxDefaults.workerConnections;
  if (connections !== undefined && connections < sizing.workerConnections) {
    const perWorker = socketsPerNginxWorker(connections);
    const said = main.workerConnections
      ? `worker_connections ${connections}`
      : `no worker_connections: nginx's default of ${connections}`;
    const shortfall =
      perWorker < maxClients
        ? `lets one worker hold at most ${perWorker} sockets (two connections each, after one for the worker's channel ` +
          `to its master and one per listening socket), fewer than --max-clients ${maxClients}`
        : `leaves ${connections - sizing.socketConnections} connections beside ${maxClients} sockets (two each), ` +
          `where listeners, plain requests and reconnecting clients need ${sizing.marginConnections}`;
    const workers = Number(processes);
    const spread =
      processes === 'auto'
        ? '; worker_processes auto adds a worker per CPU core, but nginx does not spread connections evenly over them'
        : workers > 1 && perWorker < maxClients
          ? `; the ${workers} workers together would hold ${workers * perWorker} only if nginx spread connections evenly, which it does not`
          : '';
    report(main.workerConnections ?? main.events ?? top, `${said} ${shortfall}${spread}`, {
      fix: `events { worker_connections ${sizing.workerConnections}; }  (2 x ${maxClients} sockets + ${sizing.marginConnections})`,
    });
  }

  const needed = sizing.workerRlimitNofile;
  const rlimit = main.workerRlimitNofile;
  if (rlimit) {
    const value = numberIn(rlimit.args);
    if (value !== undefined && value < needed) {
      report(
        rlimit,
        `worker_rlimit_nofile ${value} gives a worker fewer descriptors than --max-clients ${maxClients} needs: ` +
          `${needed}, one per connection and as many again for files`,
        { fix: `worker_rlimit_nofile ${needed};` },
      );
    }
  } else if (needed > nginxDefaults.inheritedSoftNofile) {
    report(
      main.workerProcesses ?? main.events ?? top,
      `no worker_rlimit_nofile: workers keep the descriptor limit nginx starts with, ${nginxDefaults.inheritedSoftNofile} ` +
        `under systemd unless its unit sets LimitNOFILE=, and --max-clients ${maxClients} needs ${needed}`,
      { fix: `worker_rlimit_nofile ${needed};  (main context)` },
    );
  }
}

/** `AH00515/AH00516`: the warning httpd prints as it starts, and the one it writes to the error log. */
const codes = (code: string): string => `${code}/AH${String(Number(code.slice(2)) + 1).padStart(5, '0')}`;

/** Why httpd runs with another number than the one written, as its startup warning would say. */
function adjustmentPhrase(adjustment: ApacheMpmAdjustment, effective: EffectiveMaxRequestWorkers): string {
  const code = codes(adjustment.code);
  const isDefault = (key: keyof ApacheMpmDirectives) =>
    effective.defaults.includes(key) ? ' (the default)' : '';
  switch (adjustment.kind) {
    case 'threadsPerChild':
      return `ThreadsPerChild ${adjustment.from} is above ThreadLimit ${adjustment.to}${isDefault('threadLimit')}, so it is ${adjustment.to} (${code})`;
    case 'raised':
      return `httpd raises it to ${adjustment.to}, one process of ThreadsPerChild (${code})`;
    case 'rounded':
      return `httpd rounds it down to ${adjustment.to}, a multiple of ThreadsPerChild ${effective.threadsPerChild} (${code})`;
    case 'serverLimit':
      return effective.mpm === 'prefork'
        ? `httpd lowers it to ${adjustment.to}, ServerLimit ${effective.serverLimit}${isDefault('serverLimit')} (${code})`
        : `httpd lowers it to ${adjustment.to}, ServerLimit ${effective.serverLimit}${isDefault('serverLimit')} x ` +
            `ThreadsPerChild ${effective.threadsPerChild}${isDefault('threadsPerChild')} (${code})`;
  }
}

/**
 * Apache: the MaxRequestWorkers httpd runs with, not the one written. The event MPM runs whole processes
 * of ThreadsPerChild threads, at most ServerLimit of them, so it rounds MaxRequestWorkers down to a
 * multiple of ThreadsPerChild and cuts it to ServerLimit x ThreadsPerChild (src/core/capacity.ts,
 * effectiveMaxRequestWorkers), with the MPM's defaults for what the files do not set. Which directives
 * count is the model's (ApacheMpmSizing): per MPM, the last of each that applies.
 */
function checkApache(model: LintModel, maxClients: number, report: Report): void {
  const apache = model.apache;
  if (!apache) return;
  const sizing = apacheSizing(maxClients);
  const fix =
    `event MPM: ThreadLimit ${sizing.threadLimit}, ThreadsPerChild ${sizing.threadsPerChild}, ` +
    `MaxRequestWorkers ${sizing.maxRequestWorkers}, ServerLimit ${sizing.serverLimit}`;
  const mpmSizing = apache.mpmSizing;
  if (mpmSizing.mpms.length === 0) {
    const first = apache.sites[0];
    if (first) {
      report(
        first,
        `--max-clients ${maxClients}: no MaxRequestWorkers in the files given, so the capacity was not checked ` +
          `(Debian sets ${apacheDefaults.debianMaxRequestWorkers} in mods-available/mpm_event.conf)`,
        { severity: 'info', fix: `lint the MPM config too, or set it: ${fix}` },
      );
    }
    return;
  }

  /** The value httpd runs `mpm` with, unless lint cannot read it as a number. */
  const setting = (key: MpmSizingKey, mpm: ApacheMpm): { value: number | undefined; readable: boolean } => {
    const last = mpmSizing.setting(mpm, key);
    if (!last) return { value: undefined, readable: true };
    const value = numberIn(last.args);
    return { value, readable: value !== undefined };
  };
  // A directive outside MPM sections applies under each MPM the files size, and may read the same
  // there: lint.ts reports a finding repeated at the same place with the same words once.
  const judge = (mpm: ApacheMpm, at: ApacheDirective, written: ApacheDirective | undefined): void => {
    const settings = {
      threadsPerChild: setting('threadsperchild', mpm),
      threadLimit: setting('threadlimit', mpm),
      serverLimit: setting('serverlimit', mpm),
    };
    const maxRequestWorkers = written ? numberIn(written.args) : undefined;
    // A value lint cannot read (a ${VARIABLE}, a percentage) leaves the arithmetic unknown.
    if ((written && maxRequestWorkers === undefined) || !Object.values(settings).every((s) => s.readable))
      return;
    const effective = effectiveMaxRequestWorkers(mpm, {
      maxRequestWorkers,
      threadsPerChild: settings.threadsPerChild.value,
      threadLimit: settings.threadLimit.value,
      serverLimit: settings.serverLimit.value,
    });
    const workers = effective.maxRequestWorkers;
    if (workers >= maxClients + sizing.spareThreads) return;
    const subject = written
      ? `${written.name} ${effective.written}`
      : mpm === 'prefork'
        ? `no MaxRequestWorkers, so the prefork MPM's default ${effective.written}`
        : `no MaxRequestWorkers, so the ${mpm} MPM's default ${effective.written} ` +
          `(${apacheMpmDefaults[mpm].serverLimit} x ${apacheMpmDefaults[mpm].threadsPerChild})`;
    const shortfall =
      workers < maxClients
        ? `lets at most ${workers} sockets be open at once (each keeps a worker until it closes), fewer than --max-clients ${maxClients}`
        : `leaves ${workers - maxClients} workers beside ${maxClients} sockets, where plain requests need ${sizing.spareThreads}`;
    const steps = effective.adjustments.map((adjustment) => adjustmentPhrase(adjustment, effective));
    const message =
      steps.length > 0
        ? `${subject}: ${steps.join(', then ')}, which ${shortfall}`
        : `${subject} ${shortfall}`;
    report(at, message, { fix });
  };

  // Each MPM the files size, with the one MaxRequestWorkers httpd would run it with: a config may hold
  // sections for several MPMs (<IfModule mpm_prefork_module>…), and a socket needs a worker under each.
  for (const mpm of mpmSizing.mpms) {
    const limit = mpmSizing.setting(mpm, 'maxrequestworkers');
    if (limit) {
      judge(mpm, limit, limit);
      continue;
    }
    // No MaxRequestWorkers, but other settings for this MPM: its default applies.
    const first = (['threadsperchild', 'serverlimit', 'threadlimit'] as const)
      .map((key) => mpmSizing.applying(mpm, key)[0])
      .find((node) => node !== undefined);
    if (first) judge(mpm, first, undefined);
  }
}
