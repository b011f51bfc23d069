/**
 * --max-clients, live: the settings it prints are the ones that matter. The same generated site runs
 * behind two main configs. With nginx's default worker_connections (512) a worker holds at most 255
 * sockets, so 300 do not all open; with the worker_connections and worker_rlimit_nofile that
 * `wss-conf nginx --max-clients 300 --json` printed, all 300 open and echo. Lint reads both main
 * configs and says the same.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import type { NginxWorkerSizing } from '../../src/io/nginx.js';
import { capacityFindings } from '../helpers/cli.js';
import { makeTestCa, type TestCa } from '../helpers/pki.js';
import { type EchoBackend, type RunningNginx, startEchoBackend, startNginx } from '../helpers/servers.js';
import { renderSizedSite, type SizedSite } from '../helpers/site.js';
import { requireTool } from '../helpers/tools.js';
import { echo, openSocket } from '../helpers/wss-client.js';

const host = 'many.example.test';
const maxClients = 300;
const tool = requireTool('nginx');

/** Opens `count` sockets, `batch` at a time, keeping every one that opens; the rest are counted. */
async function openMany(
  ca: TestCa,
  port: number,
  count: number,
  batch = 25,
): Promise<{ open: WebSocket[]; failed: number }> {
  const open: WebSocket[] = [];
  let failed = 0;
  for (let start = 0; start < count; start += batch) {
    const results = await Promise.allSettled(
      Array.from({ length: Math.min(batch, count - start) }, () => openSocket(ca, host, port, '/ws')),
    );
    for (const result of results) {
      if (result.status === 'fulfilled') open.push(result.value);
      else failed++;
    }
  }
  return { open, failed };
}

const closeAll = (sockets: readonly WebSocket[]) => {
  for (const socket of sockets) socket.terminate();
};

describe.skipIf(tool.skip)('--max-clients, live: the printed main-context settings decide', () => {
  let ca: TestCa;
  let backend: EchoBackend;
  let printed: SizedSite<
    Pick<NginxWorkerSizing, 'workerConnections' | 'workerRlimitNofile'> & { readonly maxClients: number }
  >;
  const running: RunningNginx[] = [];
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    ca = makeTestCa();
    backend = await startEchoBackend();
    printed = await renderSizedSite(ca, {
      server: 'nginx',
      host,
      backendPorts: [backend.port],
      redirectPort: false,
      maxClients,
      extra: ['--path', '/ws'],
      stderr: /^warning: --max-clients \d+: nginx\.conf needs worker_connections [^\n]*\n$/,
    });
    // The same numbers are in the header and the warnings, where a person reads them.
    const { workerConnections, workerRlimitNofile } = printed.sizing;
    expect(printed.text).toContain(`events { worker_connections ${workerConnections}; }`);
    expect(printed.text).toContain(`worker_rlimit_nofile ${workerRlimitNofile};`);
    expect(printed.stderr).toContain(
      `--max-clients ${maxClients}: nginx.conf needs worker_connections ${workerConnections}`,
    );
  });

  afterAll(async () => {
    closeAll(sockets);
    for (const nginx of running) await nginx.stop();
    await backend?.stop();
  });

  it(`nginx's default worker_connections (512) cannot hold ${maxClients} sockets, and lint says so`, async () => {
    const nginx = await startNginx([printed.file], [printed.tlsPort], {
      // nginx's defaults, written out: 512 connections (ngx_core_module docs), and the 1024 descriptors
      // a systemd service starts with.
      workers: { workerProcesses: 1, acceptMutex: false, workerConnections: 512, workerRlimitNofile: 1024 },
    });
    running.push(nginx);
    try {
      const { open, failed } = await openMany(ca, printed.tlsPort, maxClients);
      sockets.push(...open);
      // One worker, two connections per socket, after one each for the listener and the channel to the
      // master: (512 - 2) / 2 = 255 at most (socketsPerNginxWorker).
      expect(open.length).toBeLessThanOrEqual(255);
      expect(open.length).toBeGreaterThan(200);
      expect(failed).toBe(maxClients - open.length);
      expect(nginx.errorLog()).toContain('worker_connections are not enough');
      // The sockets that did open work: the limit refuses new ones, it does not break old ones.
      expect(await echo(open[0] as WebSocket, 'still here')).toBe('still here');

      const findings = capacityFindings(join(nginx.prefix, 'nginx.conf'), maxClients);
      expect(findings).toEqual([
        expect.stringContaining('worker_rlimit_nofile 1024 gives a worker fewer descriptors'),
        expect.stringContaining('worker_connections 512 lets one worker hold at most 255 sockets'),
      ]);
      closeAll(open);
    } finally {
      await nginx.stop();
    }
  });

  it(`the printed settings hold all ${maxClients}, each echoing, and lint is satisfied`, async () => {
    expect(printed.sizing).toMatchObject({ maxClients, workerConnections: 856, workerRlimitNofile: 1712 });
    const { workerConnections, workerRlimitNofile } = printed.sizing;
    const nginx = await startNginx([printed.file], [printed.tlsPort], {
      workers: { workerProcesses: 1, acceptMutex: false, workerConnections, workerRlimitNofile },
    });
    running.push(nginx);
    try {
      const { open, failed } = await openMany(ca, printed.tlsPort, maxClients);
      sockets.push(...open);
      expect(failed).toBe(0);
      expect(open).toHaveLength(maxClients);
      const replies = await Promise.all(open.map((socket, i) => echo(socket, `socket ${i}`)));
      expect(replies).toEqual(open.map((_, i) => `socket ${i}`));
      expect(nginx.errorLog()).not.toContain('worker_connections are not enough');

      expect(capacityFindings(join(nginx.prefix, 'nginx.conf'), maxClients)).toEqual([]);
      closeAll(open);
    } finally {
      await nginx.stop();
    }
  });
});
