/**
 * `--max-clients N`: what the server's main context needs to hold N WebSockets at once. A site file
 * cannot say it itself (worker_connections, MaxRequestWorkers and the rest live outside it), so the
 * targets print these numbers in the header and the warnings, `--json` carries them, and lint checks a
 * main config against them. Pure arithmetic; every constant says where it comes from.
 */

/**
 * The allowed range. The top keeps nginx's descriptor limit (2 × worker_connections, below) under
 * Linux's default fs.nr_open of 1048576: setrlimit above it fails even for root ("setrlimit(RLIMIT_NOFILE,
 * …) failed (1: Operation not permitted)"), so larger numbers would print settings that do not work.
 */
export const maxClientsRange = { min: 1, max: 200_000 } as const;
/** 1 to 200000 as a pattern, so schema.json can show it; no sign, no leading zero, no exponent. */
export const maxClientsPattern = /^(?:[1-9][0-9]{0,4}|1[0-9]{5}|200000)$/;
export const maxClientsAllowed = `a whole number of concurrent sockets from ${maxClientsRange.min} to ${maxClientsRange.max}`;

export const parseMaxClients = (text: string): number | undefined =>
  maxClientsPattern.test(text) ? Number(text) : undefined;

// ---------------------------------------------------------------------------------------------------
// nginx

export const nginxDefaults = {
  /** `events { worker_connections }` when absent (ngx_event_core_module docs: "Default: 512"). */
  workerConnections: 512,
  /** What Debian's and Ubuntu's /etc/nginx/nginx.conf sets. */
  debianWorkerConnections: 768,
  /** `worker_processes` when absent (ngx_core_module docs: "Default: 1"). */
  workerProcesses: 1,
  /** The soft RLIMIT_NOFILE a service starts with under systemd (240+: DefaultLimitNOFILE=1024:524288)
   *  unless its unit sets LimitNOFILE=; without worker_rlimit_nofile the workers keep it. */
  inheritedSoftNofile: 1024,
} as const;

export interface NginxSizing {
  readonly server: 'nginx';
  readonly maxClients: number;
  /** The client's connection and the one nginx opens to the backend: worker_connections "includes all
   *  connections (e.g. connections with proxied servers, among others), not only connections with
   *  clients" (ngx_event_core_module docs, worker_connections). */
  readonly connectionsPerSocket: 2;
  readonly socketConnections: number;
  /** Listening sockets (each takes a connection in every worker), plain requests and redirects, idle
   *  keep-alive connections, handshakes in flight, clients reconnecting while old sockets close. */
  readonly marginConnections: number;
  /** Per worker, not per server: see nginxSizing. */
  readonly workerConnections: number;
  readonly workerRlimitNofile: number;
}

/**
 * nginx needs `worker_connections` of 2N plus a margin in EVERY worker, not 2N divided by
 * worker_processes: nginx does not spread connections evenly. Without accept_mutex (off by default
 * since 1.11.3) all workers wait on the same listening socket, and Linux wakes the one that waited
 * last (epoll is LIFO), so a lightly loaded server hands most new connections to one worker
 * (Cloudflare, "Why does one NGINX worker take all the load?", 2017). Web pages even that out by
 * finishing requests; WebSockets stay, so one worker can end up holding most of them, and when its
 * connections run out it refuses the rest ("worker_connections are not enough") while others idle.
 *
 * `worker_rlimit_nofile` is twice that: each connection is a descriptor, and one that sends a file or
 * buffers to a temporary file holds a second; worker_connections "cannot exceed the current limit on
 * the maximum number of open files" (same docs). The root master sets it in each worker before
 * switching to the unprivileged user (ngx_worker_process_init: setrlimit, then setuid), so systemd's
 * LimitNOFILE need not change. Raising the hard limit takes CAP_SYS_RESOURCE: a master without it (not
 * root, or root in a container that drops it, as Docker does by default) only gets up to its hard limit.
 */
