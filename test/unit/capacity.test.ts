/** The sizing arithmetic of --max-clients, as tables: what each server's main context needs for N sockets. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  apacheSizing,
  backendPortsShortfall,
  effectiveMaxRequestWorkers,
  linuxEphemeralPorts,
  maxClientsRange,
  nginxSizing,
  parseMaxClients,
  socketsPerNginxWorker,
} from '../../src/core/capacity.js';

const anyMaxClients = fc.integer({ min: maxClientsRange.min, max: maxClientsRange.max });

describe('parseMaxClients', () => {
  it.each([
    ['1', 1],
    ['300', 300],
    ['10000', 10000],
    ['199999', 199999],
    ['200000', 200000],
  ])('reads %s', (text, value) => {
    expect(parseMaxClients(text)).toBe(value);
  });

  it.each([
    '0',
    '200001',
    '999999',
    '-5',
    '1.5',
    '1e4',
    '010',
    ' 5',
    '5 ',
    '',
    '0x10',
    'many',
    '١٠',
  ])('refuses %j', (text) => {
    expect(parseMaxClients(text)).toBeUndefined();
  });
});

describe('nginxSizing', () => {
  it.each([
    // N, 2N, margin, worker_connections, worker_rlimit_nofile
    [1, 2, 256, 258, 516],
    [300, 600, 256, 856, 1712],
    [400, 800, 256, 1056, 2112],
    [1000, 2000, 500, 2500, 5000],
    [10000, 20000, 5000, 25000, 50000],
    [200000, 400000, 100000, 500000, 1000000],
  ])('--max-clients %i: 2N = %i, + %i margin = worker_connections %i, rlimit %i', (n, twice, margin, wc, rl) => {
    expect(nginxSizing(n)).toEqual({
      server: 'nginx',
      maxClients: n,
      connectionsPerSocket: 2,
      socketConnections: twice,
      marginConnections: margin,
      workerConnections: wc,
      workerRlimitNofile: rl,
    });
  });

  it('lets one worker hold every socket, beside 64 listeners and room to spare, within the kernel limit on descriptors', () => {
    fc.assert(
      fc.property(anyMaxClients, (n) => {
        const sizing = nginxSizing(n);
        expect(socketsPerNginxWorker(sizing.workerConnections, 64)).toBeGreaterThanOrEqual(n + 64);
        expect(sizing.workerRlimitNofile).toBeGreaterThanOrEqual(sizing.workerConnections);
        // fs.nr_open's default: setrlimit above it fails even for root.
        expect(sizing.workerRlimitNofile).toBeLessThanOrEqual(1048576);
      }),
    );
  });

  it.each([
    // The worker's channel to the master and each listening socket take a connection before any client.
    [512, 1, 255], // nginx's default: test/integration/capacity.nginx.test.ts sees at most 255 open
    [768, 1, 383], // Debian's nginx.conf
    [768, 4, 381], // a site on 443 and 80, IPv4 and IPv6
    [1024, 1, 511],
    [25000, 1, 12499],
    [2, 1, 0],
  ])('worker_connections %i, %i listening socket(s): at most %i sockets in one worker', (wc, listeners, sockets) => {
    expect(socketsPerNginxWorker(wc, listeners)).toBe(sockets);
  });

  it('counts one listening socket unless told more, as nginx needs at least one', () => {
    expect(socketsPerNginxWorker(512)).toBe(255);
  });
});

describe('apacheSizing', () => {
  it.each([
    // N, spare threads, MaxRequestWorkers, processes, ServerLimit
    [1, 64, 128, 2, 4],
    [100, 64, 192, 3, 6],
    [300, 75, 384, 6, 12],
    [400, 100, 512, 8, 16],
    [10000, 2500, 12544, 196, 392],
    [200000, 50000, 250048, 3907, 7814],
  ])('--max-clients %i: + %i spare → MaxRequestWorkers %i, %i processes, ServerLimit %i', (n, spare, mrw, processes, serverLimit) => {
    expect(apacheSizing(n)).toEqual({
      server: 'apache',
      maxClients: n,
      threadsPerSocket: 1,
      spareThreads: spare,
      threadsPerChild: 64,
      threadLimit: 64,
      maxRequestWorkers: mrw,
      processes,
      serverLimit,
    });
  });

  it('has a thread for every socket, whole processes, and room for one graceful reload', () => {
    fc.assert(
      fc.property(anyMaxClients, (n) => {
        const sizing = apacheSizing(n);
        expect(sizing.maxRequestWorkers).toBeGreaterThanOrEqual(n + 64);
        expect(sizing.maxRequestWorkers % sizing.threadsPerChild).toBe(0);
        expect(sizing.processes * sizing.threadsPerChild).toBe(sizing.maxRequestWorkers);
        expect(sizing.serverLimit).toBe(2 * sizing.processes);
        // The event MPM's compile-time cap on ServerLimit (MAX_SERVER_LIMIT in server/mpm/event/event.c).
        expect(sizing.serverLimit).toBeLessThanOrEqual(20000);
      }),
    );
  });
});

describe('effectiveMaxRequestWorkers: what httpd makes of the MPM directives a config writes', () => {
  // Each row was checked against the real httpd 2.4.71 (apache2 -t prints the AH codes it lists).
  it.each([
    ['event', {}, 400, []],
    ['event', { maxRequestWorkers: 2000 }, 400, ['AH00515 400']],
    ['event', { maxRequestWorkers: 1250, threadsPerChild: 64, serverLimit: 40 }, 1216, ['AH00513 1216']],
    ['event', { maxRequestWorkers: 1250, threadsPerChild: 64 }, 1024, ['AH00513 1216', 'AH00515 1024']],
    ['event', { threadsPerChild: 64 }, 384, ['AH00513 384']],
    ['event', { threadsPerChild: 100, maxRequestWorkers: 1000 }, 960, ['AH00507 64', 'AH00513 960']],
    ['event', { threadsPerChild: 64, maxRequestWorkers: 10 }, 64, ['AH00511 64']],
    ['event', { threadLimit: 16, threadsPerChild: 16, maxRequestWorkers: 32, serverLimit: 2 }, 32, []],
    ['event', { threadLimit: 64, threadsPerChild: 64, maxRequestWorkers: 1280, serverLimit: 40 }, 1280, []],
    ['event', { threadLimit: 64, threadsPerChild: 25, maxRequestWorkers: 150 }, 150, []], // Debian's
    ['worker', { maxRequestWorkers: 2000 }, 400, ['AH00318 400']],
    [
      'worker',
      { threadsPerChild: 100, maxRequestWorkers: 1250, serverLimit: 40 },
      1216,
      ['AH00310 64', 'AH00316 1216'],
    ],
    ['prefork', { maxRequestWorkers: 300 }, 256, ['AH00180 256']],
    ['prefork', { maxRequestWorkers: 300, serverLimit: 300 }, 300, []],
    ['prefork', {}, 256, []],
  ] as const)('%s MPM, %j: %i workers', (mpm, written, workers, adjustments) => {
    const effective = effectiveMaxRequestWorkers(mpm, written);
    expect(effective.maxRequestWorkers).toBe(workers);
    expect(effective.adjustments.map((a) => `${a.code} ${a.to}`)).toEqual(adjustments);
  });

  it('says which values are httpd defaults', () => {
    expect(effectiveMaxRequestWorkers('event', { maxRequestWorkers: 2000 })).toMatchObject({
      written: 2000,
      threadsPerChild: 25,
      serverLimit: 16,
      defaults: ['threadsPerChild', 'threadLimit', 'serverLimit'],
    });
    expect(effectiveMaxRequestWorkers('event', {}).defaults).toContain('maxRequestWorkers');
  });

  it('leaves what wss-conf apache --max-clients prints as it is, for every N', () => {
    fc.assert(
      fc.property(anyMaxClients, (n) => {
        const sizing = apacheSizing(n);
        const effective = effectiveMaxRequestWorkers('event', sizing);
        expect(effective.adjustments).toEqual([]);
        expect(effective.maxRequestWorkers).toBe(sizing.maxRequestWorkers);
      }),
    );
  });
});

describe('backendPortsShortfall', () => {
  it('is the sockets one backend address must take beyond the ephemeral ports of one proxy address', () => {
    expect(linuxEphemeralPorts).toBe(60999 - 32768 + 1);
    expect(backendPortsShortfall(28232, 1)).toBeUndefined();
    expect(backendPortsShortfall(28233, 1)).toEqual({ perBackend: 28233, backendsNeeded: 2 });
    expect(backendPortsShortfall(100000, 2)).toEqual({ perBackend: 50000, backendsNeeded: 4 });
    expect(backendPortsShortfall(100000, 4)).toBeUndefined();
  });
});
