/**
 * The stack under soak: an echo backend in its own process, the site the real CLI renders for it
 * (`wss-conf nginx … --out`, exactly what a user would install, with a certificate from the throwaway
 * CA), and nginx serving that site.
 */
import type WebSocket from 'ws';
import type { NginxWorkerSizing } from '../../src/io/nginx.js';
import { makeTestCa, type TestCa } from '../helpers/pki.js';
import { type RunningNginx, startNginx } from '../helpers/servers.js';
import { type RenderedSite, renderSite } from '../helpers/site.js';
import { type EchoBackendProcess, startEchoBackendProcess } from './echo-backend-process.js';
import { wssOpener } from './many-sockets.js';

export const soakHost = 'wss.example.test';

export interface SoakStack {
  readonly ca: TestCa;
  readonly backend: EchoBackendProcess;
  readonly site: RenderedSite;
  readonly nginx: RunningNginx;
  /** Opens wss://soakHost/ through nginx. */
  open(): Promise<WebSocket>;
  /** Stops nginx and kills the backend; what is already stopped stays so. */
  stop(): Promise<void>;
}

/** Starts the stack; nginx with `workers` when given, else one worker of 1024 connections. */
export async function startSoakStack(workers?: NginxWorkerSizing): Promise<SoakStack> {
  const ca = makeTestCa();
  const backend = await startEchoBackendProcess();
  try {
    // No --timeout: the default (1h) is what keeps idle sockets open past nginx's own 60 s.
    const site = await renderSite(ca, { server: 'nginx', host: soakHost, backendPorts: [backend.port] });
    const nginx = await startNginx([site.file], [site.tlsPort], { workers });
    return {
      ca,
      backend,
      site,
      nginx,
      open: wssOpener(ca, soakHost, site.tlsPort),
      stop: async () => {
        await nginx.stop();
        await backend.kill();
      },
    };
  } catch (error) {
    await backend.kill();
    throw error;
  }
}