export function nginxSizing(maxClients: number): NginxSizing {
  const socketConnections = 2 * maxClients;
  const marginConnections = Math.max(256, Math.ceil(socketConnections / 4));
  const workerConnections = socketConnections + marginConnections;
  return {
    server: 'nginx',
    maxClients,
    connectionsPerSocket: 2,
    socketConnections,
    marginConnections,
    workerConnections,
    workerRlimitNofile: 2 * workerConnections,
  };
}

/**
 * The most sockets one worker can hold with `workerConnections`: two connections each, after the ones a
 * worker spends before any client. Each listening socket takes one in every worker (ngx_event_process_init
 * gives each a connection), and so does the worker's channel to its master (ngx_add_channel_event calls
 * ngx_get_connection). nginx always listens somewhere, so one listener is the least: with the default
 * 512, at most 255 sockets, which test/integration/capacity.nginx.test.ts sees.
 */
export const socketsPerNginxWorker = (workerConnections: number, listeningSockets = 1): number =>
  Math.max(0, Math.floor((workerConnections - 1 - listeningSockets) / 2));

// ---------------------------------------------------------------------------------------------------
// Apache httpd, event MPM

export const apacheDefaults = {
  /** What Debian's mods-available/mpm_event.conf sets (the built-in default is 16 × 25 = 400). */
  debianMaxRequestWorkers: 150,
  /** ThreadLimit's default for the event MPM (mpm_common docs, ThreadLimit: "Default: 64"); raising it
   *  needs a full stop and start, so ThreadsPerChild stays at it. ServerLimit has the same rule ("Any
   *  attempts to change this directive during a restart will be ignored"; httpd logs AH00501), which
   *  is why the sizing asks for one restart after the MPM is edited. */
  threadLimit: 64,
} as const;

export interface ApacheSizing {
  readonly server: 'apache';
  readonly maxClients: number;
  /** In httpd 2.4 a tunnelled socket keeps its worker thread until it closes: mod_proxy_http
   *  (upgrade=websocket, 2.4.47+) and mod_proxy_wstunnel both relay in a poll loop on the request's
   *  thread (ap_proxy_tunnel_run). The asynchronous tunnel that hands idle sockets back to the event
   *  loop exists only in trunk (2.5), not in any 2.4 release. */
  readonly threadsPerSocket: 1;
  /** Threads left for plain requests, redirects and static files while every socket is open. */
  readonly spareThreads: number;
  readonly threadsPerChild: number;
  readonly threadLimit: number;
  /** A multiple of ThreadsPerChild: httpd rounds anything else down (AH00513). */
  readonly maxRequestWorkers: number;
  readonly processes: number;
  /** Twice the processes: on a graceful reload the old processes keep their sockets until those close,
   *  and only ServerLimit bounds old and new together (event MPM: active_daemons_limit is
   *  MaxRequestWorkers / ThreadsPerChild for the new generation, ServerLimit for all of them). */
  readonly serverLimit: number;
}

export function apacheSizing(maxClients: number): ApacheSizing {
  const threadsPerChild = apacheDefaults.threadLimit;
  const spareThreads = Math.max(64, Math.ceil(maxClients / 4));
  const processes = Math.ceil((maxClients + spareThreads) / threadsPerChild);
  return {
    server: 'apache',
    maxClients,
    threadsPerSocket: 1,
    spareThreads,
    threadsPerChild,
    threadLimit: apacheDefaults.threadLimit,
    maxRequestWorkers: processes * threadsPerChild,
    processes,
    serverLimit: 2 * processes,
  };
}

// ---------------------------------------------------------------------------------------------------
// Apache httpd: what the MPM makes of the directives a config writes (for lint)

export type ApacheMpm = 'event' | 'worker' | 'prefork';

/** The directives that size an MPM, as written; absent ones are undefined. */
export interface ApacheMpmDirectives {
  readonly maxRequestWorkers?: number | undefined;
  readonly threadsPerChild?: number | undefined;
  readonly threadLimit?: number | undefined;
  readonly serverLimit?: number | undefined;
}

