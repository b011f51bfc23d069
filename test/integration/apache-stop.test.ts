/**
 * The tests' Apache must be gone when a test stops it, children included, also while tunnelled
 * sockets hold its worker threads: children that outlive their parent are reparented to init and keep
 * ports, memory and a ServerRoot in /tmp until the machine restarts.
 */
import { describe, expect, it } from 'vitest';
import { apacheProcesses, startApache } from '../helpers/apache-server.js';
import { makeTestCa } from '../helpers/pki.js';
import { startEchoBackend } from '../helpers/servers.js';
import { renderSite } from '../helpers/site.js';
import { requireTool } from '../helpers/tools.js';
import { openSocket } from '../helpers/wss-client.js';

const tool = requireTool('apache');
const host = 'stop.example.test';

describe.skipIf(tool.skip)("the tests' Apache", () => {
  it('stop() ends the parent and every child, while sockets are open', async () => {
    const ca = makeTestCa();
    const backend = await startEchoBackend();
    const site = await renderSite(ca, {
      server: 'apache',
      host,
      backendPorts: [backend.port],
      redirectPort: false,
    });
    const apache = await startApache([site.file], site.ports);
    try {
      const sockets = await Promise.all(
        Array.from({ length: 5 }, () => openSocket(ca, host, site.tlsPort, '/')),
      );
      expect(apacheProcesses(apache.serverRoot).length).toBeGreaterThan(1); // the parent and its children
      await apache.stop();
      expect(apacheProcesses(apache.serverRoot)).toEqual([]);
      for (const socket of sockets) socket.terminate();
    } finally {
      await apache.stop();
      await backend.stop();
    }
  });
});
