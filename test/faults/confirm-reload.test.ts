/**
 * What counts as proof of a reload, against a stand-in server made of real processes: Apache's event
 * MPM forks children whenever its idle-server maintenance wants more (once a second, after a restart
 * too), so a child that was not there before the signal is not proof of a new generation; and a port
 * someone else holds accepts connections. Seen by hand on Apache 2.4: a graceful restart onto a busy
 * port was reported ✔ (a late child of the previous generation, the other program's listener), and
 * 160 ms later Apache logged "no listening sockets available, shutting down" and exited.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { confirmReload, reloadBaseline } from '../../src/io/server-control.js';
import { holdPort } from './harness.js';

describe('confirmReload', () => {
  it('a child forked after the signal, then a fatal line and the parent gone: not a reload', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wss-conf-confirm-'));
    const pidFile = join(dir, 'server.pid');
    const errorLog = join(dir, 'error.log');
    writeFileSync(errorLog, '');
    const busy = await holdPort();
    // The "parent": forks a child 200 ms after the signal, logs as Apache does 300 ms later, exits.
    const parent = spawn(
      'sh',
      [
        '-c',
        `echo $$ > ${pidFile}; sleep 0.2; sleep 30 & child=$!; sleep 0.3; ` +
          `echo '[mpm_event:alert] no listening sockets available, shutting down' >> ${errorLog}; ` +
          'kill $child; exit 0',
      ],
      { stdio: 'ignore' },
    );
    try {
      while (reloadBaseline({ pidFile, errorLog }).pid === undefined)
        await new Promise((r) => setTimeout(r, 10));
      const baseline = reloadBaseline({ pidFile, errorLog });
      const check = await confirmReload(baseline, {
        listens: [`127.0.0.1:${busy.port}`],
        fatal: /no listening sockets/,
      });
      expect(check.ok, check.detail).toBe(false);
      expect(check.detail).toMatch(/no listening sockets/);
    } finally {
      parent.kill('SIGKILL');
      busy.server.close();
    }
  });
});