/**
 * Each MPM's values for absent directives and its compile-time ceilings (mpm_common docs, 2.4:
 * ServerLimit "16" for threaded MPMs and 256 for prefork, hard limit 20000, prefork 200000; ThreadLimit
 * "64", hard limit 20000, event 100000; ThreadsPerChild "25"; MaxRequestWorkers "16 (ServerLimit)
 * multiplied by the value of 25 (ThreadsPerChild)", prefork 256). The default MaxRequestWorkers is
 * fixed before the config is read (event.c/worker.c pre_config: ServerLimit's and ThreadsPerChild's
 * defaults multiplied), so it stays 400 when only ServerLimit or ThreadsPerChild is set. `codes` are the
 * warnings httpd prints on stderr as it starts (and `apache2 -t` prints) when it changes a value, in the
 * order event/worker check_config applies them: ThreadsPerChild cut to ThreadLimit, MaxRequestWorkers
 * raised to ThreadsPerChild, rounded down to a multiple of it, then cut to ServerLimit x ThreadsPerChild
 * (prefork: cut to ServerLimit). The error log gets the same warning under the next number (AH00516 for
 * AH00515), logged on the second configuration pass (httpd 2.4.71, checked).
 */
export const apacheMpmDefaults = {
  event: {
    serverLimit: 16,
    threadLimit: 64,
    threadsPerChild: 25,
    maxRequestWorkers: 16 * 25,
    maxServerLimit: 20_000,
    maxThreadLimit: 100_000,
    codes: { threadsPerChild: 'AH00507', raised: 'AH00511', rounded: 'AH00513', serverLimit: 'AH00515' },
  },
  worker: {
    serverLimit: 16,
    threadLimit: 64,
    threadsPerChild: 25,
    maxRequestWorkers: 16 * 25,
    maxServerLimit: 20_000,
    maxThreadLimit: 20_000,
    codes: { threadsPerChild: 'AH00310', raised: 'AH00314', rounded: 'AH00316', serverLimit: 'AH00318' },
  },
  prefork: {
    serverLimit: 256,
    threadLimit: 1,
    threadsPerChild: 1,
    maxRequestWorkers: 256,
    maxServerLimit: 200_000,
    maxThreadLimit: 1,
    codes: { threadsPerChild: '', raised: '', rounded: '', serverLimit: 'AH00180' },
  },
} as const;

/** One change httpd makes to a written value, with the code of the warning it logs at startup. */
export interface ApacheMpmAdjustment {
  /** The startup warning's code; the error log's is the next number. */
  readonly code: string;
  /** ThreadsPerChild cut to ThreadLimit; MaxRequestWorkers raised to ThreadsPerChild, rounded down to a
   *  multiple of it, or cut to what ServerLimit allows. */
  readonly kind: 'threadsPerChild' | 'raised' | 'rounded' | 'serverLimit';
  readonly from: number;
  readonly to: number;
}

