/** The sizing arithmetic of --max-clients, as tables: what each server's main context needs for N sockets. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  apacheSizing,
  backendPortsShortfall,
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

  it('lets one worker hold every socket, with room to spare, within the kernel limit on descriptors', () => {
    fc.assert(
      fc.property(anyMaxClients, (n) => {
        const sizing = nginxSizing(n);
        expect(socketsPerNginxWorker(sizing.workerConnections)).toBeGreaterThanOrEqual(n + 128);
        expect(sizing.workerRlimitNofile).toBeGreaterThanOrEqual(sizing.workerConnections);
        // fs.nr_open's default: setrlimit above it fails even for root.
        expect(sizing.workerRlimitNofile).toBeLessThanOrEqual(1048576);
      }),
    );
  });

  it.each([
    [512, 256], // nginx's default
    [768, 384], // Debian's nginx.conf
    [1024, 512],
    [25000, 12500],
  ])('worker_connections %i holds at most %i sockets in one worker', (wc, sockets) => {
    expect(socketsPerNginxWorker(wc)).toBe(sockets);
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

describe('backendPortsShortfall', () => {
  it('is the sockets one backend address must take beyond the ephemeral ports of one proxy address', () => {
    expect(linuxEphemeralPorts).toBe(60999 - 32768 + 1);
    expect(backendPortsShortfall(28232, 1)).toBeUndefined();
    expect(backendPortsShortfall(28233, 1)).toEqual({ perBackend: 28233, backendsNeeded: 2 });
    expect(backendPortsShortfall(100000, 2)).toEqual({ perBackend: 50000, backendsNeeded: 4 });
    expect(backendPortsShortfall(100000, 4)).toBeUndefined();
  });
});
