/**
 * The tests' nginx is ready only when it holds every port: a port another process holds also accepts
 * connections, so waiting for the ports alone passed while nginx was still retrying that bind (and
 * then exited), and the test went on to talk to the other process.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, startNginx } from '../helpers/servers.js';
import { requireTool } from '../helpers/tools.js';

const tool = requireTool('nginx');

describe.skipIf(tool.skip)("the tests' nginx", () => {
  it('is not reported ready when another process holds one of its ports', async () => {
    const [mine, taken] = [await freePort(), await freePort()];
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(taken, '127.0.0.1', resolve));
    const site = join(mkdtempSync(join(tmpdir(), 'wss-conf-nginx-start-')), 'site.conf');
    writeFileSync(
      site,
      `server { listen 127.0.0.1:${mine}; return 204; }\nserver { listen 127.0.0.1:${taken}; return 204; }\n`,
    );
    try {
      // Should it wrongly start, stop it, so a failure here leaves no nginx behind.
      const started = startNginx([site], [mine, taken]).then(async (nginx) => {
        await nginx.stop();
        return nginx;
      });
      await expect(started).rejects.toThrow(/Address already in use|nginx exited/);
    } finally {
      squatter.close();
    }
  });
});
