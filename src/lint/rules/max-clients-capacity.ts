import { apacheSizing, nginxDefaults, nginxSizing, socketsPerNginxWorker } from '../../core/capacity.js';
import type { Located } from '../finding.js';
import type { LintModel } from '../model.js';
import type { Report, Rule } from '../rule.js';

/**
 * With `--max-clients N`, the main config must hold N sockets at once: what `wss-conf nginx|apache
 * --max-clients N` prints, computed by src/core/capacity.ts (which says why each number is what it is).
 *
 * nginx: every proxied socket takes two of a worker's `worker_connections` (default 512, ngx_core_module
 * docs; Debian ships 768), and nginx does not spread connections evenly over `worker_processes`, so one
 * worker must be able to hold them all; `worker_rlimit_nofile` must give it the descriptors. When a
 * worker runs out, nginx logs "worker_connections are not enough" and drops the connection.
 *
 * Apache: every tunnelled socket keeps a worker thread (or, with prefork, a process) until it closes,
 * so `MaxRequestWorkers` bounds the sockets open at once (mpm_common docs, MaxRequestWorkers).
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
        ? `lets one worker hold at most ${perWorker} sockets (two connections each), fewer than --max-clients ${maxClients}`
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

function checkApache(model: LintModel, maxClients: number, report: Report): void {
  const apache = model.apache;
  if (!apache) return;
  const sizing = apacheSizing(maxClients);
  const fix =
    `event MPM: ThreadLimit ${sizing.threadLimit}, ThreadsPerChild ${sizing.threadsPerChild}, ` +
    `MaxRequestWorkers ${sizing.maxRequestWorkers}, ServerLimit ${sizing.serverLimit}`;
  // MaxClients is the 2.2 name, still read by 2.4 (mpm_common docs, MaxRequestWorkers).
  const limits = [...apache.directives('maxrequestworkers'), ...apache.directives('maxclients')];
  if (limits.length === 0) {
    const first = apache.sites[0];
    if (first) {
      report(
        first,
        `--max-clients ${maxClients}: no MaxRequestWorkers in the files given, so the capacity was not checked ` +
          '(Debian sets 150 in mods-available/mpm_event.conf)',
        { severity: 'info', fix: `lint the MPM config too, or set it: ${fix}` },
      );
    }
    return;
  }
  // Every one is judged: a config may hold sections for several MPMs (<IfModule mpm_prefork_module>…),
  // and a socket needs a worker under each of them.
  for (const limit of limits) {
    const value = numberIn(limit.args);
    // Unrounded: the multiple of ThreadsPerChild only matters to the event MPM's arithmetic.
    if (value === undefined || value >= maxClients + sizing.spareThreads) continue;
    const shortfall =
      value < maxClients
        ? `lets at most ${value} sockets be open at once (each keeps a worker until it closes), fewer than --max-clients ${maxClients}`
        : `leaves ${value - maxClients} workers beside ${maxClients} sockets, where plain requests need ${sizing.spareThreads}`;
    report(limit, `${limit.name} ${value} ${shortfall}`, { fix });
  }
}