export interface EffectiveMaxRequestWorkers {
  readonly mpm: ApacheMpm;
  /** MaxRequestWorkers as written, else the MPM's default. */
  readonly written: number;
  /** The values httpd runs with; prefork has no threads (ThreadsPerChild 1). */
  readonly threadsPerChild: number;
  readonly threadLimit: number;
  readonly serverLimit: number;
  /** The most workers at once, so, as each socket keeps one, the most sockets open at once. */
  readonly maxRequestWorkers: number;
  /** The directives that were absent, so took the MPM's default. */
  readonly defaults: readonly (keyof ApacheMpmDirectives)[];
  readonly adjustments: readonly ApacheMpmAdjustment[];
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/**
 * The MaxRequestWorkers httpd runs with, after its own corrections (server/mpm/event/event.c and
 * worker.c event_check_config/worker_check_config, prefork.c prefork_check_config; each row of
 * test/unit/capacity.test.ts was checked against httpd 2.4.71's `apache2 -t`). A threaded MPM runs whole
 * processes of ThreadsPerChild threads and at most ServerLimit of them, so MaxRequestWorkers 2000 with
 * nothing else set becomes 16 x 25 = 400 (AH00515), and 1250 with ThreadsPerChild 64 becomes 1216 (AH00513).
 */
export function effectiveMaxRequestWorkers(
  mpm: ApacheMpm,
  written: ApacheMpmDirectives,
): EffectiveMaxRequestWorkers {
  const known = apacheMpmDefaults[mpm];
  const keys = ['maxRequestWorkers', 'threadsPerChild', 'threadLimit', 'serverLimit'] as const;
  const defaults = keys.filter(
    (key) => written[key] === undefined && (mpm !== 'prefork' || !key.startsWith('thread')),
  );
  const adjustments: ApacheMpmAdjustment[] = [];
  const serverLimit = clamp(written.serverLimit ?? known.serverLimit, 1, known.maxServerLimit);
  const writtenWorkers = written.maxRequestWorkers ?? known.maxRequestWorkers;
  let workers = writtenWorkers;

  if (mpm === 'prefork') {
    workers = Math.max(1, workers);
    if (workers > serverLimit) {
      adjustments.push({
        code: known.codes.serverLimit,
        kind: 'serverLimit',
        from: workers,
        to: serverLimit,
      });
      workers = serverLimit;
    }
    return {
      mpm,
      written: writtenWorkers,
      threadsPerChild: 1,
      threadLimit: 1,
      serverLimit,
      maxRequestWorkers: workers,
      defaults,
      adjustments,
    };
  }

  const threadLimit = clamp(written.threadLimit ?? known.threadLimit, 1, known.maxThreadLimit);
  let threadsPerChild = Math.max(1, written.threadsPerChild ?? known.threadsPerChild);
  if (threadsPerChild > threadLimit) {
    adjustments.push({
      code: known.codes.threadsPerChild,
      kind: 'threadsPerChild',
      from: threadsPerChild,
      to: threadLimit,
    });
    threadsPerChild = threadLimit;
  }
  if (workers < threadsPerChild) {
    adjustments.push({ code: known.codes.raised, kind: 'raised', from: workers, to: threadsPerChild });
    workers = threadsPerChild;
  }
  const processes = Math.floor(workers / threadsPerChild);
  if (workers % threadsPerChild !== 0) {
    adjustments.push({
      code: known.codes.rounded,
      kind: 'rounded',
      from: workers,
      to: processes * threadsPerChild,
    });
    workers = processes * threadsPerChild;
  }
  if (processes > serverLimit) {
    adjustments.push({
      code: known.codes.serverLimit,
      kind: 'serverLimit',
      from: workers,
      to: serverLimit * threadsPerChild,
    });
    workers = serverLimit * threadsPerChild;
  }
  return {
    mpm,
    written: writtenWorkers,
    threadsPerChild,
    threadLimit,
    serverLimit,
    maxRequestWorkers: workers,
    defaults,
    adjustments,
  };
}

// ---------------------------------------------------------------------------------------------------
// Both: the proxy's own connections to a backend

/**
 * Connections from one proxy address to one backend address:port each need their own local port, from
 * net.ipv4.ip_local_port_range, "32768 60999" by default (Linux Documentation/networking/ip-sysctl).
 */
export const linuxEphemeralPorts = 60999 - 32768 + 1;

/** When N sockets spread over `backends` need more ports per backend than there are, how many backends
 *  (addresses) would do; undefined when they fit. */
export function backendPortsShortfall(
  maxClients: number,
  backends: number,
): { readonly perBackend: number; readonly backendsNeeded: number } | undefined {
  const perBackend = Math.ceil(maxClients / backends);
  if (perBackend <= linuxEphemeralPorts) return undefined;
  return { perBackend, backendsNeeded: Math.ceil(maxClients / linuxEphemeralPorts) };
}

export type Sizing = NginxSizing | ApacheSizing;
