/**
 * Soak: `nginx -s reload` while 1,000 wss sockets exchange numbered messages through a generated site.
 * A reload starts new workers and asks the old ones to finish gracefully: they stop accepting but keep
 * every established connection until it closes (nginx docs, "Controlling nginx"). So no socket may
 * close and no message may go missing or arrive out of order.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { requireTool } from '../helpers/tools.js';
import { type SoakStack, startSoakStack } from './generated-site.js';
import { echoRound, openSockets, terminateAll } from './many-sockets.js';
import { isRunning, openDescriptors, waitForWorkers, workerPids } from './processes.js';

const tool = requireTool('nginx');

const socketCount = 1000;
const workerProcesses = 2;
// Every socket sends one message per tick: 5,000 messages a second each way through nginx.
const tickMs = 200;
const beforeReloadMs = 2000;
const afterReloadMs = 3000;

const log = (line: string) => console.info(`[soak reload] ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One socket's numbered conversation: it sends `index:n` for n = 0, 1, … and expects them back in order. */
interface Conversation {
  sent: number;
  received: number;
  outOfOrder: string[];
  closed: number | undefined;
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await sleep(50);
}

describe.skipIf(tool.skip)(`nginx reload while ${socketCount} sockets exchange messages`, () => {
  let stack: SoakStack;
  let sockets: WebSocket[] = [];

  beforeAll(async () => {
    // Debian's default 768 connections would hold only 384 proxied sockets; old and new workers
    // each need room for all of them during the reload.
    stack = await startSoakStack({
      workerProcesses,
      workerConnections: 4 * socketCount,
      workerRlimitNofile: 4 * socketCount + 100,
      acceptMutex: false,
    });
  });

  afterAll(async () => {
    terminateAll(sockets);
    await stack?.stop();
  });

  it('keeps every socket open and every message, in order, across the reload', async () => {
    const { nginx } = stack;
    const master = nginx.process.pid ?? 0;
    const oldWorkers = await waitForWorkers(master, workerProcesses);
    const opened = await openSockets(socketCount, 100, stack.open);
    sockets = opened.sockets;
    log(`opened ${sockets.length}/${socketCount} in ${opened.elapsedMs} ms`);
    expect(opened.failures.slice(0, 5)).toEqual([]);

    const conversations = sockets.map((socket, index): Conversation => {
      const conversation: Conversation = { sent: 0, received: 0, outOfOrder: [], closed: undefined };
      socket.on('message', (data) => {
        const expected = `${index}:${conversation.received}`;
        if (String(data) !== expected) conversation.outOfOrder.push(`${String(data)} for ${expected}`);
        conversation.received += 1;
      });
      socket.once('close', (code) => {
        conversation.closed = code;
      });
      return conversation;
    });
    const ticker = setInterval(() => {
      sockets.forEach((socket, index) => {
        const conversation = conversations[index] as Conversation;
        socket.send(`${index}:${conversation.sent}`);
        conversation.sent += 1;
      });
    }, tickMs);

    await sleep(beforeReloadMs);
    const receivedBeforeReload = conversations.map((c) => c.received);
    execFileSync('nginx', ['-p', nginx.prefix, '-c', join(nginx.prefix, 'nginx.conf'), '-s', 'reload'], {
      stdio: 'pipe',
    });
    const reloadedAt = Date.now();
    const newWorkers = () => workerPids(master).filter((pid) => !oldWorkers.includes(pid));
    await waitUntil(() => newWorkers().length === workerProcesses, 10_000);
    log(`reload: new workers ${newWorkers().join(', ')} after ${Date.now() - reloadedAt} ms`);
    await sleep(afterReloadMs);
    clearInterval(ticker);

    const total = (key: 'sent' | 'received') => conversations.reduce((sum, c) => sum + c[key], 0);
    await waitUntil(() => total('received') === total('sent'), 30_000);
    const lost = total('sent') - total('received');
    log(
      `${total('sent')} messages sent, ${total('received')} echoed, ${lost} lost; ` +
        `old workers still hold ${oldWorkers.map((pid) => (isRunning(pid) ? openDescriptors(pid) : 0)).join(' + ')} descriptors`,
    );

    expect(newWorkers()).toHaveLength(workerProcesses);
    expect(nginx.errorLog()).toMatch(/gracefully shutting down/);
    expect(conversations.filter((c) => c.closed !== undefined)).toEqual([]);
    expect(conversations.flatMap((c) => c.outOfOrder).slice(0, 5)).toEqual([]);
    expect(lost).toBe(0);
    // Every socket talked on both sides of the reload, not just in a lucky moment before it.
    conversations.forEach((c, index) => {
      expect(c.received).toBeGreaterThan(receivedBeforeReload[index] as number);
      expect(receivedBeforeReload[index]).toBeGreaterThan(0);
    });
    expect(total('sent')).toBeGreaterThanOrEqual(
      socketCount * Math.floor((beforeReloadMs + afterReloadMs) / tickMs / 2),
    );

    // The established sockets are still the old workers': they live until the last one closes.
    expect(oldWorkers.every(isRunning)).toBe(true);
    // New clients meanwhile reach the new workers.
    const late = await openSockets(10, 10, stack.open);
    const lateEcho = await echoRound(late.sockets, 'after the reload', 10_000);
    terminateAll(late.sockets);
    expect(lateEcho.echoed).toBe(10);

    terminateAll(sockets);
    await waitUntil(() => !oldWorkers.some(isRunning), 15_000);
    expect(oldWorkers.filter(isRunning)).toEqual([]);
  }, 180_000);
});
