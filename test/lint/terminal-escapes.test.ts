/** lint quotes the file it reads; a file with terminal escapes in it must not reach the terminal raw. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

it('shows terminal escapes from a config file escaped in the text report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lint-escapes-'));
  const file = join(dir, 'evil.conf');
  // The same name twice on one port: duplicate-server-name quotes it.
  const name = 'a\u001b]2\u0007\u009b2J.test';
  writeFileSync(
    file,
    `server { listen 80; server_name ${name}; }\nserver { listen 80; server_name ${name}; }\n`,
  );
  const result = runCli(['lint', file]);
  expect(result.stdout).toContain('duplicate-server-name');
  expect(result.stdout).toContain('a\\x1b]2\\x07\\x9b2J.test');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
  expect(result.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
});
